import { AsyncLocalStorage } from "node:async_hooks";
import type { AuditActor } from "../audit/entry.js";

/**
 * What monwire knows about the request being handled. The Express middleware opens one per
 * request; the audit writer, the domain helpers and Sentry read it, so business code never has to
 * pass tenant, actor or request id around by hand.
 */
export interface RequestContext {
  requestId: string;
  /** Bounded tenant label value: a configured tenant, "unknown" or "none". */
  tenant: string;
  /** The tenant as sent by the client, kept for audit when it was not a configured one. */
  rawTenant?: string;
  actor?: AuditActor;
  ip?: string;
  userAgent?: string;
  branch?: string;
  txId?: string;
  /** Template of the route being handled (`/api/licenses/:id`), once Express has matched one. */
  route?: string;
  /** The actor's Sentry segment (e.g. "b2b"), from `actor.segment`. */
  segment?: string;
  /** Ancestor branch ids of `branch`, root first, from `actor.branchParents`. */
  branchPath?: string[];
  /**
   * Business events the app tracked itself in this request (`login`, `wallet.deposit`, …): a
   * route rule for the same event stands back, so the event is recorded once.
   */
  explicit?: Set<string>;
  /**
   * Events whose audit entry the app wrote itself in this request (a direct `monitoring.audit.*`
   * call): a route rule for the same event updates its metric but writes no second entry.
   */
  audited?: Set<string>;
}

const storage = new AsyncLocalStorage<RequestContext>();

/** The current request's context, or undefined outside a request. */
export function getRequestContext(): RequestContext | undefined {
  return storage.getStore();
}

/** Runs `fn` with `context` as the current request context (used by the middleware and in jobs). */
export function runWithContext<T>(context: RequestContext, fn: () => T): T {
  return storage.run(context, fn);
}

/**
 * Records who is acting, once the host's auth has identified them; later audit entries and
 * Sentry events in this request carry it. Outside a request it does nothing.
 */
export function setActor(actor: AuditActor): void {
  const context = storage.getStore();
  if (context) context.actor = actor;
}

/** Adds the branch and/or transaction id to the current request's context. */
export function setContextFields(fields: { branch?: string; txId?: string }): void {
  const context = storage.getStore();
  if (!context) return;
  if (fields.branch !== undefined) context.branch = fields.branch;
  if (fields.txId !== undefined) context.txId = fields.txId;
}
