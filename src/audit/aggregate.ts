import {
  accountOf, authKindOf, keyCountOf, licenseKindOf, productOf, userManagementKindOf, walletTypeOf,
} from "./aggregate-rules.js";
import type { AuditEntry, AuditOutcome } from "./entry.js";

/**
 * The running totals behind `mon report`. One Aggregate per chunk of input (a worker's byte range
 * of a file); chunks merge associatively, so the result does not depend on how the input was
 * split. Everything is a counter or a bounded list: memory stays flat however large the day is.
 * Maps (not objects) because they survive worker postMessage and never collide with "__proto__".
 */
export interface OutcomeCounts {
  success: number;
  failure: number;
  unknown: number;
}

export interface MoneyRow extends OutcomeCounts {
  /** Sum of successful amounts, in minor units. */
  minor: number;
}

export interface LicenseRow {
  /** Keys generated successfully. */
  keys: number;
  /** Successful generation events. */
  events: number;
  revoked: number;
  failures: number;
}

/** One security or admin event as the report lists it. */
export interface ListedEvent {
  ts: string;
  tenant: string;
  action: string;
  outcome: AuditOutcome;
  actor: string;
  ip?: string;
  target?: string;
  reason?: string;
}

export interface EventList {
  count: number;
  /** The earliest LIST_LIMIT events (by time), so merged chunks keep exactly the same ones. */
  items: ListedEvent[];
}

export interface Aggregate {
  total: number;
  first: string | undefined;
  last: string | undefined;
  byCategory: Map<string, OutcomeCounts>;
  byTenant: Map<string, OutcomeCounts>;
  /** Key: category NUL action. */
  byAction: Map<string, OutcomeCounts>;
  /** Key: tenant NUL currency NUL wallet type. */
  financial: Map<string, MoneyRow>;
  /** Key: tenant NUL product. */
  license: Map<string, LicenseRow>;
  auth: { successes: number; failures: number; unknown: number; lockouts: number; logouts: number; failingIps: Map<string, number>; failingAccounts: Map<string, number> };
  users: { branchesCreated: number; branchFailures: number; roleChanges: number; roleChangeFailures: number };
  security: EventList;
  admin: EventList;
  /** Key: instant (ms) the local hour starts. */
  hourly: Map<number, number>;
  /** Key: instant (ms) the local hour starts NUL category; the stacked bars of the HTML report. */
  hourlyByCategory: Map<string, number>;
}

export const LIST_LIMIT = 500;
/** "No currency" in ISO 4217: financial events that carry no amount. */
export const NO_CURRENCY = "XXX";
export const KEY_SEPARATOR = "\u0000";

export function createAggregate(): Aggregate {
  return {
    total: 0, first: undefined, last: undefined,
    byCategory: new Map(), byTenant: new Map(), byAction: new Map(), financial: new Map(), license: new Map(),
    auth: { successes: 0, failures: 0, unknown: 0, lockouts: 0, logouts: 0, failingIps: new Map(), failingAccounts: new Map() },
    users: { branchesCreated: 0, branchFailures: 0, roleChanges: 0, roleChangeFailures: 0 },
    security: { count: 0, items: [] }, admin: { count: 0, items: [] },
    hourly: new Map(), hourlyByCategory: new Map(),
  };
}

const newCounts = (): OutcomeCounts => ({ success: 0, failure: 0, unknown: 0 });

function countOutcome<K>(map: Map<K, OutcomeCounts>, key: K, outcome: AuditOutcome): void {
  bump(countRow(map, key), outcome);
}

/** The row of `key` in `map`, created (all zero) when missing. */
export function countRow<K>(map: Map<K, OutcomeCounts>, key: K): OutcomeCounts {
  let counts = map.get(key);
  if (!counts) map.set(key, (counts = newCounts()));
  return counts;
}

/**
 * counts[outcome] += 1 without the keyed store: a line's outcome is a fresh substring, which V8
 * looks up in its string table before every keyed access; three comparisons cost less.
 */
function bump(counts: OutcomeCounts, outcome: AuditOutcome): void {
  if (outcome === "success") counts.success += 1;
  else if (outcome === "failure") counts.failure += 1;
  else if (outcome === "unknown") counts.unknown += 1;
}

/**
 * Rows addEntry found before, by the strings a line brings (category, then action; the category
 * within the current hour), so that the composite keys of byAction and hourlyByCategory are not
 * rebuilt and hashed again for every entry. The rows and keys are those of one aggregate's maps.
 */
export interface AggregateMemo {
  actions: Map<string, Map<string, OutcomeCounts>>;
  hour: number;
  hourKeys: Map<string, string>;
}

export function createAggregateMemo(): AggregateMemo {
  return { actions: new Map(), hour: Number.NaN, hourKeys: new Map() };
}

export function actionRow(agg: Aggregate, memo: AggregateMemo, category: string, action: string): OutcomeCounts {
  let actions = memo.actions.get(category);
  if (!actions) memo.actions.set(category, (actions = new Map()));
  let counts = actions.get(action);
  if (!counts) {
    const key = `${category}${KEY_SEPARATOR}${action}`;
    counts = agg.byAction.get(key);
    if (!counts) agg.byAction.set(key, (counts = newCounts()));
    actions.set(action, counts);
  }
  return counts;
}

function hourCategoryKey(memo: AggregateMemo, hourStart: number, category: string): string {
  if (memo.hour !== hourStart) {
    memo.hour = hourStart;
    memo.hourKeys.clear();
  }
  let key = memo.hourKeys.get(category);
  if (key === undefined) memo.hourKeys.set(category, (key = `${hourStart}${KEY_SEPARATOR}${category}`));
  return key;
}

export function increment<K>(map: Map<K, number>, key: K, by = 1): void {
  map.set(key, (map.get(key) ?? 0) + by);
}

/** Distinct failing IPs or accounts tracked exactly; more (an attack from a botnet) share one row. */
export const DISTINCT_LIMIT = 50_000;
export const OTHER_KEY = "(other)";

/** Like increment, but a key beyond DISTINCT_LIMIT distinct ones counts under OTHER_KEY, so memory stays bounded. */
export function incrementBounded(map: Map<string, number>, key: string, by = 1): void {
  increment(map, map.has(key) || map.size < DISTINCT_LIMIT ? key : OTHER_KEY, by);
}

/** Orders listed events by time, then by content, so every split of the input keeps the same ones. */
export function compareListed(a: ListedEvent, b: ListedEvent): number {
  if (a.ts !== b.ts) return a.ts < b.ts ? -1 : 1;
  const x = JSON.stringify(a);
  const y = JSON.stringify(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Keeps the earliest LIST_LIMIT; sorting only every LIST_LIMIT pushes keeps it cheap. */
export function keepEarliest(items: ListedEvent[]): void {
  if (items.length <= LIST_LIMIT) return;
  items.sort(compareListed);
  items.length = LIST_LIMIT;
}

/**
 * Per list, the `ts` of the last event kept when it was last cut to LIST_LIMIT: at least
 * LIST_LIMIT events sort at or before it, so an event after it can never be among the earliest
 * and is only counted. Lines mostly come in time order, so after its first cut a list builds
 * almost no items. Kept beside the list, so the list's shape (and what workers send) is as before.
 */
const cutoffs = new WeakMap<EventList, string>();

/** Counts an event at `ts` that cannot be among the list's earliest; false (nothing done) when it may be. */
export function countPastCutoff(list: EventList, ts: string): boolean {
  const cutoff = cutoffs.get(list);
  if (cutoff === undefined || !(ts > cutoff)) return false;
  list.count += 1;
  return true;
}

/** Counts and lists one security or admin event. */
export function listEvent(list: EventList, entry: AuditEntry): void {
  if (countPastCutoff(list, entry.ts)) return;
  list.count += 1;
  const item: ListedEvent = {
    ts: entry.ts, tenant: entry.tenant, action: entry.action, outcome: entry.outcome,
    actor: entry.actor.role ? `${entry.actor.id} (${entry.actor.role})` : entry.actor.id,
  };
  if (entry.ip) item.ip = entry.ip;
  if (entry.target) item.target = `${entry.target.type}:${entry.target.id}`;
  if (entry.reason) item.reason = entry.reason;
  list.items.push(item);
  if (list.items.length >= LIST_LIMIT * 2) {
    keepEarliest(list.items);
    cutoffs.set(list, (list.items[LIST_LIMIT - 1] as ListedEvent).ts);
  }
}

/**
 * Adds one entry (already filtered to the report's range and tenants). `memo`: the aggregate's
 * own (createAggregateMemo), kept by a caller that adds many entries to it.
 */
export function addEntry(agg: Aggregate, entry: AuditEntry, hourStart: number, memo = createAggregateMemo()): void {
  const { outcome, category } = entry;
  agg.total += 1;
  if (agg.first === undefined || entry.ts < agg.first) agg.first = entry.ts;
  if (agg.last === undefined || entry.ts > agg.last) agg.last = entry.ts;
  countOutcome(agg.byCategory, category, outcome);
  countOutcome(agg.byTenant, entry.tenant, outcome);
  bump(actionRow(agg, memo, category, entry.action), outcome);
  increment(agg.hourly, hourStart);
  increment(agg.hourlyByCategory, hourCategoryKey(memo, hourStart, category));
  switch (category) {
    case "financial": {
      const key = `${entry.tenant}${KEY_SEPARATOR}${entry.amount?.currency ?? NO_CURRENCY}${KEY_SEPARATOR}${walletTypeOf(entry)}`;
      let row = agg.financial.get(key);
      if (!row) agg.financial.set(key, (row = { ...newCounts(), minor: 0 }));
      bump(row, outcome);
      if (outcome === "success") row.minor += entry.amount?.minor ?? 0;
      break;
    }
    case "license": {
      const key = `${entry.tenant}${KEY_SEPARATOR}${productOf(entry)}`;
      let row = agg.license.get(key);
      if (!row) agg.license.set(key, (row = { keys: 0, events: 0, revoked: 0, failures: 0 }));
      const kind = licenseKindOf(entry.action);
      if (outcome === "failure") row.failures += 1;
      else if (outcome === "success" && kind === "generated") {
        row.keys += keyCountOf(entry);
        row.events += 1;
      } else if (outcome === "success" && kind === "revoked") row.revoked += 1;
      break;
    }
    case "authentication": {
      const kind = authKindOf(entry.action);
      if (kind === "lockout") agg.auth.lockouts += 1;
      else if (kind === "logout") agg.auth.logouts += 1;
      else if (kind === "session") {
        // Counted per action only (see authKindOf).
      } else if (outcome === "success") agg.auth.successes += 1;
      else if (outcome === "unknown") agg.auth.unknown += 1;
      else {
        agg.auth.failures += 1;
        if (entry.ip) incrementBounded(agg.auth.failingIps, entry.ip);
        const account = accountOf(entry);
        if (account) incrementBounded(agg.auth.failingAccounts, account);
      }
      break;
    }
    case "user_management": {
      const kind = userManagementKindOf(entry.action);
      if (kind === "branch_created" && outcome === "success") agg.users.branchesCreated += 1;
      else if (kind === "branch_created" && outcome === "failure") agg.users.branchFailures += 1;
      else if (kind === "role_changed" && outcome === "success") agg.users.roleChanges += 1;
      else if (kind === "role_changed" && outcome === "failure") agg.users.roleChangeFailures += 1;
      break;
    }
    case "security":
      listEvent(agg.security, entry);
      break;
    case "admin":
      listEvent(agg.admin, entry);
      break;
  }
}
