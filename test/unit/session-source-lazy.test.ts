import { beforeEach, describe, expect, it } from "vitest";
import { getMetrics, resetMetrics, type MonwireMetrics } from "../../src/runtime/metrics.js";
import { createSessionStoreCollector } from "../../src/runtime/session-store.js";

/**
 * The function form of sessionSource that `mon init` writes: called at each scrape, it answers
 * (possibly async, as a lazy import does) the app's store, its Map of sessions, or a count.
 */
async function sessions(metrics: MonwireMetrics): Promise<Record<string, number>> {
  const data = await metrics.families.get("active_user_sessions" as never)?.get();
  return Object.fromEntries((data?.values ?? []).map((v) => [v.labels.tenant, v.value]));
}

/** express-session's MemoryStore keeps JSON strings and answers all() with parsed sessions by id. */
class MemoryStoreLike {
  readonly sessions: Record<string, string> = {};
  all(callback: (error: unknown, sessions?: Record<string, unknown>) => void): void {
    setImmediate(() => callback(null, Object.fromEntries(Object.entries(this.sessions).map(([id, s]) => [id, JSON.parse(s)]))));
  }
}

describe("a lazy session source (a function answering a store, a Map or a count)", () => {
  let metrics: MonwireMetrics;
  let warnings: string[];
  beforeEach(() => {
    resetMetrics();
    metrics = getMetrics();
    warnings = [];
  });
  const options = (source: Parameters<typeof createSessionStoreCollector>[0]["source"], tenantField = "shop") =>
    ({ metrics, source, tenantField, tenants: ["EUR", "KM"], timeoutMs: 100, warn: (line: string) => void warnings.push(line) });

  it("reads the Map a lazy import resolves to at each scrape, per tenant, down to 0 after logouts", async () => {
    const map = new Map<string, { userId: string; shop: string }>();
    const collect = createSessionStoreCollector(options(() => Promise.resolve({ sessions: map }).then((m) => m.sessions)));
    map.set("t1", { userId: "u-alice", shop: "EUR" }).set("t2", { userId: "u-bob", shop: "KM" }).set("t3", { userId: "u-root", shop: "EUR" });
    await collect();
    expect(await sessions(metrics)).toEqual({ EUR: 2, KM: 1 });
    map.delete("t1");
    map.delete("t2");
    await collect();
    expect(await sessions(metrics)).toEqual({ EUR: 1, KM: 0 });
    expect(warnings).toEqual([]);
  });

  it("reads an express-session store a function answers, by a nested tenant path", async () => {
    const store = new MemoryStoreLike();
    store.sessions.a = JSON.stringify({ cookie: {}, user: { id: "u-1", shop: "KM" } });
    store.sessions.b = JSON.stringify({ cookie: {}, user: { id: "u-2", shop: "KM" } });
    store.sessions.c = JSON.stringify({ cookie: {} });
    await createSessionStoreCollector(options(async () => store, "user.shop"))();
    expect(await sessions(metrics)).toEqual({ KM: 2, none: 1 });
  });

  it("still takes a count, in total or per tenant, from the function", async () => {
    await createSessionStoreCollector({ ...options(() => 4), tenants: ["EUR"] })();
    expect(await sessions(metrics)).toEqual({ EUR: 4 });
    await createSessionStoreCollector(options(async () => ({ KM: 2, XX: 1 })))();
    expect(await sessions(metrics)).toEqual({ EUR: 4, KM: 2, unknown: 1 });
  });

  it("keeps the last value and warns once when the import fails, never failing the scrape", async () => {
    const map = new Map([["t1", { shop: "EUR" }]]);
    let broken = false;
    const collect = createSessionStoreCollector(options(() => (broken ? Promise.reject(new Error("Cannot find module '../routes.js'\n")) : Promise.resolve(map))));
    await collect();
    broken = true;
    map.clear();
    await collect();
    await collect();
    expect(await sessions(metrics)).toEqual({ EUR: 1 });
    expect(warnings).toEqual(["monwire: the sessionSource function failed: Cannot find module '../routes.js'\\x0a; active_user_sessions keeps its last value (docs/tracking.md, Sessions)"]);
  });

  it("names an answer that is no store (a renamed export) once, and sets nothing", async () => {
    const collect = createSessionStoreCollector(options(() => Promise.resolve({ sessions: new Map() }).then((m) => (m as Record<string, unknown>).sesions as never)));
    await collect();
    await collect();
    expect(await sessions(metrics)).toEqual({});
    expect(warnings).toEqual(["monwire: the sessionSource function answered undefined, not a session store, a Map or a count (was the export renamed?); active_user_sessions keeps its last value (docs/tracking.md, Sessions)"]);
  });

  it("bounds a store that never answers by the timeout, keeping the last value", async () => {
    let hang = false;
    const store = { all: (cb: (e: unknown, s?: unknown) => void) => (hang ? undefined : cb(null, [{ shop: "KM" }])) };
    const collect = createSessionStoreCollector(options(async () => store));
    await collect();
    hang = true;
    const started = Date.now();
    await collect();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(await sessions(metrics)).toEqual({ KM: 1 });
    expect(warnings).toEqual(["monwire: the session source answered nothing within 100 ms; active_user_sessions keeps its last value (docs/tracking.md, Sessions)"]);
  });
});
