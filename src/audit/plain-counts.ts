// What a plain line adds beyond its counts, by category (license rows, authentication and user
// management totals), and the outcome counter they share. Each does exactly what addEntry does
// for the same entry; the outcome is the first letter of the matched outcome (the pattern admits
// only success, failure and unknown), so no string is compared per line.
import { KEY_SEPARATOR, incrementBounded, type Aggregate, type OutcomeCounts } from "./aggregate.js";
import { accountOf, keyCountOf, productOf } from "./aggregate-rules.js";
import { REPORT_GROUPS as G } from "./line-pattern.js";
import { ownString } from "./own-string.js";
import type { ParsedMembers } from "./plain-members.js";
import type { ActionInfo, TenantInfo } from "./plain-rows.js";

export const SUCCESS = 0x73; // "s"
export const FAILURE = 0x66; // "f"

/** counts[outcome] += 1 by the outcome's first letter (the pattern admits only the three outcomes). */
export function bump(counts: OutcomeCounts, outcome: number): void {
  if (outcome === SUCCESS) counts.success += 1;
  else if (outcome === FAILURE) counts.failure += 1;
  else counts.unknown += 1;
}

/** A license line: its product's row for the tenant (keys generated, events, revocations, failures). */
export function countLicense(agg: Aggregate, members: ParsedMembers, m: RegExpExecArray, tenant: TenantInfo, action: ActionInfo, outcome: number): void {
  const entry = members.licensed(m);
  const product = productOf(entry);
  let row = tenant.license.get(product);
  if (row === undefined) {
    const key = `${tenant.name}${KEY_SEPARATOR}${product}`;
    row = agg.license.get(key);
    if (row === undefined) agg.license.set(key, (row = { keys: 0, events: 0, revoked: 0, failures: 0 }));
    tenant.license.set(product, row);
  }
  if (outcome === FAILURE) row.failures += 1;
  else if (outcome === SUCCESS && action.license === "generated") {
    row.keys += keyCountOf(entry);
    row.events += 1;
  } else if (outcome === SUCCESS && action.license === "revoked") row.revoked += 1;
}

/** An authentication line: successes, failures (with the failing IP and account), lockouts, logouts. */
export function countAuthentication(agg: Aggregate, members: ParsedMembers, m: RegExpExecArray, action: ActionInfo, outcome: number): void {
  const auth = agg.auth;
  if (action.auth === "lockout") auth.lockouts += 1;
  else if (action.auth === "logout") auth.logouts += 1;
  else if (action.auth === "session") {
    // Counted per action only (see authKindOf).
  } else if (outcome === SUCCESS) auth.successes += 1;
  else if (outcome !== FAILURE) auth.unknown += 1;
  else {
    auth.failures += 1;
    const ip = m[G.ip];
    if (ip) incrementBounded(auth.failingIps, auth.failingIps.has(ip) ? ip : ownString(ip));
    const account = accountOf(members.accountable(m));
    if (account) incrementBounded(auth.failingAccounts, account);
  }
}

/** A user-management line: branches created and role changes, with their failures. */
export function countUserManagement(agg: Aggregate, action: ActionInfo, outcome: number): void {
  const users = agg.users;
  if (action.users === "branch_created" && outcome === SUCCESS) users.branchesCreated += 1;
  else if (action.users === "branch_created" && outcome === FAILURE) users.branchFailures += 1;
  else if (action.users === "role_changed" && outcome === SUCCESS) users.roleChanges += 1;
  else if (action.users === "role_changed" && outcome === FAILURE) users.roleChangeFailures += 1;
}
