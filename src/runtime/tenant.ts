import type { IncomingHttpHeaders } from "node:http";
import { isIP } from "node:net";
import { TENANT_NONE, TENANT_UNKNOWN } from "../metrics/catalog.js";
import type { TenantSource } from "../config/schema.js";

/** The parts of a request tenant resolution reads; an Express request satisfies it. */
export interface TenantRequest {
  headers: IncomingHttpHeaders;
  url?: string;
  originalUrl?: string;
  hostname?: string;
  params?: Record<string, unknown>;
}

/** A host-supplied resolver: returns the tenant id as sent, or undefined when the request has none. */
export type TenantResolverFn = (req: TenantRequest) => string | undefined;

export interface ResolvedTenant {
  /** Bounded label value: a configured tenant, "unknown" or "none". */
  tenant: string;
  /** The value as the request carried it (length-capped), kept for the audit trail. */
  raw?: string;
}

export interface TenantResolution {
  /** Resolves the tenant; `params` overrides req.params (route params captured at dispatch). */
  resolve(req: TenantRequest, params?: Record<string, unknown>): ResolvedTenant;
  /** True when the answer may change once routing has filled in params (param source or custom function). */
  readonly dependsOnParams: boolean;
}

/** Raw tenant values longer than this are cut before they reach the context (and the audit trail). */
const RAW_MAX = 128;

/**
 * Builds the mapping of raw values onto the configured list, once per config rather than per
 * request. Matching ignores case (a subdomain arrives lowercase, the config says "EUR") and always
 * yields the configured spelling, so the label stays bounded; an exact match wins over a case-folded one.
 */
export function createTenantBound(values: readonly string[]): (raw: string | undefined) => ResolvedTenant {
  // Value → the configured string itself: the label is then one string object per tenant, which
  // the metric lookups hash once.
  const exact = new Map(values.map((value) => [value, value]));
  const folded = new Map<string, string>();
  for (const value of values) if (!folded.has(value.toLowerCase())) folded.set(value.toLowerCase(), value);
  // A request usually sends a configured value as configured: one lookup answers it with an
  // answer made once (frozen: every such request shares it), without trimming or allocating.
  const answers = new Map<string, ResolvedTenant>();
  for (const value of values) {
    if (value !== "" && value === value.trim() && value.length <= RAW_MAX) answers.set(value, Object.freeze({ tenant: value, raw: value }));
  }
  return (raw) => {
    if (raw !== undefined) {
      const answer = answers.get(raw);
      if (answer !== undefined) return answer;
    }
    const value = raw?.trim();
    if (!value) return { tenant: TENANT_NONE };
    const kept = value.slice(0, RAW_MAX);
    const tenant = exact.get(kept) ?? folded.get(kept.toLowerCase()) ?? TENANT_UNKNOWN;
    return { tenant, raw: kept };
  };
}

/** Maps one raw value onto the configured list; see createTenantBound, which hot paths build once. */
export function boundTenant(raw: string | undefined, values: readonly string[]): ResolvedTenant {
  return createTenantBound(values)(raw);
}

function firstString(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (Array.isArray(value) && typeof value[0] === "string") return value[0];
  return undefined;
}

/** The leftmost DNS label when the host has one beyond the registrable part ("eur.shop.example" → "eur"). */
export function subdomainOf(req: TenantRequest): string | undefined {
  const host = req.hostname ?? firstString(req.headers.host)?.replace(/:\d+$/, "");
  if (!host || host.startsWith("[") || isIP(host) !== 0) return undefined;
  const labels = host.split(".");
  // "eur.localhost" is the usual development setup, so localhost counts as a registrable domain.
  const minimum = labels[labels.length - 1] === "localhost" ? 2 : 3;
  return labels.length >= minimum ? labels[0] : undefined;
}

function queryValue(req: TenantRequest, name: string): string | undefined {
  const url = req.originalUrl ?? req.url ?? "";
  const index = url.indexOf("?");
  if (index === -1) return undefined;
  return new URLSearchParams(url.slice(index + 1)).get(name) ?? undefined;
}

/** Builds the reader for one config source, decided once at setup rather than per request. */
function readerFor(source: TenantSource): (req: TenantRequest, params?: Record<string, unknown>) => string | undefined {
  if (source === "subdomain") return subdomainOf;
  const colon = source.indexOf(":");
  const kind = source.slice(0, colon);
  const name = source.slice(colon + 1);
  switch (kind) {
    case "header": {
      const header = name.toLowerCase();
      return (req) => firstString(req.headers[header]);
    }
    case "param":
      return (req, params) => firstString((params ?? req.params)?.[name]);
    case "query":
      return (req) => queryValue(req, name);
    default:
      throw new TypeError(`unsupported tenant source "${source}"`);
  }
}

/**
 * Creates the tenant resolution for a config. A custom function wins over `tenants.from`; a
 * resolver that throws yields "unknown" (the request carried something, monwire could not read it).
 */
export function createTenantResolution(
  tenants: { values: readonly string[]; from: TenantSource },
  custom?: TenantResolverFn,
): TenantResolution {
  const bound = createTenantBound(tenants.values);
  if (custom) {
    return {
      dependsOnParams: true,
      resolve(req) {
        try {
          return bound(custom(req));
        } catch {
          return { tenant: TENANT_UNKNOWN };
        }
      },
    };
  }
  const read = readerFor(tenants.from);
  return {
    dependsOnParams: tenants.from.startsWith("param:"),
    resolve: (req, params) => bound(read(req, params)),
  };
}
