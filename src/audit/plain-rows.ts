// What the plain aggregate keeps per distinct category, action and tenant string: the rows each
// counts in and what it means for the report, derived once when the string is first seen
// (PlainAggregate.tenantOf / actionOf) so that a line costs a few look-ups. Also a tenant's
// financial rows, keyed by the currency as a number so no currency string is built per line.
import { KEY_SEPARATOR, NO_CURRENCY, type Aggregate, type LicenseRow, type MoneyRow, type OutcomeCounts } from "./aggregate.js";
import type { AuthKind, LicenseKind, UserManagementKind, WalletType } from "./aggregate-rules.js";

export interface CategoryInfo {
  name: string;
  index: number;
  row: OutcomeCounts | undefined;
  actions: Map<string, ActionInfo>;
  /** The first few actions seen: an equality test on a captured string is cheaper than a Map look-up. */
  recent: ActionInfo[];
}

export interface ActionInfo {
  name: string;
  row: OutcomeCounts;
  wallet: WalletType | undefined;
  license: LicenseKind;
  auth: AuthKind;
  users: UserManagementKind;
}

export interface TenantInfo {
  name: string;
  accepted: boolean;
  row: OutcomeCounts | undefined;
  /** Financial rows by currency (three letters as a number), then wallet type. */
  money: Map<number, Map<WalletType, MoneyRow>>;
  /** License rows by product. */
  license: Map<string, LicenseRow>;
}

/** Three upper-case letters at `at` as one number: a currency compared without a string. */
export function currencyCode(text: string, at: number): number {
  return (text.charCodeAt(at) << 16) | (text.charCodeAt(at + 1) << 8) | text.charCodeAt(at + 2);
}

function currencyText(code: number): string {
  return String.fromCharCode(code >> 16, (code >> 8) & 0xff, code & 0xff);
}

export const NO_CURRENCY_CODE = currencyCode(NO_CURRENCY, 0);

/** A tenant's financial row for a currency and wallet type, found in (or added to) the aggregate's own map once. */
export function moneyRowOf(agg: Aggregate, tenant: TenantInfo, code: number, type: WalletType): MoneyRow {
  let byType = tenant.money.get(code);
  if (byType === undefined) tenant.money.set(code, (byType = new Map()));
  let row = byType.get(type);
  if (row === undefined) {
    const key = `${tenant.name}${KEY_SEPARATOR}${currencyText(code)}${KEY_SEPARATOR}${type}`;
    row = agg.financial.get(key);
    if (row === undefined) agg.financial.set(key, (row = { success: 0, failure: 0, unknown: 0, minor: 0 }));
    byType.set(type, row);
  }
  return row;
}
