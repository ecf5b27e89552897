import type { AuditEntry, AuditTarget } from "../../audit/entry.js";
import { maskLicenseKey } from "../../audit/redact.js";
import type { AmountInput, AuditRecordInput } from "./build-entry.js";

/** Fields every helper accepts; context fills in tenant, actor, ip, user agent and request id. */
export type CommonFields = Omit<AuditRecordInput, "category" | "action" | "amount">;
type RecordFn = (event: AuditRecordInput) => Promise<AuditEntry>;

export interface WalletInput extends CommonFields {
  amount: AmountInput;
  /** Wallet id; becomes the target {type: "wallet", id} unless a target is given. */
  wallet?: string;
}

export interface FinancialAudit {
  deposit(input: WalletInput): Promise<AuditEntry>;
  purchase(input: WalletInput & { product?: string }): Promise<AuditEntry>;
  refund(input: WalletInput): Promise<AuditEntry>;
  withdrawal(input: WalletInput): Promise<AuditEntry>;
}

export interface LicenseAudit {
  /** Keys are written masked (last group + SHA-256 fingerprint), never in full. */
  generated(input: CommonFields & { product: string; keys?: string[]; count?: number }): Promise<AuditEntry>;
  revoked(input: CommonFields & { key: string; product?: string }): Promise<AuditEntry>;
}

export interface UserManagementAudit {
  branchCreated(input: CommonFields & { branchId: string; name?: string }): Promise<AuditEntry>;
  userCreated(input: CommonFields & { userId: string; role?: string }): Promise<AuditEntry>;
  roleChanged(input: CommonFields & { userId: string; from?: string; to: string }): Promise<AuditEntry>;
}

export interface AuthenticationAudit {
  /** `userId` becomes the actor unless an actor is given. */
  loginSucceeded(input: CommonFields & { userId?: string; method?: string }): Promise<AuditEntry>;
  /** Always outcome "failure"; `username` is the name that was tried. */
  loginFailed(input: CommonFields & { username?: string; method?: string }): Promise<AuditEntry>;
  logout(input?: CommonFields): Promise<AuditEntry>;
  lockout(input: CommonFields & { userId: string; failedAttempts?: number }): Promise<AuditEntry>;
}

export interface SecurityAudit {
  /** A security event such as `rate_limit.exceeded` or `webhook.signature_invalid`. */
  event(input: CommonFields & { action: string }): Promise<AuditEntry>;
}

export interface AdminAudit {
  /** An administrative action such as `config.changed` or `audit.pruned`. */
  action(input: CommonFields & { action: string }): Promise<AuditEntry>;
}

export interface CategoryHelpers {
  financial: FinancialAudit;
  license: LicenseAudit;
  user_management: UserManagementAudit;
  authentication: AuthenticationAudit;
  security: SecurityAudit;
  admin: AdminAudit;
}

/**
 * Merges helper fields into data; the caller's own data keys win on a clash. Helpers pass their
 * whole input on to record(), which reads only entry fields, so no per-call object rest copies.
 */
function withData(data: Record<string, unknown> | undefined, extra: Record<string, unknown>): Record<string, unknown> | undefined {
  let merged: Record<string, unknown> | undefined;
  for (const key in extra) if (extra[key] !== undefined) (merged ??= {})[key] = extra[key];
  if (!merged) return data;
  return data ? { ...merged, ...data } : merged;
}

function targetOr(target: AuditTarget | undefined, type: string, id: string | undefined): AuditTarget | undefined {
  return target ?? (id === undefined ? undefined : { type, id });
}

/** Builds the typed helpers over `record`, one line per verb. */
export function createCategoryHelpers(record: RecordFn): CategoryHelpers {
  const wallet = (action: string, input: WalletInput, extra: Record<string, unknown> = {}) =>
    record({ ...input, category: "financial", action, target: targetOr(input.target, "wallet", input.wallet), data: withData(input.data, extra) });
  return {
    financial: {
      deposit: (input) => wallet("wallet.deposit", input),
      purchase: (input) => wallet("wallet.purchase", input, { product: input.product }),
      refund: (input) => wallet("wallet.refund", input),
      withdrawal: (input) => wallet("wallet.withdrawal", input),
    },
    license: {
      generated: (i) =>
        record({ ...i, category: "license", action: "license_key.generated", data: withData(i.data, { product: i.product, count: i.count ?? i.keys?.length ?? 1, keys: i.keys?.map(maskLicenseKey) }) }),
      revoked: (i) =>
        record({ ...i, category: "license", action: "license_key.revoked", target: targetOr(i.target, "license_key", maskLicenseKey(i.key)), data: withData(i.data, { product: i.product }) }),
    },
    user_management: {
      branchCreated: (i) =>
        record({ ...i, category: "user_management", action: "branch.created", target: targetOr(i.target, "branch", i.branchId), data: withData(i.data, { name: i.name }) }),
      userCreated: (i) =>
        record({ ...i, category: "user_management", action: "user.created", target: targetOr(i.target, "user", i.userId), data: withData(i.data, { role: i.role }) }),
      roleChanged: (i) =>
        record({ ...i, category: "user_management", action: "user.role_changed", target: targetOr(i.target, "user", i.userId), data: withData(i.data, { from: i.from, to: i.to }) }),
    },
    authentication: {
      loginSucceeded: (i) =>
        record({ ...i, category: "authentication", action: "login.succeeded", actor: i.actor ?? (i.userId ? { id: i.userId, type: "user" } : undefined), data: withData(i.data, { method: i.method }) }),
      loginFailed: (i) =>
        record({ ...i, category: "authentication", action: "login.failed", outcome: "failure", data: withData(i.data, { username: i.username, method: i.method }) }),
      logout: (i = {}) => record({ ...i, category: "authentication", action: "session.logout" }),
      lockout: (i) =>
        record({ ...i, category: "authentication", action: "account.locked", target: targetOr(i.target, "user", i.userId), data: withData(i.data, { failed_attempts: i.failedAttempts }) }),
    },
    security: { event: (input) => record({ ...input, category: "security" }) },
    admin: { action: (input) => record({ ...input, category: "admin" }) },
  };
}
