import {
  KEY_SEPARATOR, LIST_LIMIT, compareListed, increment, incrementBounded, keepEarliest,
  type Aggregate, type EventList, type LicenseRow, type MoneyRow, type OutcomeCounts,
} from "./aggregate.js";

/**
 * Folds `from` into `into`. Every field is a sum, a min/max or an earliest-N list, so merging is
 * associative and commutative: any split of the input across workers gives the same report.
 */
export function mergeAggregates(into: Aggregate, from: Aggregate): Aggregate {
  into.total += from.total;
  if (from.first !== undefined && (into.first === undefined || from.first < into.first)) into.first = from.first;
  if (from.last !== undefined && (into.last === undefined || from.last > into.last)) into.last = from.last;
  mergeCounts(into.byCategory, from.byCategory);
  mergeCounts(into.byTenant, from.byTenant);
  mergeCounts(into.byAction, from.byAction);
  for (const [key, row] of from.financial) {
    const target = into.financial.get(key);
    if (!target) into.financial.set(key, { ...row });
    else addFields<MoneyRow>(target, row, ["success", "failure", "unknown", "minor"]);
  }
  for (const [key, row] of from.license) {
    const target = into.license.get(key);
    if (!target) into.license.set(key, { ...row });
    else addFields<LicenseRow>(target, row, ["keys", "events", "revoked", "failures"]);
  }
  const auth = into.auth;
  auth.successes += from.auth.successes;
  auth.failures += from.auth.failures;
  auth.unknown += from.auth.unknown;
  auth.lockouts += from.auth.lockouts;
  auth.logouts += from.auth.logouts;
  for (const [ip, count] of from.auth.failingIps) incrementBounded(auth.failingIps, ip, count);
  for (const [account, count] of from.auth.failingAccounts) incrementBounded(auth.failingAccounts, account, count);
  addFields(into.users, from.users, ["branchesCreated", "branchFailures", "roleChanges", "roleChangeFailures"]);
  mergeList(into.security, from.security);
  mergeList(into.admin, from.admin);
  for (const [hour, count] of from.hourly) increment(into.hourly, hour, count);
  for (const [key, count] of from.hourlyByCategory) increment(into.hourlyByCategory, key, count);
  return into;
}

function mergeCounts(into: Map<string, OutcomeCounts>, from: Map<string, OutcomeCounts>): void {
  for (const [key, counts] of from) {
    const target = into.get(key);
    if (!target) into.set(key, { ...counts });
    else addFields<OutcomeCounts>(target, counts, ["success", "failure", "unknown"]);
  }
}

function addFields<T>(into: T, from: T, fields: readonly (keyof T)[]): void {
  for (const field of fields) (into[field] as number) += from[field] as number;
}

function mergeList(into: EventList, from: EventList): void {
  into.count += from.count;
  into.items.push(...from.items);
  keepEarliest(into.items);
}

/** The listed events in time order, at most LIST_LIMIT, and how many were left out. */
export function finishList(list: EventList): { count: number; events: EventList["items"]; omitted: number } {
  const events = [...list.items].sort(compareListed).slice(0, LIST_LIMIT);
  return { count: list.count, events, omitted: list.count - events.length };
}

export function splitKey(key: string): string[] {
  return key.split(KEY_SEPARATOR);
}
