import { maskLicenseKey } from "../../audit/redact.js";
import type { BusinessEvent, BusinessEventSink } from "../business-event.js";
import type { AuditRecordInput } from "./build-entry.js";
import { RECORD_EVENT, type AuditTrail } from "./trail.js";

/** The audit entry for one business event; request context (ip, user agent, ...) is added by record(). */
export function auditEventFor(event: BusinessEvent): AuditRecordInput {
  // The audit trail keeps what the client sent even when it is not a configured tenant.
  const tenant = event.rawTenant ?? event.tenant;
  switch (event.kind) {
    case "login":
      return {
        category: "authentication",
        action: event.outcome === "success" ? "login.succeeded" : "login.failed",
        outcome: event.outcome,
        tenant,
        actor: event.actorId && !event.context?.actor ? { id: event.actorId, type: "user" } : undefined,
        reason: event.reason,
        data: { method: event.method },
      };
    case "wallet_transaction":
      return {
        category: "financial",
        action: `wallet.${event.type}`,
        outcome: event.outcome,
        tenant,
        // An amount needs its currency; for a tenant without one in tenants.currency the entry is
        // still written (a missing compliance record is worse) with the bare minor units in data.
        ...(event.amountMinor === undefined
          ? event.product === undefined ? {} : { data: { product: event.product } }
          : event.currency
            ? { amount: { minor: event.amountMinor, currency: event.currency }, ...(event.product === undefined ? {} : { data: { product: event.product } }) }
            : { data: { amount_minor: event.amountMinor, currency: "unconfigured", ...(event.product === undefined ? {} : { product: event.product }) } }),
        target: event.walletId ? { type: "wallet", id: event.walletId } : undefined,
        tx_id: event.txId,
        reason: event.reason,
      };
    case "license_keys_generated":
      return {
        category: "license",
        action: "license_key.generated",
        tenant,
        data: event.keys ? { product: event.rawProduct, count: event.count, keys: event.keys.map(maskLicenseKey) } : { product: event.rawProduct, count: event.count },
      };
    case "branch_created":
      return { category: "user_management", action: "branch.created", tenant, target: { type: "branch", id: event.branchId }, data: event.name === undefined ? undefined : { name: event.name } };
    case "session_started":
    case "session_ended":
      return { category: "authentication", action: event.kind === "session_started" ? "session.started" : "session.ended", tenant };
    case "audit":
      return { tenant, ...event.entry };
  }
}

/**
 * The track helpers' audit sink: one call → metric + audit entry. The helper's promise resolves
 * once the entry is durable and rejects (E_AUDIT_WRITE / E_AUDIT_INVALID) when it is not, so a
 * compliance record is never silently missing.
 */
export function createAuditSink(trail: AuditTrail): BusinessEventSink {
  const record = trail[RECORD_EVENT] ?? ((entry: AuditRecordInput) => trail.record(entry));
  return {
    name: "audit",
    async handle(event) {
      // The app wrote this event's entry itself (a direct monitoring.audit.* call in the request).
      if (event.auditedByApp) return;
      await record(auditEventFor(event));
    },
  };
}
