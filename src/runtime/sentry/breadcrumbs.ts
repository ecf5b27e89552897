import type { BusinessEvent, BusinessEventSink } from "../business-event.js";
import { getActiveSentry, type SentryBreadcrumb } from "./sdk.js";

/**
 * What a business event says in a breadcrumb: ids, counts and outcomes, never the generated
 * license keys or a branch's display name. beforeBreadcrumb scrubs the result once more.
 */
function describe(event: BusinessEvent): { message: string; data: Record<string, unknown>; failed: boolean } {
  const base = { tenant: event.tenant };
  switch (event.kind) {
    case "login":
      return {
        message: `login ${event.outcome}`,
        data: { ...base, method: event.method, outcome: event.outcome, ...(event.actorId ? { user_id: event.actorId } : {}), ...(event.reason ? { reason: event.reason } : {}) },
        failed: event.outcome === "failure",
      };
    case "wallet_transaction":
      return {
        message: `wallet ${event.type} ${event.outcome}`,
        data: {
          ...base, type: event.type, outcome: event.outcome, ...(event.amountMinor === undefined ? {} : { amount_minor: event.amountMinor }),
          ...(event.currency ? { currency: event.currency } : {}),
          ...(event.walletId ? { wallet_id: event.walletId } : {}),
          ...(event.txId ? { tx_id: event.txId } : {}),
          ...(event.reason ? { reason: event.reason } : {}),
        },
        failed: event.outcome === "failure",
      };
    case "license_keys_generated":
      return { message: `license keys generated (${event.count} × ${event.product})`, data: { ...base, product: event.product, count: event.count }, failed: false };
    case "branch_created":
      return { message: "branch created", data: { ...base, branch_id: event.branchId }, failed: false };
    case "session_started":
    case "session_ended":
      return { message: event.kind === "session_started" ? "session started" : "session ended", data: base, failed: false };
    case "audit": {
      const { action, outcome, reason } = event.entry;
      return { message: `${action}${outcome ? ` ${outcome}` : ""}`, data: { ...base, action, ...(outcome ? { outcome } : {}), ...(reason ? { reason } : {}) }, failed: outcome === "failure" };
    }
  }
}

/** Turns a business event into a Sentry breadcrumb (category `monwire.<kind>`). */
export function toBreadcrumb(event: BusinessEvent): SentryBreadcrumb {
  const { message, data, failed } = describe(event);
  return { type: "info", category: `monwire.${event.kind}`, message, level: failed ? "warning" : "info", data, timestamp: event.at.getTime() / 1000 };
}

/**
 * The sink that adds a breadcrumb per track.* call while Sentry is active, so an error later in
 * the same request shows the business steps that led to it. It never fails the business call.
 */
export function createBreadcrumbSink(): BusinessEventSink {
  return {
    name: "sentry-breadcrumbs",
    handle(event) {
      const active = getActiveSentry();
      if (!active) return;
      try {
        active.sdk.addBreadcrumb(toBreadcrumb(event));
      } catch {
        // A breadcrumb is never worth a failed purchase.
      }
    },
  };
}
