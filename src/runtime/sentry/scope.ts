import type { RequestObserver } from "../request-observers.js";
import type { SentrySdk } from "./sdk.js";
import { contextUser } from "./tags.js";

/**
 * Puts the tenant, the request id and the route on the SDK's per-request (isolation) scope, so
 * everything the SDK sends for the request carries them: error events get them as tags in
 * beforeSend anyway, but traces only see the scope. SDK 10 copies scope tags onto transactions;
 * SDK 11 streams spans and copies scope *attributes* onto each of them, hence both. Once the
 * request's user is known, it becomes the scope's user: SDK 10 puts it on the transaction event,
 * SDK 11 on the segment span (`user.id`).
 */
export function createScopeObserver(sdk: SentrySdk): RequestObserver {
  // The SDK forks an isolation scope per request only when its HTTP instrumentation is active;
  // otherwise every request sees the same (global) scope, and a user put there would follow the
  // next requests. A scope seen at the start of two requests is shared: it never gets a user, and
  // one this observer set is taken back.
  const started = new WeakSet<object>();
  const shared = new WeakSet<object>();
  const withUser = new WeakSet<object>();
  return (context, phase) => {
    const scope = sdk.getIsolationScope?.();
    if (!scope) return;
    if (phase === "start") {
      if (!started.has(scope)) started.add(scope);
      else if (!shared.has(scope)) {
        shared.add(scope);
        if (withUser.has(scope)) scope.setUser?.(null);
      }
    }
    scope.setTag("tenant", context.tenant);
    scope.setAttribute?.("tenant", context.tenant);
    if (phase === "actor") {
      // Ids only (contextUser); the app's own Sentry.setUser is left alone.
      if (shared.has(scope) || !started.has(scope)) return;
      const user = contextUser(context);
      if (user && scope.setUser && !scope.getUser?.()?.id) {
        scope.setUser(user);
        withUser.add(scope);
      }
      return;
    }
    if (phase === "start") {
      scope.setTag("request_id", context.requestId);
      scope.setAttribute?.("request_id", context.requestId);
      return;
    }
    if (context.route) scope.setTag("route", context.route);
  };
}
