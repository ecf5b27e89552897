import { capTerminal, escapeTerminal } from "../terminal-safe.js";

/**
 * How a tenant from the trail is shown to people. The runtime writes what the client sent when it
 * is not a configured tenant (evidence metrics labels must not keep), so that value is untrusted:
 * it is escaped, cut to RAW_TENANT_SHOWN characters and marked `raw:"…"` so nobody mistakes
 * `EUR\u200b` or a 100-character route parameter for a real tenant. Without a configured tenant
 * list nothing can be called unconfigured: values are then only escaped and capped.
 */
export const RAW_TENANT_SHOWN = 64;

/** Tenant values every trail may hold besides the configured ones. */
const BUILT_IN = ["none", "unknown"];

export type TenantLabel = (tenant: string) => string;

/** Builds the labeller once per rendering; `configured` is tenants.values from mon.config.json. */
export function createTenantLabel(configured: readonly string[] | undefined): TenantLabel {
  const known = configured && configured.length > 0 ? new Set([...configured, ...BUILT_IN]) : undefined;
  return (tenant) => {
    if (!known) return capTerminal(tenant, RAW_TENANT_SHOWN);
    if (known.has(tenant)) return escapeTerminal(tenant);
    return `raw:"${capTerminal(tenant, RAW_TENANT_SHOWN)}"`;
  };
}

/**
 * The warning for --tenant values that cannot match anything real: a tenant outside the configured
 * list that no event in the range carries (a typo, `XYZ` for `KM`). Without a configured list,
 * a value is questioned only when it matched nothing. Undefined when every value is plausible.
 */
export function unknownTenantWarning(requested: readonly string[], configured: readonly string[] | undefined, seen?: ReadonlySet<string>): string | undefined {
  const known = new Set([...(configured ?? []), ...BUILT_IN]);
  const suspicious = requested.filter((t) => !(seen?.has(t)) && (configured?.length ? !known.has(t) : seen !== undefined));
  if (suspicious.length === 0) return undefined;
  const names = suspicious.map((t) => JSON.stringify(capTerminal(t, RAW_TENANT_SHOWN))).join(", ");
  const plural = suspicious.length === 1 ? "tenant" : "tenants";
  if (configured?.length) return `${plural} ${names} ${suspicious.length === 1 ? "is" : "are"} not in tenants.values (${configured.map((t) => escapeTerminal(t)).join(", ")})${seen ? " and matched no events" : ""}`;
  return `${plural} ${names} matched no events (no tenants.values in mon.config.json to check against)`;
}
