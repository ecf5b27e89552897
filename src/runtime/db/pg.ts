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

/** Calls `fn` with the first `count` of a, b, c (the caller's own argument count), else `all`. */
function forward(fn: (...args: unknown[]) => unknown, self: unknown, count: number, a: unknown, b: unknown, c: unknown, all: IArguments): unknown {
  // Fixed arities instead of `...args`: no array per call on the hot path, and the callee sees
  // exactly the arguments the caller passed (pg tells `query(text, callback)` from
  // `query(text, values)` by position and type).
  if (count === 1) return fn.call(self, a);
  if (count === 2) return fn.call(self, a, b);
  if (count === 3) return fn.call(self, a, b, c);
  return fn.apply(self, all as unknown as unknown[]);
}

/**
 * The timed version of a client's `query` (`original` is the function it calls). Per query: the
 * verb from the bounded cache, one context read, two performance.now() and, for callback calls,
 * one closure around the caller's callback; promise calls get one `then`.
 */
function createQueryWrapper(original: PgClientLike["query"], recorder: QueryRecorder): PgClientLike["query"] {
  return function monwireQuery(this: unknown, a?: unknown, b?: unknown, c?: unknown): unknown {
    const count = arguments.length;
    if (typeof a === "object" && a !== null) {
      if ((a as { [PROBE]?: true })[PROBE]) return forward(original, this, count, a, b, c, arguments);
      // Submittables (pg-cursor, pg-query-stream) report through their own events.
      if (typeof (a as { submit?: unknown }).submit === "function") return submitTimed(original, this, count, a, b, c, arguments, recorder);
    }
    const text = typeof a === "string" ? a : (a as { text?: unknown } | null | undefined)?.text;
    const operation = sqlOperation(text);
    const tenant = currentTenant();
    const started = performance.now();
    const last = count === 3 ? c : count === 2 ? b : count === 1 ? a : arguments[count - 1];
    if (typeof last === "function") {
      const callback = last as Callback;
      const timed = function monwireQueryCallback(this: unknown, error: unknown, result?: unknown): unknown {
        recorder.record(operation, tenant, started, error ?? undefined, text);
        // pg calls back with (error) or (null, result); anything else is passed on as it came.
        if (arguments.length === 1) return callback.call(this, error);
        if (arguments.length === 2) return callback.call(this, error, result);
        return callback.apply(this, arguments as unknown as [unknown, ...unknown[]]);
      };
      if (count === 3) return original.call(this, a, b, timed);
      if (count === 2) return original.call(this, a, timed);
      const args = Array.prototype.slice.call(arguments) as unknown[];
      args[count - 1] = timed;
      return original.apply(this, args);
    }
    const result = forward(original, this, count, a, b, c, arguments);
    if (result && typeof (result as Promise<unknown>).then === "function") {
      (result as Promise<unknown>).then(
        () => recorder.record(operation, tenant, started, undefined, text),
        (error: unknown) => recorder.record(operation, tenant, started, error ?? new Error("query failed"), text),
      );
    }
    return result;
  };
}

/** A Submittable's query: timed from submission to its `end` or `error` event. */
function submitTimed(original: PgClientLike["query"], self: unknown, count: number, a: object, b: unknown, c: unknown, all: IArguments, recorder: QueryRecorder): unknown {
  const text = (a as { text?: unknown }).text;
  const operation = sqlOperation(text);
  const tenant = currentTenant();
  const started = performance.now();
  const emitter = a as { once?: (event: string, listener: (error?: unknown) => void) => unknown };
  if (typeof emitter.once === "function") {
    let done = false;
    const end = (error?: unknown) => {
      if (done) return;
      done = true;
      recorder.record(operation, tenant, started, error, text);
    };
    emitter.once("end", () => end());
    emitter.once("error", (error) => end(error ?? new Error("query failed")));
  }
  return forward(original, self, count, a, b, c, all);
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

/**
 * Instruments every connection the pool opens from now on. `pool.query` and `pool.connect` are
 * wrapped only for what a client cannot see: a pool.query whose connection could not be made
 * (counted as a failed query of its verb), and the async context of a caller that had to wait.
 * pg-pool's query() calls connect() synchronously, which is how the two wrappers pair up without
 * a promise or an AsyncResource per query: pool.query leaves its text and start time in two
 * variables that the connect() it triggers takes at once.
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
  let pendingText: unknown;
  let pendingStarted = -1;
  const query = pool.query;
  pool.query = function monwirePoolQuery(this: unknown, a?: unknown, b?: unknown, c?: unknown): unknown {
    const probe = typeof a === "object" && a !== null && (a as { [PROBE]?: true })[PROBE];
    if (!probe) {
      pendingText = typeof a === "string" ? a : (a as { text?: unknown } | null | undefined)?.text;
      pendingStarted = performance.now();
    }
    try {
      return forward(query, this, arguments.length, a, b, c, arguments);
    } finally {
      pendingStarted = -1;
      pendingText = undefined;
    }
  };
  const connect = pool.connect;
  pool.connect = function monwireConnect(this: unknown): unknown {
    const started = pendingStarted;
    const text = pendingText;
    pendingStarted = -1;
    pendingText = undefined;
    const count = arguments.length;
    const last = count === 0 ? undefined : arguments[count - 1];
    if (typeof last !== "function") return connect.apply(this, arguments as unknown as unknown[]);
    let callback = last as Callback;
    if (started >= 0) {
      const inner = callback;
      // Runs in the caller's context (bound below whenever a connection has to be made), so the
      // tenant is read only when there is a failure to count.
      callback = function monwireConnected(this: unknown, error: unknown, client?: unknown, release?: unknown) {
        if (error) recorder.record(sqlOperation(text), currentTenant(), started, error, text);
        if (arguments.length === 3) return inner.call(this, error, client, release);
        return inner.apply(this, arguments as unknown as [unknown, ...unknown[]]);
      };
    }
    // pg-pool serves its queue from a release or a pulse that another caller may have triggered
    // (a waiting caller gets the client someone else gave back). Bound, the client.query this
    // callback makes stays in its caller's context, so the tenant is the caller's. Only a caller
    // that finds an idle connection and nobody queued ahead is served by the pulse it schedules
    // itself (process.nextTick, in its own context): there binding is skipped.
    if (pool.idleCount === 0 || pool.waitingCount > 0) callback = bindToCaller(callback);
    if (count === 1) return connect.call(this, callback);
    const args = Array.prototype.slice.call(arguments) as unknown[];
    args[count - 1] = callback;
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
