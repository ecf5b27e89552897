// The report's per-line fast path over plain lines: the pass that counts a matched line into the
// aggregate, the per-string look-ups it keeps, and the current hour held aside. What each
// category adds beyond its counts is in plain-counts.ts, the shapes of what it keeps in plain-rows.ts.
import {
  KEY_SEPARATOR, NO_CURRENCY, actionRow, countPastCutoff, countRow, increment, listEvent,
  type Aggregate, type AggregateMemo, type MoneyRow,
} from "./aggregate.js";
import { authKindOf, licenseKindOf, userManagementKindOf, walletTypeOfAction, walletTypeOfData, type WalletType } from "./aggregate-rules.js";
import { AUDIT_CATEGORIES } from "./categories.js";
import type { AuditEntry } from "./entry.js";
import type { RangeFilter } from "./filters.js";
import { REPORT_GROUPS as G } from "./line-pattern.js";
import { CURRENCY_AT, matchedAmountMinor } from "./plain-amount.js";
import { SUCCESS, bump, countAuthentication, countLicense, countUserManagement } from "./plain-counts.js";
import { ownString } from "./own-string.js";
import { ParsedMembers } from "./plain-members.js";
import type { ActionInfo, CategoryInfo, TenantInfo } from "./plain-rows.js";
import { HOUR, matchedTimeKey, timeKeyOf } from "./plain-time.js";

/** Categories by their length, which tells the six apart; a clash disables the shortcut for that length. */
const BY_LENGTH = new Map<number, string | null>();
for (const name of AUDIT_CATEGORIES) BY_LENGTH.set(name.length, BY_LENGTH.has(name.length) ? null : name);

/** Actions or tenants tried by equality before the Map. */
const RECENT = 4;
/**
 * Distinct tenants (and actions per category) whose look-ups are kept. Beyond it (a trail whose
 * tenant values are attacker-chosen) each line looks its rows up in the aggregate's own maps, with
 * the same result, so memory stays that of the aggregate.
 */
export const KEPT_DISTINCT = 4096;
const NO_CURRENCY_CODE = currencyCode(NO_CURRENCY, 0);

/**
 * addEntry for a plain line's match, without building an entry: what addEntry derives from a
 * line's strings (the rows its category, tenant and action count in, what the action means) is
 * derived once per distinct string and kept, so a line costs a few look-ups and increments. It
 * adds exactly what addEntry adds for the same entry. It reads `ts` and `amount` by position,
 * which the schema's forms of both allow (plain-time.ts and plain-amount.ts refuse to load when
 * the schema changes them); a category or outcome it does not know it declines before changing
 * anything, and the caller then hands that line to addEntry. The current hour's counts and the first and last `ts` are kept aside and
 * folded into the aggregate by flush(), which must run before the aggregate is read.
 *
 * A match may come from a decoded window of many lines (scan-feed.ts), whose captured strings are
 * views of the whole window: every string kept beyond the line (map keys, listed events, tenant
 * and action names) is an ownString copy, made when it is first kept, and the first and last
 * `ts` are copied by detach() at each window's end.
 */
export class PlainAggregate {
  private readonly categories: (CategoryInfo | undefined)[] = [];
  private readonly tenants = new Map<string, TenantInfo>();
  private readonly recentTenants: TenantInfo[] = [];
  private readonly members = new ParsedMembers();
  private readonly since: number;
  private readonly until: number;
  /** The earliest and latest `ts` added here (merged into the aggregate's by flush). */
  private firstTs: string | undefined;
  private firstKey = Infinity;
  private lastTs: string | undefined;
  private lastKey = -Infinity;
  /** The hour number (plain-time) whose start `hour` is, when the zone makes it one hour (UTC). */
  private hourNumber = -1;
  private hour = Number.NaN;
  private hourCount = 0;
  private readonly hourByCategory: number[];
  /** Lines this class counted or filtered out (the rest went to addEntry). */
  taken = 0;

  /**
   * `filter` must be one whose bounds have keys (usable() says whether it is); `utc`: the bucket
   * is UTC's, so a line's hour start depends on its UTC hour alone.
   */
  constructor(
    private readonly agg: Aggregate,
    private readonly memo: AggregateMemo,
    private readonly filter: RangeFilter,
    private readonly bucket: (ts: string) => number,
    private readonly utc: boolean,
  ) {
    AUDIT_CATEGORIES.forEach((name, index) => {
      if (BY_LENGTH.get(name.length) === name) this.categories[name.length] = { name, index, row: undefined, actions: new Map(), recent: [] };
    });
    this.hourByCategory = AUDIT_CATEGORIES.map(() => 0);
    this.since = filter.since === undefined ? -Infinity : timeKeyOf(filter.since);
    this.until = filter.until === undefined ? Infinity : timeKeyOf(filter.until);
  }

  /** Whether a filter's bounds are canonical times this class can compare by number. */
  static usable(filter: RangeFilter): boolean {
    return [filter.since, filter.until].every((bound) => bound === undefined || timeKeyOf(bound) >= 0);
  }

  /** Adds a matched line that passes the filter; false (nothing changed) when addEntry must take it. */
  add(m: RegExpExecArray): boolean {
    const categoryText = m[G.category] as string;
    const category = this.categories[categoryText.length];
    if (category === undefined || category.name !== categoryText) return false;
    const ts = m[G.ts] as string;
    const key = matchedTimeKey(ts);
    const tenant = this.tenantOf(m[G.tenant] as string);
    if (key < this.since || !(key < this.until) || !tenant.accepted) {
      this.taken += 1;
      return true;
    }
    const action = this.actionOf(category, m[G.action] as string);
    const outcomeText = m[G.outcome] as string;
    const outcome = outcomeText.charCodeAt(0);
    if (outcomeText !== "success" && outcomeText !== "failure" && outcomeText !== "unknown") return false;
    // What a category needs beyond the counts, found before anything is counted.
    let money: MoneyRow | undefined;
    let minor = 0;
    if (category.name === "financial") {
      const amountText = m[G.amount];
      let code = NO_CURRENCY_CODE;
      if (amountText !== undefined) {
        code = currencyCode(amountText, CURRENCY_AT);
        minor = matchedAmountMinor(amountText);
      }
      money = this.moneyRow(tenant, code, action.wallet ?? walletTypeOfData(this.members.object(m[G.data]) as AuditEntry["data"]));
    }
    const agg = this.agg;
    this.taken += 1;
    agg.total += 1;
    if (key < this.firstKey) {
      this.firstKey = key;
      this.firstTs = ts;
    }
    if (key > this.lastKey) {
      this.lastKey = key;
      this.lastTs = ts;
    }
    bump(category.row ??= countRow(agg.byCategory, category.name), outcome);
    bump(tenant.row ??= countRow(agg.byTenant, tenant.name), outcome);
    bump(action.row, outcome);
    const hourNumber = Math.floor(key / HOUR);
    if (hourNumber !== this.hourNumber || !this.utc) {
      const hour = this.bucket(ts);
      if (hour !== this.hour) {
        this.flush();
        this.hour = hour;
      }
      this.hourNumber = hourNumber;
    }
    this.hourCount += 1;
    (this.hourByCategory[category.index] as number) += 1;
    switch (category.name) {
      case "financial":
        bump(money as MoneyRow, outcome);
        if (outcome === SUCCESS) (money as MoneyRow).minor += minor;
        break;
      case "license":
        countLicense(agg, this.members, m, tenant, action, outcome);
        break;
      case "authentication":
        countAuthentication(agg, this.members, m, action, outcome);
        break;
      case "user_management":
        countUserManagement(agg, action, outcome);
        break;
      case "security":
      case "admin": {
        const list = category.name === "security" ? agg.security : agg.admin;
        if (!countPastCutoff(list, ts)) listEvent(list, this.members.listed(m));
        break;
      }
    }
    return true;
  }

  /** Copies the first and last `ts` kept so far: after it, nothing here refers to the window their lines came from. */
  detach(): void {
    if (this.firstTs !== undefined) this.firstTs = ownString(this.firstTs);
    if (this.lastTs !== undefined) this.lastTs = ownString(this.lastTs);
  }

  /** Folds what is kept aside (the current hour's counts, first and last) into the aggregate. */
  flush(): void {
    const agg = this.agg;
    if (this.firstTs !== undefined && (agg.first === undefined || this.firstTs < agg.first)) agg.first = this.firstTs;
    if (this.lastTs !== undefined && (agg.last === undefined || this.lastTs > agg.last)) agg.last = this.lastTs;
    if (this.hourCount === 0) return;
    increment(this.agg.hourly, this.hour, this.hourCount);
    this.hourCount = 0;
    this.hourByCategory.forEach((count, index) => {
      if (count === 0) return;
      increment(this.agg.hourlyByCategory, `${this.hour}${KEY_SEPARATOR}${AUDIT_CATEGORIES[index]}`, count);
      this.hourByCategory[index] = 0;
    });
  }

  private tenantOf(text: string): TenantInfo {
    for (const known of this.recentTenants) if (known.name === text) return known;
    let tenant = this.tenants.get(text);
    if (tenant === undefined) {
      const name = ownString(text);
      const wanted = this.filter.tenants;
      tenant = { name, accepted: wanted === undefined || wanted.has(name.toUpperCase()), row: undefined, money: new Map(), license: new Map() };
      if (this.tenants.size < KEPT_DISTINCT) this.tenants.set(name, tenant);
      if (this.recentTenants.length < RECENT) this.recentTenants.push(tenant);
    }
    return tenant;
  }

  private actionOf(category: CategoryInfo, text: string): ActionInfo {
    for (const known of category.recent) if (known.name === text) return known;
    let action = category.actions.get(text);
    if (action === undefined) {
      const name = ownString(text);
      action = {
        name, row: actionRow(this.agg, this.memo, category.name, name),
        wallet: walletTypeOfAction(name), license: licenseKindOf(name), auth: authKindOf(name), users: userManagementKindOf(name),
      };
      if (category.actions.size < KEPT_DISTINCT) category.actions.set(name, action);
      if (category.recent.length < RECENT) category.recent.push(action);
    }
    return action;
  }

  private moneyRow(tenant: TenantInfo, code: number, type: WalletType): MoneyRow {
    let byType = tenant.money.get(code);
    if (byType === undefined) tenant.money.set(code, (byType = new Map()));
    let row = byType.get(type);
    if (row === undefined) {
      const key = `${tenant.name}${KEY_SEPARATOR}${currencyText(code)}${KEY_SEPARATOR}${type}`;
      row = this.agg.financial.get(key);
      if (row === undefined) this.agg.financial.set(key, (row = { success: 0, failure: 0, unknown: 0, minor: 0 }));
      byType.set(type, row);
    }
    return row;
  }
}

/** Three upper-case letters at `at` as one number: a currency compared without a string. */
function currencyCode(text: string, at: number): number {
  return (text.charCodeAt(at) << 16) | (text.charCodeAt(at + 1) << 8) | text.charCodeAt(at + 2);
}

function currencyText(code: number): string {
  return String.fromCharCode(code >> 16, (code >> 8) & 0xff, code & 0xff);
}
