import type { IncomingMessage, ServerResponse } from "node:http";

/**
 * Something that wants to see errors passed to Express's `next(err)`: the Sentry integration
 * registers one to capture them. Observers run synchronously inside the error handler and must
 * not throw; a throwing observer is ignored so it can never change the response.
 */
export type ErrorObserver = (error: unknown, req: IncomingMessage, res: ServerResponse) => void;

const observers = new Set<ErrorObserver>();

/**
 * Registers an observer for every monwire error handler in the process (an instrument file runs
 * before the app creates its monitoring, so the list is process-wide). Returns the unregister function.
 */
export function addErrorObserver(observer: ErrorObserver): () => void {
  observers.add(observer);
  return () => observers.delete(observer);
}

/** Marks set on the request by the middleware's per-request state; see middleware.ts. */
export interface ExceptionMark {
  exception: boolean;
  /** Runs before the observers: puts the actor and transaction id on the context for Sentry. */
  errorHook?: ((mark: never) => void) | undefined;
}

export const REQUEST_STATE = Symbol.for("monwire.requestState");

type Next = (error?: unknown) => void;

/**
 * Builds the 4-arity Express error middleware: it marks the request so api_errors_total counts
 * it as `exception` (not only as a 5xx), tells the observers, and passes the error on unchanged so
 * the host's own error handler still writes the response.
 */
export function createErrorHandler(local: readonly ErrorObserver[] = []) {
  return function monwireErrorHandler(error: unknown, req: IncomingMessage, res: ServerResponse, next: Next): void {
    const state = (req as unknown as Record<symbol, ExceptionMark | undefined>)[REQUEST_STATE];
    if (state) {
      state.exception = true;
      try {
        (state.errorHook as ((mark: ExceptionMark) => void) | undefined)?.(state);
      } catch {
        // Context for the report is best effort; the error still goes on.
      }
    }
    for (const observer of [...local, ...observers]) {
      try {
        observer(error, req, res);
      } catch {
        // An observer failing (e.g. Sentry misconfigured) must not turn one error into two.
      }
    }
    next(error);
  };
}
