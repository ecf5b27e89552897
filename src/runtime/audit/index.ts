export { createAuditTrail, type AuditTrail, type AuditTrailOptions, type AuditTrailStats } from "./trail.js";
export { auditEventFor, createAuditSink } from "./sink.js";
export type { AmountInput, AuditRecordInput } from "./build-entry.js";
export type {
  AdminAudit, AuthenticationAudit, CategoryHelpers, CommonFields, FinancialAudit, LicenseAudit, SecurityAudit,
  UserManagementAudit, WalletInput,
} from "./helpers.js";
export { MAX_DATA_BYTES, MAX_STRING_BYTES } from "./limits.js";
