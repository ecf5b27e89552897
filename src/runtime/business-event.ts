import type { BINARY_OUTCOMES, WALLET_TYPES } from "../metrics/catalog.js";
import type { AuditRecordInput } from "./audit/build-entry.js";
import type { RequestContext } from "./context.js";
import type { MonwireMetrics } from "./metrics.js";

export type BinaryOutcome = (typeof BINARY_OUTCOMES)[number];
export type WalletType = (typeof WALLET_TYPES)[number];

/** Fields every business event carries, resolved once by the track helper. */
export interface BusinessEventBase {
  /**
   * When the helper was called (the monitoring clock). A route rule's event skips the clock when
   * every sink is one of monwire's own that never reads it (metrics, sessions, security signals).
   */
  at: Date;
  /** Bounded tenant label value: a configured tenant, "unknown" or "none". */
  tenant: string;
  /** The tenant as given, when it was not a configured one (for the audit trail). */
  rawTenant?: string;
  /** The request context: a copy at the time of a track.* call; the live one for route rules (emitted at the end of the request). Undefined outside a request. */
  context?: RequestContext;
  /** Set on a route rule's event whose audit entry the app wrote itself in the request: the audit sink skips it. */
  auditedByApp?: boolean;
}

export interface LoginEvent extends BusinessEventBase {
  kind: "login";
  outcome: BinaryOutcome;
  /** Bounded to LOGIN_METHODS ("other" for anything else). */
  method: string;
  actorId?: string;
  reason?: string;
}

export interface WalletTransactionEvent extends BusinessEventBase {
  kind: "wallet_transaction";
  type: WalletType;
  outcome: BinaryOutcome;
  /** Integer minor units (cents, feninga); absent only when a route rule could not read it. */
  amountMinor?: number;
  /** ISO 4217; from the call, else the tenant's configured currency. */
  currency?: string;
  walletId?: string;
  txId?: string;
  reason?: string;
  product?: string;
}

export interface LicenseKeysGeneratedEvent extends BusinessEventBase {
  kind: "license_keys_generated";
  /** Bounded to config.metrics.products ("other" for anything else). */
  product: string;
  /** The product as given by the caller. */
  rawProduct: string;
  count: number;
  /** The generated keys, unmasked: sinks that persist or send them must mask them (audit/redact). */
  keys?: readonly string[];
}

export interface BranchCreatedEvent extends BusinessEventBase {
  kind: "branch_created";
  branchId: string;
  name?: string;
}

export interface SessionEvent extends BusinessEventBase {
  kind: "session_started" | "session_ended";
  /** Whose session, when known: a logout ends that user's session rather than any one. */
  actorId?: string;
}

/** An event with no metric of its own (license accessed, role changed, …): only its audit entry. */
export interface AuditOnlyEvent extends BusinessEventBase {
  kind: "audit";
  entry: AuditRecordInput;
}

/** One normalized business event: what a track helper hands to every sink. */
export type BusinessEvent = LoginEvent | WalletTransactionEvent | LicenseKeysGeneratedEvent | BranchCreatedEvent | SessionEvent | AuditOnlyEvent;

/**
 * Receives every business event. Metrics are one sink; the audit trail and Sentry breadcrumbs plug
 * in as further sinks without touching any call site. A returned promise is awaited by the track
 * helper and its rejection reaches the caller (the audit sink resolves once the entry is durable);
 * a sink whose failure must not fail the business call catches its own errors.
 */
export interface BusinessEventSink {
  readonly name: string;
  handle(event: BusinessEvent): void | Promise<void>;
}

/**
 * The metrics sink: updates the catalog families synchronously (active_user_sessions is the session
 * sink's). It never throws — a broken metric
 * must not break a purchase.
 */
export function createMetricsSink(metrics: MonwireMetrics): BusinessEventSink {
  const update = (event: BusinessEvent) => {
    const { tenant } = event;
    switch (event.kind) {
      case "login":
        return metrics.authAttempts.inc({ method: event.method, outcome: event.outcome, tenant });
      case "wallet_transaction":
        return metrics.walletTx.inc({ type: event.type, outcome: event.outcome, tenant });
      case "license_keys_generated":
        return metrics.licenseKeys.inc({ product: event.product, tenant }, event.count);
      case "branch_created":
        return metrics.branches.inc({ tenant });
      // Sessions are counted by the session sink (sessions.ts), audit-only events have no metric.
      default:
        return undefined;
    }
  };
  return {
    name: "metrics",
    handle(event) {
      try {
        update(event);
      } catch {
        // Swallowed on purpose: see above.
      }
    },
  };
}
