import type { IncomingMessage, ServerResponse } from "node:http";
import { REQUEST_STATE, type ExceptionMark } from "../error-handler.js";
import { getActiveSentry } from "./sdk.js";

/** Set on a request once monwire captured its error, so two monwire handlers never report it twice. */
const CAPTURED = Symbol.for("monwire.sentryCaptured");
/**
 * SDK 11's Express instrumentation captures errors thrown in route handlers by itself and marks
 * the request with this (internal) property, including when it decided not to report (a 4xx).
 * Honouring it avoids a duplicate event; if a later SDK renames it, Sentry's dedupe integration
 * still drops the second, identical event.
 */
const SDK_HANDLED = "__sentry_express_error_handled__";

function statusOf(error: unknown): number {
  if (typeof error !== "object" || error === null) return 500;
  const e = error as { status?: unknown; statusCode?: unknown; status_code?: unknown };
  const status = Number.parseInt(String(e.status ?? e.statusCode ?? e.status_code ?? ""), 10);
  return Number.isFinite(status) ? status : 500;
}

/**
 * Reports an error that reached an Express error handler, the way the SDK's own handler decides:
 * errors carrying a 4xx status are the client's and are not reported. Tags (tenant, user, …) and
 * the error category are added in beforeSend from the request context. Returns the event id, or
 * undefined when nothing was sent (Sentry off, a 4xx, already reported).
 */
export function captureRequestError(error: unknown, req?: object): string | undefined {
  const active = getActiveSentry();
  if (!active || statusOf(error) < 500) return undefined;
  const marks = req as Record<PropertyKey, unknown> | undefined;
  if (marks && (marks[CAPTURED] || marks[SDK_HANDLED])) return undefined;
  if (marks) Object.defineProperty(marks, CAPTURED, { value: true, configurable: true, enumerable: false });
  // When this handler runs before monitoring.errorHandler, the actor and transaction id still go
  // on the context first (the hook is idempotent).
  const state = marks?.[REQUEST_STATE] as ExceptionMark | undefined;
  try {
    (state?.errorHook as ((mark: ExceptionMark) => void) | undefined)?.(state as ExceptionMark);
  } catch {
    // Context is best effort.
  }
  try {
    return active.sdk.captureException(error, { mechanism: { type: "auto.middleware.monwire", handled: false } });
  } catch {
    // Reporting must never turn one error into two.
    return undefined;
  }
}

type Next = (error?: unknown) => void;

/**
 * Express error middleware (Express 4 and 5) that reports the error to Sentry, then passes it on
 * unchanged so the app's own error handler still writes the response. Mount it after the routes
 * and before your error handler. Harmless when Sentry is off. (`createMonitoring().errorHandler`
 * does the same when Sentry is active; using both reports an error once.)
 */
export function sentryErrorHandler() {
  return function monwireSentryErrorHandler(error: unknown, req: IncomingMessage, _res: ServerResponse, next: Next): void {
    captureRequestError(error, req);
    next(error);
  };
}
