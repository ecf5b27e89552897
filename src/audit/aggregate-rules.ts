import { WALLET_TYPES } from "../metrics/catalog.js";
import type { AuditEntry } from "./entry.js";

/**
 * How `mon report` reads meaning out of actions. Kept as small data-driven rules so a host's own
 * action names (`wallet.deposit`, `shop.wallet.deposit`, `login.failed`, `auth.login`) land in the
 * right row without configuration; anything unrecognised still counts in the per-action table.
 */
export type WalletType = (typeof WALLET_TYPES)[number] | "other";
export type AuthKind = "attempt" | "lockout" | "logout" | "session";

const WALLET_TYPE_SET = new Set<string>(WALLET_TYPES);

/** deposit / purchase / refund / withdrawal / adjustment from the action's segments or data.type. */
export function walletTypeOf(entry: AuditEntry): WalletType {
  return walletTypeOfAction(entry.action) ?? walletTypeOfData(entry.data);
}

/** The wallet type an action names by one of its segments, or undefined when only `data.type` can tell. */
export function walletTypeOfAction(action: string): WalletType | undefined {
  // The common shape (`wallet.deposit`) is decided without splitting the action.
  const last = action.slice(action.lastIndexOf(".") + 1);
  if (WALLET_TYPE_SET.has(last)) return last as WalletType;
  for (const segment of action.split(".")) {
    if (WALLET_TYPE_SET.has(segment)) return segment as WalletType;
  }
  return undefined;
}

/** The wallet type `data.type` declares, for an action that names none. */
export function walletTypeOfData(data: AuditEntry["data"]): WalletType {
  const declared = data?.type;
  return typeof declared === "string" && WALLET_TYPE_SET.has(declared) ? (declared as WalletType) : "other";
}

/** Lockouts, logouts and session starts are not login attempts; everything else in authentication is one. */
export function authKindOf(action: string): AuthKind {
  if (/lock(ed|out)/.test(action)) return "lockout";
  if (/logout|logoff|signout|session\.end/.test(action)) return "logout";
  // track.sessionStarted() writes `session.started` after the `login.succeeded` it follows: not a second success.
  if (/session\.start/.test(action)) return "session";
  return "attempt";
}

/** The account a failed login was for: the target, the name typed, or the actor when known. */
export function accountOf(entry: AuditEntry): string | undefined {
  if (entry.target?.id) return entry.target.id;
  for (const key of ["account", "username", "user", "email", "login"]) {
    const value = entry.data?.[key];
    if (typeof value === "string" && value.length > 0) return value;
  }
  return entry.actor.type === "anonymous" ? undefined : entry.actor.id;
}

export type LicenseKind = "generated" | "revoked" | "other";

export function licenseKindOf(action: string): LicenseKind {
  if (/generat|issued|created/.test(action)) return "generated";
  if (/revok/.test(action)) return "revoked";
  return "other";
}

/** Product of a license event: data.product, else the target id for a product target, else "unknown". */
export function productOf(entry: AuditEntry): string {
  const product = entry.data?.product;
  if (typeof product === "string" && product.length > 0) return product;
  if (entry.target?.type === "product") return entry.target.id;
  return "unknown";
}

/** Keys in one license event: data.count, else the length of data.keys, else one. */
export function keyCountOf(entry: AuditEntry): number {
  const count = entry.data?.count;
  if (typeof count === "number" && Number.isSafeInteger(count) && count >= 0) return count;
  const keys = entry.data?.keys;
  return Array.isArray(keys) ? keys.length : 1;
}

export type UserManagementKind = "branch_created" | "role_changed" | "other";

export function userManagementKindOf(action: string): UserManagementKind {
  if (/^(.*\.)?branch\.creat/.test(action) || action === "branch.created") return "branch_created";
  if (/role/.test(action)) return "role_changed";
  return "other";
}
