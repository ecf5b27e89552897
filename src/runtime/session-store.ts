import { TENANT_NONE, TENANT_UNKNOWN } from "../metrics/catalog.js";
import type { MonwireMetrics } from "./metrics.js";

/** An express-session store (its `all`, else `length`) or a Map of sessions. */
export type SessionStoreLike =
  | { all: (callback: (error: unknown, sessions?: unknown) => void) => void }
  | { length: (callback: (error: unknown, length?: number) => void) => void }
  | ReadonlyMap<unknown, unknown>;

/** A count of sessions: in total, or per tenant (`{ EUR: 3, KM: 1 }`). */
export type SessionCount = number | Record<string, number>;

/**
 * What createMonitoring({ sessionSource }) accepts: a store or Map, or a function called at each
 * scrape that answers (possibly async) a store, a Map or a count. The function form lets the
 * monitoring file reach the app's store lazily (`() => import("../routes.js").then((m) => m.sessions)`),
 * so it never imports the app's modules while they are still loading.
 */
export type SessionSource = SessionStoreLike | (() => SessionStoreLike | SessionCount | Promise<SessionStoreLike | SessionCount>);

export interface SessionStoreOptions {
  metrics: MonwireMetrics;
  source: SessionSource;
  /** Path in a stored session that holds its tenant ("tenant", "user.shop", …). */
  tenantField: string;
  tenants: readonly string[];
  timeoutMs: number;
  /** Where a failing source is reported, once per kind of failure. */
  warn?: (line: string) => void;
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

const isStore = (value: unknown): value is SessionStoreLike =>
  value instanceof Map || (typeof value === "object" && value !== null && (typeof (value as { all?: unknown }).all === "function" || typeof (value as { length?: unknown }).length === "function"));

const isCount = (value: unknown): value is SessionCount =>
  typeof value === "number" || (typeof value === "object" && value !== null && Object.values(value).every((n) => typeof n === "number"));

/** Why a scrape could not read the source; the kinds are reported once each. */
class SourceProblem extends Error {
  constructor(readonly kind: "failed" | "shape" | "timeout", message: string) {
    super(message);
  }
}

const shapeOf = (value: unknown): string => (value === null ? "null" : Array.isArray(value) ? "an array" : typeof value === "object" ? "an object without all() or length()" : typeof value);
const escapeControl = (text: string): string => text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);

/**
 * Builds the scrape-time collector: it asks the store (bounded by a timeout) and sets
 * active_user_sessions per tenant, with 0 for a tenant that had sessions before and has none now.
 * A source that fails, hangs or answers something that is neither a store, a Map nor a count
 * leaves the last values in place (nothing before the first good read) and is reported once per
 * kind of problem; the scrape itself never fails.
 */
export function createSessionStoreCollector(options: SessionStoreOptions): () => Promise<void> {
  const { metrics, source, tenants } = options;
  const configured = new Set(tenants);
  const fieldPath = options.tenantField.split(".");
  const fallback = tenants.length === 1 ? (tenants[0] as string) : TENANT_NONE;
  const reported = new Set<string>();
  const reportedProblems = new Set<SourceProblem["kind"]>();

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

  const readStore = async (store: SessionStoreLike): Promise<Map<string, number>> => {
    if (store instanceof Map) return group(store.values());
    if ("all" in store && typeof store.all === "function") {
      const all = await fromCallback<unknown>((cb) => store.all(cb));
      return group(Array.isArray(all) ? all : Object.values((all ?? {}) as Record<string, unknown>));
    }
    const length = await fromCallback<number>((cb) => (store as { length: (cb: (e: unknown, n?: number) => void) => void }).length(cb));
    return new Map([[fallback, length ?? 0]]);
  };
  const fromCount = (count: SessionCount): Map<string, number> => {
    if (typeof count === "number") return new Map([[fallback, count]]);
    return new Map(Object.entries(count).map(([tenant, n]) => [configured.has(tenant) || tenant === TENANT_NONE ? tenant : TENANT_UNKNOWN, n]));
  };

  const read = async (): Promise<Map<string, number>> => {
    let answer: unknown = source;
    if (typeof source === "function") {
      try {
        answer = await source();
      } catch (error) {
        throw new SourceProblem("failed", `the sessionSource function failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    if (isStore(answer)) {
      try {
        return await readStore(answer);
      } catch (error) {
        throw new SourceProblem("failed", `the session store failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    if (isCount(answer)) return fromCount(answer);
    throw new SourceProblem("shape", `the sessionSource function answered ${shapeOf(answer)}, not a session store, a Map or a count (was the export renamed?)`);
  };

  const report = (problem: unknown): void => {
    const known = problem instanceof SourceProblem ? problem : new SourceProblem("failed", String(problem));
    if (reportedProblems.has(known.kind)) return;
    reportedProblems.add(known.kind);
    const warn = options.warn ?? ((line: string) => void process.stderr.write(`${line}\n`));
    warn(`monwire: ${escapeControl(known.message.slice(0, 300))}; active_user_sessions keeps its last value (docs/tracking.md, Sessions)`);
  };

  return async () => {
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<undefined>((resolve) => {
        timer = setTimeout(() => resolve(undefined), options.timeoutMs);
      });
      const counts = await Promise.race([read(), timeout]);
      if (!counts) throw new SourceProblem("timeout", `the session source answered nothing within ${options.timeoutMs} ms`);
      for (const tenant of reported) if (!counts.has(tenant)) metrics.activeSessions.set({ tenant }, 0);
      for (const [tenant, n] of counts) {
        if (!Number.isFinite(n)) continue;
        metrics.activeSessions.set({ tenant }, Math.max(0, Math.floor(n)));
        reported.add(tenant);
      }
    } catch (problem) {
      // A failing store keeps the last value; the scrape itself must not fail.
      report(problem);
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
