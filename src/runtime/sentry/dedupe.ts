import { getRequestContext } from "../context.js";

/**
 * The SDK's Dedupe integration drops an event identical to the one sent just before it, whatever
 * the tenant: the same crash for KM right after EUR vanishes, and one tenant's outage is hidden
 * behind another's. This one remembers the last event per tenant instead, so a repeat within a
 * tenant is still dropped (two handlers reporting one error) while every tenant is reported.
 */
type Json = Record<string, any>;

/** What makes two events "the same crash": message, exception types/values, frames, fingerprint. */
export function eventSignature(event: Json): string | undefined {
  const values: Json[] = Array.isArray(event.exception?.values) ? event.exception.values : [];
  if (values.length === 0 && typeof event.message !== "string") return undefined;
  const frames = (value: Json) =>
    (Array.isArray(value.stacktrace?.frames) ? value.stacktrace.frames : []).map((f: Json) => `${f.filename}:${f.lineno}:${f.colno}:${f.function}`);
  return JSON.stringify([event.message ?? null, values.map((v) => [v.type, v.value, frames(v)]), event.fingerprint ?? null]);
}

/** Tenants tracked at most; beyond it the oldest is forgotten (tenant labels are bounded anyway). */
const MAX_TENANTS = 1000;

/** A Sentry integration (SDK 10 and 11 shape) deduplicating per tenant. */
export function tenantDedupeIntegration() {
  const last = new Map<string, string>();
  return {
    name: "MonwireTenantDedupe",
    processEvent(event: Json): Json | null {
      // Transactions and other typed events are never deduplicated, as in the SDK.
      if (event.type) return event;
      const signature = eventSignature(event);
      if (!signature) return event;
      const tenant = String(event.tags?.tenant ?? getRequestContext()?.tenant ?? "none");
      if (last.get(tenant) === signature) return null;
      last.delete(tenant);
      last.set(tenant, signature);
      if (last.size > MAX_TENANTS) last.delete(last.keys().next().value as string);
      return event;
    },
  };
}

type Integration = { name: string };
type IntegrationsOption = Integration[] | ((defaults: Integration[]) => Integration[]) | undefined;

/**
 * Wraps the integrations option so the SDK's Dedupe is replaced ("tenant"), kept ("global") or
 * removed ("off"), after whatever the app's own `integrations` option did.
 */
export function withDedupe(own: IntegrationsOption, mode: "tenant" | "global" | "off"): IntegrationsOption {
  if (mode === "global") return own;
  return (defaults: Integration[]) => {
    const chosen = typeof own === "function" ? own(defaults) : [...defaults, ...(own ?? [])];
    const rest = chosen.filter((integration) => integration.name !== "Dedupe");
    return mode === "tenant" ? [...rest, tenantDedupeIntegration()] : rest;
  };
}
