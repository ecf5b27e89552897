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
