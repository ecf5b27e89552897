import { TENANT_NONE, TENANT_UNKNOWN } from "../metrics/catalog.js";
import type { MonwireMetrics } from "./metrics.js";

/**
 * What createMonitoring({ sessionSource }) accepts: an express-session store (its `all` or
 * `length`), a Map of sessions, or a function answering a count (per tenant or in total).
 */
export type SessionSource =
  | { all: (callback: (error: unknown, sessions?: unknown) => void) => void }
  | { length: (callback: (error: unknown, length?: number) => void) => void }
  | ReadonlyMap<unknown, unknown>
  | (() => number | Record<string, number> | Promise<number | Record<string, number>>);

export interface SessionStoreOptions {
  metrics: MonwireMetrics;
  source: SessionSource;
  /** Path in a stored session that holds its tenant ("tenant", "user.shop", …). */
  tenantField: string;
  tenants: readonly string[];
  timeoutMs: number;
}

function fromCallback<T>(call: (cb: (error: unknown, value?: T) => void) => void): Promise<T | undefined> {
  return new Promise((resolve, reject) => call((error, value) => (error ? reject(error) : resolve(value))));
}

/** Reports a session source's wrong shape when monitoring is built, not at the first scrape. */
export function isSessionSource(value: unknown): value is SessionSource {
  if (typeof value === "function" || value instanceof Map) return true;
  const store = value as { all?: unknown; length?: unknown } | null;
  return typeof store === "object" && store !== null && (typeof store.all === "function" || typeof store.length === "function");
}

/**
 * Builds the scrape-time collector: it asks the store (bounded by a timeout; a store that fails
 * or hangs leaves the last value in place) and sets active_user_sessions per tenant, with 0 for a
 * tenant that had sessions before and has none now.
 */
export function createSessionStoreCollector(options: SessionStoreOptions): () => Promise<void> {
  const { metrics, source, tenants } = options;
  const configured = new Set(tenants);
  const fieldPath = options.tenantField.split(".");
  const fallback = tenants.length === 1 ? (tenants[0] as string) : TENANT_NONE;
  const reported = new Set<string>();

  const tenantOf = (session: unknown): string => {
    let value: unknown = typeof session === "string" ? safeParse(session) : session;
    for (const part of fieldPath) value = typeof value === "object" && value !== null ? (value as Record<string, unknown>)[part] : undefined;
    if (typeof value !== "string" || value === "") return fallback;
    return configured.has(value) ? value : TENANT_UNKNOWN;
  };
  const group = (sessions: Iterable<unknown>): Map<string, number> => {
    const counts = new Map<string, number>();
    for (const session of sessions) {
      const tenant = tenantOf(session);
      counts.set(tenant, (counts.get(tenant) ?? 0) + 1);
    }
    return counts;
  };

  const read = async (): Promise<Map<string, number>> => {
    if (source instanceof Map) return group(source.values());
    if (typeof source === "function") {
      const answer = await source();
      if (typeof answer === "number") return new Map([[fallback, answer]]);
      return new Map(Object.entries(answer ?? {}).map(([tenant, n]) => [configured.has(tenant) || tenant === TENANT_NONE ? tenant : TENANT_UNKNOWN, n]));
    }
    if ("all" in source && typeof source.all === "function") {
      const all = await fromCallback<unknown>((cb) => source.all(cb));
      return group(Array.isArray(all) ? all : Object.values((all ?? {}) as Record<string, unknown>));
    }
    const length = await fromCallback<number>((cb) => (source as { length: (cb: (e: unknown, n?: number) => void) => void }).length(cb));
    return new Map([[fallback, length ?? 0]]);
  };

  return async () => {
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<undefined>((resolve) => {
        timer = setTimeout(() => resolve(undefined), options.timeoutMs);
      });
      const counts = await Promise.race([read(), timeout]);
      if (!counts) return;
      for (const tenant of reported) if (!counts.has(tenant)) metrics.activeSessions.set({ tenant }, 0);
      for (const [tenant, n] of counts) {
        if (!Number.isFinite(n)) continue;
        metrics.activeSessions.set({ tenant }, Math.max(0, Math.floor(n)));
        reported.add(tenant);
      }
    } catch {
      // A failing store keeps the last value; the scrape itself must not fail.
    } finally {
      clearTimeout(timer);
    }
  };
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
