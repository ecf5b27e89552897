import { AsyncResource } from "node:async_hooks";
import { currentTenant, type QueryRecorder } from "./recorder.js";
import { sqlOperation } from "./statement.js";

/**
 * node-postgres (`pg`, and pg-compatible pools such as @neondatabase/serverless): the instances
 * the app created are wrapped, never the module's prototypes, so Sentry's own pg instrumentation
 * (which patches the prototypes) keeps working underneath.
 *
 * A Pool is instrumented through its clients: every new connection it opens (its `connect`
 * event, emitted before the client is handed out) gets a wrapped `query`. That one place sees
 * `pool.query`, clients from `pool.connect()` and ORMs such as drizzle, which call `query` on the
 * pool or on a checked-out client — each query counted once.
 */
export interface PgClientLike {
  query: (...args: unknown[]) => unknown;
}

export interface PgPoolLike extends PgClientLike {
  on(event: "connect", listener: (client: PgClientLike) => void): unknown;
  connect: (...args: unknown[]) => unknown;
  readonly totalCount: number;
  readonly idleCount: number;
  readonly waitingCount: number;
  options?: { max?: number };
}

/** Marks the probe's own query so it is not counted as app traffic. */
const PROBE = Symbol.for("monwire.db.probe");

/** A fresh probe query each time: pg writes the callback onto the config object it is given. */
export function probeQuery(): { text: string } {
  return { text: "SELECT 1", [PROBE]: true } as { text: string };
}

/** Instances already wrapped; a WeakSet rather than a marker property, so pg's objects keep their shape. */
const instrumented = new WeakSet<object>();

export function isPgPool(value: unknown): value is PgPoolLike {
  const v = value as Partial<PgPoolLike> | null;
  return typeof v === "object" && v !== null && typeof v.query === "function" && typeof v.connect === "function" && typeof v.on === "function" && typeof v.totalCount === "number";
}

export function isPgClient(value: unknown): value is PgClientLike {
  const v = value as { query?: unknown; connect?: unknown } | null;
  return typeof v === "object" && v !== null && typeof v.query === "function" && typeof v.connect === "function";
}

/** The SQL text of any of query()'s first-argument forms (string, config object, Submittable). */
function textOf(first: unknown): unknown {
  return typeof first === "string" ? first : (first as { text?: unknown } | null)?.text;
}

/** The timed version of a client's `query` (`original` is the function it calls). */
function createQueryWrapper(original: PgClientLike["query"], recorder: QueryRecorder): PgClientLike["query"] {
  const finish = (operation: ReturnType<typeof sqlOperation>, tenant: string, started: number, error: unknown, text: unknown) => {
    recorder.record(operation, tenant, started, error ?? undefined, text);
  };
  return function monwireQuery(this: unknown, ...args: unknown[]): unknown {
    const first = args[0];
    if (typeof first === "object" && first !== null && (first as { [PROBE]?: true })[PROBE]) return original.apply(this, args);
    const text = textOf(first);
    const operation = sqlOperation(text);
    const tenant = currentTenant();
    const started = performance.now();
    // Submittables (pg-cursor, pg-query-stream) report through their own events.
    if (typeof (first as { submit?: unknown } | null)?.submit === "function") {
      const emitter = first as { once?: (event: string, listener: (error?: unknown) => void) => unknown };
      if (typeof emitter.once === "function") {
        let done = false;
        const end = (error?: unknown) => {
          if (done) return;
          done = true;
          finish(operation, tenant, started, error, text);
        };
        emitter.once("end", () => end());
        emitter.once("error", (error) => end(error ?? new Error("query failed")));
      }
      return original.apply(this, args);
    }
    const last = args.length - 1;
    const callback = args[last];
    if (typeof callback === "function") {
      args[last] = function monwireQueryCallback(this: unknown, error: unknown, ...rest: unknown[]) {
        finish(operation, tenant, started, error ?? undefined, text);
        return (callback as (...a: unknown[]) => unknown).call(this, error, ...rest);
      };
      return original.apply(this, args);
    }
    const result = original.apply(this, args);
    if (result && typeof (result as Promise<unknown>).then === "function") {
      (result as Promise<unknown>).then(
        () => finish(operation, tenant, started, undefined, text),
        (error: unknown) => finish(operation, tenant, started, error ?? new Error("query failed"), text),
      );
    }
    return result;
  };
}

/** Wraps one client's `query`; a client seen before is left alone. */
export function instrumentPgClient(client: PgClientLike, recorder: QueryRecorder): void {
  if (instrumented.has(client)) return;
  instrumented.add(client);
  client.query = createQueryWrapper(client.query, recorder);
}

/**
 * Runs `fn` later in the async context of the caller. AsyncResource.bind() would do, but on Node
 * 20 it builds a deprecation wrapper per call (tens of µs); runInAsyncScope is the same without it.
 */
type Callback = (error: unknown, ...rest: unknown[]) => unknown;

function bindToCaller(fn: Callback): Callback {
  const resource = new AsyncResource("monwire.db.connect");
  return function bound(this: unknown, error: unknown, ...rest: unknown[]) {
    return resource.runInAsyncScope(fn, this, error, ...rest);
  };
}

/** A pool.query() on its way to a client: what to count if no connection can be made for it. */
interface PendingQuery {
  text: unknown;
  tenant: string;
  started: number;
}

/**
 * Instruments every connection the pool opens from now on. `pool.query` and `pool.connect` are
 * wrapped only for what a client cannot see: a pool.query whose connection could not be made
 * (counted as a failed query of its verb), and the async context of a caller that had to wait.
 * pg-pool's query() calls connect() synchronously, which is how the two wrappers pair up without
 * a promise or an AsyncResource per query.
 */
export function instrumentPgPool(pool: PgPoolLike, recorder: QueryRecorder): void {
  if (instrumented.has(pool)) return;
  instrumented.add(pool);
  // pg-pool creates its connections with `new pool.Client(…)`. Given a subclass whose prototype
  // has the timed query, every connection shares one shape: an own `query` property on each pg
  // Client (the fallback below, for pools without a `Client` field) makes pg's hot code see
  // objects of many shapes and costs several µs a query.
  const Base = (pool as { Client?: unknown }).Client;
  if (typeof Base === "function" && typeof (Base.prototype as Partial<PgClientLike>)?.query === "function") {
    const query = createQueryWrapper((Base.prototype as PgClientLike).query, recorder);
    const Instrumented = class MonwireClient extends (Base as new (...args: unknown[]) => object) {};
    Object.defineProperty(Instrumented.prototype, "query", { value: query, writable: true, configurable: true });
    (pool as { Client?: unknown }).Client = Instrumented;
  } else {
    pool.on("connect", (client) => instrumentPgClient(client, recorder));
  }
  let pending: PendingQuery | undefined;
  const query = pool.query;
  pool.query = function monwirePoolQuery(this: unknown, ...args: unknown[]): unknown {
    const first = args[0];
    const probe = typeof first === "object" && first !== null && (first as { [PROBE]?: true })[PROBE];
    pending = probe ? undefined : { text: textOf(first), tenant: currentTenant(), started: performance.now() };
    try {
      return query.apply(this, args);
    } finally {
      pending = undefined;
    }
  };
  const connect = pool.connect;
  pool.connect = function monwireConnect(this: unknown, ...args: unknown[]): unknown {
    const forQuery = pending;
    pending = undefined;
    const last = args.length - 1;
    if (last < 0 || typeof args[last] !== "function") return connect.apply(this, args);
    let callback = args[last] as Callback;
    // pg-pool serves its queue from a release or a pulse that another caller may have triggered
    // (a waiting caller gets the client someone else gave back). Bound, the client.query this
    // callback makes stays in its caller's context, so the tenant is the caller's. Only a caller
    // that finds an idle connection and nobody queued ahead is served by the pulse it schedules
    // itself (process.nextTick, in its own context): there binding is skipped.
    if (pool.idleCount === 0 || pool.waitingCount > 0) callback = bindToCaller(callback);
    if (forQuery) {
      const inner = callback;
      callback = function monwireConnected(this: unknown, error: unknown, ...rest: unknown[]) {
        if (error) recorder.record(sqlOperation(forQuery.text), forQuery.tenant, forQuery.started, error, forQuery.text);
        return inner.call(this, error, ...rest);
      };
    }
    args[last] = callback;
    return connect.apply(this, args);
  };
}

/** Pool figures at scrape time: open connections by state, waiting callers, the maximum. */
export function pgPoolStats(pool: PgPoolLike): { idle: number; inUse: number; pending: number; max?: number } {
  const total = pool.totalCount;
  const idle = pool.idleCount;
  const max = pool.options?.max;
  return { idle, inUse: Math.max(0, total - idle), pending: pool.waitingCount, ...(typeof max === "number" ? { max } : {}) };
}
