import { beforeEach, describe, expect, it } from "vitest";
import { resolveConfig } from "../../src/config/validate.js";
import { getMetrics, resetMetrics, type MonwireMetrics } from "../../src/runtime/metrics.js";
import { createSecuritySignals, WindowCounter } from "../../src/runtime/security-signals.js";
import { SessionCounter } from "../../src/runtime/sessions.js";
import { createSessionStoreCollector } from "../../src/runtime/session-store.js";
import type { BusinessEvent } from "../../src/runtime/business-event.js";

async function value(metrics: MonwireMetrics, name: string, labels: Record<string, string>): Promise<number | undefined> {
  const data = await metrics.families.get(name as never)?.get();
  return data?.values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l))?.value;
}

const loginFailure = (ip: string, actorId?: string): BusinessEvent => ({
  kind: "login", outcome: "failure", method: "password", at: new Date(), tenant: "EUR",
  context: { requestId: "r", tenant: "EUR", ip }, ...(actorId ? { actorId } : {}),
});

describe("WindowCounter", () => {
  it("keeps at most maxTracked keys under a flood of 100k distinct IPs", () => {
    const counter = new WindowCounter(60_000, 1000);
    for (let i = 0; i < 100_000; i++) counter.hit(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, 1);
    expect(counter.size).toBe(1000);
  });

  it("starts a new window after windowMs", () => {
    const counter = new WindowCounter(1000, 10);
    expect([counter.hit("a", 0), counter.hit("a", 500), counter.hit("a", 999), counter.hit("a", 1000)]).toEqual([1, 2, 3, 1]);
  });
});

describe("security signals", () => {
  let metrics: MonwireMetrics;
  beforeEach(() => {
    resetMetrics();
    metrics = getMetrics();
  });

  it("fires brute_force once per IP and once per account when the thresholds are reached", async () => {
    const config = resolveConfig({ security: { bruteForce: { windowSeconds: 60, perIp: 3, perAccount: 2 } } }).security;
    const fired: string[] = [];
    const signals = createSecuritySignals(config, metrics, (signal, d) => void fired.push(`${signal}:${d.scope}:${d.key}:${d.count}`), () => 5);
    for (let i = 0; i < 5; i++) signals.handle(loginFailure("10.0.0.1", "alice"));
    expect(fired).toEqual(["brute_force:account:alice:2", "brute_force:ip:10.0.0.1:3"]);
    expect(await value(metrics, "security_signals_total", { signal: "brute_force", tenant: "EUR" })).toBe(2);
  });

  it("ignores successful logins and counts 401/403 bursts per actor, falling back to the IP", () => {
    const config = resolveConfig({ security: { accessDenied: { windowSeconds: 60, perActor: 2 } } }).security;
    const fired: string[] = [];
    const signals = createSecuritySignals(config, metrics, (signal, d) => void fired.push(`${signal}:${d.scope}:${d.key}`), () => 5);
    signals.handle({ ...loginFailure("10.0.0.1"), outcome: "success" } as BusinessEvent);
    for (let i = 0; i < 3; i++) signals.denied({ requestId: "r", tenant: "KM", actor: { id: "u-1", type: "user" } });
    for (let i = 0; i < 2; i++) signals.denied({ requestId: "r", tenant: "KM", ip: "10.9.9.9" });
    expect(fired).toEqual(["access_denied_burst:actor:u-1", "access_denied_burst:ip:10.9.9.9"]);
  });

  it("keeps memory bounded by maxTracked under a flood of distinct IPs", () => {
    const config = resolveConfig({ security: { maxTracked: 500, bruteForce: { perIp: 2 } } }).security;
    // The counters are private: their bound shows in behaviour. After a flood of 100k other IPs the
    // first one is forgotten, so its second failure counts from scratch and fires nothing.
    const fired: string[] = [];
    const probe = createSecuritySignals(config, metrics, (_s, d) => void fired.push(d.key));
    probe.handle(loginFailure("first"));
    for (let i = 0; i < 100_000; i++) probe.handle(loginFailure(`flood-${i}`));
    probe.handle(loginFailure("first"));
    expect(fired).toEqual([]);
  });
});

describe("SessionCounter", () => {
  let metrics: MonwireMetrics;
  let now: number;
  let sessions: SessionCounter;
  beforeEach(() => {
    resetMetrics();
    metrics = getMetrics();
    now = 0;
    sessions = new SessionCounter({ metrics, idleTimeoutMs: 1000, maxTracked: 100, now: () => now });
  });

  it("counts each login per tenant, ends the user's own session, and never goes below zero", async () => {
    sessions.end("EUR", "ghost");
    sessions.start("EUR", "alice");
    sessions.start("EUR", "alice");
    sessions.start("EUR", "bob");
    sessions.start("KM", "alice");
    sessions.end("EUR", "alice");
    expect(await value(metrics, "active_user_sessions", { tenant: "EUR" })).toBe(2);
    sessions.end("EUR", "alice");
    sessions.end("EUR", "alice");
    sessions.end("EUR", "carol");
    expect(await value(metrics, "active_user_sessions", { tenant: "EUR" })).toBe(1);
    expect(await value(metrics, "active_user_sessions", { tenant: "KM" })).toBe(1);
  });

  it("ends an anonymous session for a logout it cannot tie to a user", async () => {
    sessions.start("EUR", undefined);
    sessions.start("EUR", "bob");
    sessions.end("EUR", "nobody-known");
    sessions.end("EUR", "nobody-known");
    expect(await value(metrics, "active_user_sessions", { tenant: "EUR" })).toBe(1);
    sessions.end("EUR", undefined);
    expect(await value(metrics, "active_user_sessions", { tenant: "EUR" })).toBe(0);
  });

  it("expires idle sessions at collect, and a touched session stays", async () => {
    sessions.start("EUR", "alice");
    sessions.start("EUR", "bob");
    now = 900;
    sessions.touch("EUR", "bob");
    now = 1500;
    sessions.collect();
    expect(await value(metrics, "active_user_sessions", { tenant: "EUR" })).toBe(1);
    now = 3000;
    sessions.collect();
    expect(await value(metrics, "active_user_sessions", { tenant: "EUR" })).toBe(0);
  });

  it("bounds the sessions it remembers", () => {
    for (let i = 0; i < 1000; i++) sessions.start("EUR", `u-${i}`);
    expect(sessions.size).toBe(100);
  });
});

describe("session store collector", () => {
  let metrics: MonwireMetrics;
  beforeEach(() => {
    resetMetrics();
    metrics = getMetrics();
  });
  const options = { tenantField: "tenant", tenants: ["EUR", "KM"], timeoutMs: 200 };

  it("groups an express-session style store's sessions by tenant, and zeroes a tenant whose sessions are gone", async () => {
    let all: Record<string, unknown> = { a: { tenant: "EUR" }, b: { tenant: "EUR" }, c: { tenant: "KM" }, d: {} };
    const store = { all: (cb: (e: unknown, s?: unknown) => void) => setImmediate(() => cb(null, all)) };
    const collect = createSessionStoreCollector({ metrics, source: store, ...options });
    await collect();
    expect(await value(metrics, "active_user_sessions", { tenant: "EUR" })).toBe(2);
    expect(await value(metrics, "active_user_sessions", { tenant: "KM" })).toBe(1);
    expect(await value(metrics, "active_user_sessions", { tenant: "none" })).toBe(1);
    all = { a: { tenant: "EUR" } };
    await collect();
    expect(await value(metrics, "active_user_sessions", { tenant: "KM" })).toBe(0);
  });

  it("reads a Map of JSON sessions, a counting function, and keeps the last value when the store hangs", async () => {
    await createSessionStoreCollector({ metrics, source: new Map([["s1", JSON.stringify({ tenant: "KM" })]]), ...options })();
    expect(await value(metrics, "active_user_sessions", { tenant: "KM" })).toBe(1);
    await createSessionStoreCollector({ metrics, source: () => ({ EUR: 7 }), ...options })();
    expect(await value(metrics, "active_user_sessions", { tenant: "EUR" })).toBe(7);
    await createSessionStoreCollector({ metrics, source: { all: () => undefined }, ...options })();
    expect(await value(metrics, "active_user_sessions", { tenant: "EUR" })).toBe(7);
  });
});
