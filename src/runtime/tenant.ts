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
 * Maps a raw value onto the configured list. Matching ignores case (a subdomain arrives lowercase,
 * the config says "EUR") and always yields the configured spelling, so the label stays bounded.
 */
export function boundTenant(raw: string | undefined, values: readonly string[]): ResolvedTenant {
  if (raw === undefined || raw.trim() === "") return { tenant: TENANT_NONE };
  const value = raw.trim().slice(0, RAW_MAX);
  const exact = values.find((v) => v === value) ?? values.find((v) => v.toLowerCase() === value.toLowerCase());
  return { tenant: exact ?? TENANT_UNKNOWN, raw: value };
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
  const values = [...tenants.values];
  if (custom) {
    return {
      dependsOnParams: true,
      resolve(req) {
        try {
          return boundTenant(custom(req), values);
        } catch {
          return { tenant: TENANT_UNKNOWN };
        }
      },
    };
  }
  const read = readerFor(tenants.from);
  return {
    dependsOnParams: tenants.from.startsWith("param:"),
    resolve: (req, params) => boundTenant(read(req, params), values),
  };
}
