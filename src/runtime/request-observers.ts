import type { RequestContext } from "./context.js";

/**
 * Something that wants to know about each monitored request while it is being handled: the
 * Sentry integration registers one to put the tenant and route on the SDK's per-request scope, so
 * traces carry them too. Observers run inside the request's async context, when the middleware
 * opened the context and again once Express matched a route; they must be cheap and never throw
 * (a throwing one is ignored: monitoring never breaks a request).
 */
export type RequestObserver = (context: RequestContext, phase: RequestPhase) => void;

/**
 * "start": the context is open; "route": Express matched a route; "actor": the request's user was
 * found (at route dispatch, still inside the request's async context) and is on `context.actor`.
 */
export type RequestPhase = "start" | "route" | "actor";

const observers: RequestObserver[] = [];

/** Whether anything listens (the Sentry integration): work done only for observers is skipped otherwise. */
export function hasRequestObservers(): boolean {
  return observers.length > 0;
}

/** Registers an observer for every monwire middleware in the process. Returns the unregister function. */
export function addRequestObserver(observer: RequestObserver): () => void {
  observers.push(observer);
  return () => {
    const index = observers.indexOf(observer);
    if (index !== -1) observers.splice(index, 1);
  };
}

/** Tells the observers; a no-op loop when there are none (the common case without Sentry). */
export function notifyRequestObservers(context: RequestContext, phase: RequestPhase): void {
  for (let i = 0; i < observers.length; i++) {
    try {
      observers[i]!(context, phase);
    } catch {
      // An observer failing must not fail the request.
    }
  }
}
