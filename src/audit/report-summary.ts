import type { Aggregate, ListedEvent, OutcomeCounts } from "./aggregate.js";
import { KEY_SEPARATOR } from "./aggregate.js";
import { finishList, splitKey } from "./aggregate-merge.js";
import { AUDIT_CATEGORIES } from "./categories.js";
import { minorToDecimal } from "./money.js";
import { createHourBucketer, formatZonedHour } from "./time-range-zone.js";

/**
 * The numbers of a report as plain, sorted JSON: the `summary` part of `mon report --format json`
 * (documented field by field in docs/cli.md). Amounts are exact decimal strings next to their
 * minor units and currency; formatting for people happens in the renderers.
 */
export interface CountRow extends OutcomeCounts {
  total: number;
}

export interface MoneyTotals {
  count: number;
  amountMinor: number;
  amount: string;
  failures: number;
  unknown: number;
}

export interface FinancialRow {
  tenant: string;
  currency: string;
  deposit: MoneyTotals;
  purchase: MoneyTotals;
  refund: MoneyTotals;
  /** withdrawal / adjustment / other, present only when such events exist. */
  [type: string]: MoneyTotals | string;
}

export interface ReportSummary {
  events: { total: number; first: string | null; last: string | null };
  byCategory: Array<{ category: string } & CountRow>;
  byTenant: Array<{ tenant: string } & CountRow>;
  byAction: Array<{ category: string; action: string } & CountRow>;
  financial: FinancialRow[];
  license: Array<{ tenant: string; product: string; keys: number; events: number; revoked: number; failures: number }>;
  authentication: {
    successes: number; failures: number; unknown: number; failureRate: number | null; lockouts: number; logouts: number;
    topFailingIps: Array<{ ip: string; count: number }>;
    topFailingAccounts: Array<{ account: string; count: number }>;
  };
  userManagement: { branchesCreated: number; branchFailures: number; roleChanges: number; roleChangeFailures: number };
  security: { count: number; events: ListedEvent[]; omitted: number };
  admin: { count: number; events: ListedEvent[]; omitted: number };
  /** Every local hour of the range; `byCategory` has every category, zeros included. */
  hourly: Array<{ start: string; local: string; count: number; byCategory: Record<string, number> }>;
}

export const TOP_LIMIT = 10;
const HOUR = 3_600_000;
const byKey = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const withTotal = (c: OutcomeCounts): CountRow => ({ success: c.success, failure: c.failure, unknown: c.unknown, total: c.success + c.failure + c.unknown });

function top<K extends string>(map: Map<string, number>, name: K): Array<Record<K, string> & { count: number }> {
  return [...map].sort((a, b) => b[1] - a[1] || byKey(a[0], b[0])).slice(0, TOP_LIMIT)
    .map(([key, count]) => ({ [name]: key, count }) as Record<K, string> & { count: number });
}

function emptyTotals(currency: string): MoneyTotals {
  return { count: 0, amountMinor: 0, amount: minorToDecimal(0, currency), failures: 0, unknown: 0 };
}

/** Turns merged totals into the report's JSON, with every hour of [start, end) in the histogram. */
export function summarizeAggregate(agg: Aggregate, range: { start: number; end: number; timeZone: string }): ReportSummary {
  const financial = new Map<string, FinancialRow>();
  for (const [key, row] of agg.financial) {
    const [tenant = "", currency = "", type = "other"] = splitKey(key);
    const group = `${tenant}\u0000${currency}`;
    let out = financial.get(group);
    if (!out) {
      out = { tenant, currency, deposit: emptyTotals(currency), purchase: emptyTotals(currency), refund: emptyTotals(currency) };
      financial.set(group, out);
    }
    out[type] = { count: row.success, amountMinor: row.minor, amount: minorToDecimal(row.minor, currency), failures: row.failure, unknown: row.unknown };
  }
  const attempts = agg.auth.successes + agg.auth.failures;
  return {
    events: { total: agg.total, first: agg.first ?? null, last: agg.last ?? null },
    byCategory: AUDIT_CATEGORIES.map((category) => ({ category, ...withTotal(agg.byCategory.get(category) ?? { success: 0, failure: 0, unknown: 0 }) })),
    byTenant: [...agg.byTenant].sort((a, b) => byKey(a[0], b[0])).map(([tenant, c]) => ({ tenant, ...withTotal(c) })),
    byAction: [...agg.byAction].sort((a, b) => byKey(a[0], b[0])).map(([key, c]) => {
      const [category = "", action = ""] = splitKey(key);
      return { category, action, ...withTotal(c) };
    }),
    financial: [...financial.values()].sort((a, b) => byKey(a.tenant, b.tenant) || byKey(a.currency, b.currency)),
    license: [...agg.license].sort((a, b) => byKey(a[0], b[0])).map(([key, row]) => {
      const [tenant = "", product = ""] = splitKey(key);
      return { tenant, product, ...row };
    }),
    authentication: {
      successes: agg.auth.successes, failures: agg.auth.failures, unknown: agg.auth.unknown,
      failureRate: attempts === 0 ? null : Math.round((agg.auth.failures / attempts) * 10_000) / 10_000,
      lockouts: agg.auth.lockouts, logouts: agg.auth.logouts,
      topFailingIps: top(agg.auth.failingIps, "ip"),
      topFailingAccounts: top(agg.auth.failingAccounts, "account"),
    },
    userManagement: { ...agg.users },
    security: finishList(agg.security),
    admin: finishList(agg.admin),
    hourly: hourlyRows(agg, range),
  };
}

function hourlyRows(agg: Aggregate, range: { start: number; end: number; timeZone: string }): ReportSummary["hourly"] {
  const { hourly, hourlyByCategory } = agg;
  const bucket = createHourBucketer(range.timeZone);
  const hours = new Set<number>(hourly.keys());
  // Every hour of the range appears, so a quiet hour shows as a zero rather than a gap.
  for (let t = bucket(new Date(range.start).toISOString()); t < range.end; t += HOUR) hours.add(t);
  return [...hours].sort((a, b) => a - b).map((start) => ({
    start: new Date(start).toISOString(), local: formatZonedHour(start, range.timeZone), count: hourly.get(start) ?? 0,
    byCategory: Object.fromEntries(AUDIT_CATEGORIES.map((c) => [c, hourlyByCategory.get(`${start}${KEY_SEPARATOR}${c}`) ?? 0])),
  }));
}
