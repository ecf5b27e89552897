// The shapes of what the plain aggregate keeps per distinct category, action and tenant string:
// the rows each counts in and what it means for the report, derived once when the string is
// first seen (PlainAggregate.tenantOf / actionOf) so that a line costs a few look-ups. Shared by
// the aggregate's per-line pass and the per-category counters in plain-counts.ts.
import type { LicenseRow, MoneyRow, OutcomeCounts } from "./aggregate.js";
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
