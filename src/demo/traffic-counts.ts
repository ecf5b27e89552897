import { formatCount, plural } from "../human-format.js";
/**
 * What the demo's traffic did, counted from the shop's HTTP answers (not from monwire): the
 * numbers `mon check`, `mon report`, `/metrics` and PromQL must agree with.
 */
export interface TenantTraffic {
  /** HTTP requests sent with this tenant's x-shop header. */
  requests: number;
  /** Answers by status code. */
  statuses: Record<string, number>;
  logins: { succeeded: number; failed: number; lockouts: number };
  sessions: { started: number; ended: number };
  deposits: { count: number; amountMinor: number };
  purchases: { count: number; amountMinor: number; insufficientFunds: number };
  /** License keys handed out, per product (purchases and admin batches). */
  licenseKeys: Record<string, number>;
  /** Successful key-generation calls (one audit entry each). */
  keyBatches: number;
  branches: number;
  /** Requests to the crashing route (each a 500 and a Sentry event). */
  crashes: number;
  currency: string;
}

export interface TrafficSummary {
  startedAt: string;
  endedAt: string;
  rounds: number;
  requests: number;
  tenants: Record<string, TenantTraffic>;
}

export function emptyTenantTraffic(currency: string): TenantTraffic {
  return {
    requests: 0,
    statuses: {},
    logins: { succeeded: 0, failed: 0, lockouts: 0 },
    sessions: { started: 0, ended: 0 },
    deposits: { count: 0, amountMinor: 0 },
    purchases: { count: 0, amountMinor: 0, insufficientFunds: 0 },
    licenseKeys: {},
    keyBatches: 0,
    branches: 0,
    crashes: 0,
    currency,
  };
}

/** A one-line description for progress output: "EUR 212 requests, KM 208 requests". */
export function describeTraffic(summary: TrafficSummary): string {
  const seconds = ((Date.parse(summary.endedAt) - Date.parse(summary.startedAt)) / 1000).toFixed(1);
  const perTenant = Object.entries(summary.tenants).map(([tenant, t]) => {
    const keys = Object.values(t.licenseKeys).reduce((a, b) => a + b, 0);
    return `${tenant}: ${plural(t.requests, "request")}, ${formatCount(t.logins.succeeded)}/${formatCount(t.logins.failed)} logins ok/failed, ${plural(t.deposits.count, "deposit")}, ` +
      `${plural(t.purchases.count, "purchase")} (${formatCount(t.purchases.insufficientFunds)} short of funds), ${plural(keys, "key")}, ${plural(t.branches, "branch", "branches")}, ${plural(t.crashes, "crash", "crashes")}`;
  });
  return `sent ${plural(summary.requests, "request")} in ${seconds} s (${plural(summary.rounds, "round")}) — ${perTenant.join("; ")}`;
}

/** A small seeded PRNG (mulberry32): the same seed gives the same mix of requests. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
