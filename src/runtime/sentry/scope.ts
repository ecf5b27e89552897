import type { RequestObserver } from "../request-observers.js";
import type { SentrySdk } from "./sdk.js";

/**
 * Puts the tenant, the request id and the route on the SDK's per-request (isolation) scope, so
 * everything the SDK sends for the request carries them: error events get them as tags in
 * beforeSend anyway, but traces only see the scope. SDK 10 copies scope tags onto transactions;
 * SDK 11 streams spans and copies scope *attributes* onto each of them, hence both.
 */
export function createScopeObserver(sdk: SentrySdk): RequestObserver {
  return (context, phase) => {
    const scope = sdk.getIsolationScope?.();
    if (!scope) return;
    scope.setTag("tenant", context.tenant);
    scope.setAttribute?.("tenant", context.tenant);
    if (phase === "start") {
      scope.setTag("request_id", context.requestId);
      scope.setAttribute?.("request_id", context.requestId);
      return;
    }
    if (context.route) scope.setTag("route", context.route);
  };
}
