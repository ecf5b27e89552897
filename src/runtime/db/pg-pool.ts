import { AsyncResource } from "node:async_hooks";
import { call3, createQueryWrapper, instrumented, instrumentPgClient, PROBE, type Callback, type PgClientLike, type PgPoolLike } from "./pg.js";
import { currentTenant, now, type QueryRecorder } from "./recorder.js";
import { sqlOperation } from "./statement.js";

/*
 * A pg Pool (pg-pool, and pools built on it such as @neondatabase/serverless'): its connections
 * get the timed query of ./pg.ts; pool.query and pool.connect are wrapped only for what a client
 * cannot see.
 */

/**
 * Runs `fn` later in the async context of the caller. AsyncResource.bind() would do, but on Node
 * 20 it builds a deprecation wrapper per call (tens of µs); runInAsyncScope is the same without it.
 */
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
    const count = arguments.length;
    if (count > 3) {
      const args: unknown[] = [];
      for (let i = 0; i < count; i += 1) args.push(arguments[i]);
      return poolQueryApply(this, args);
    }
    // An idle connection, nobody queued ahead and the pool not ending: pg-pool hands this query
    // that connection on the next tick, so its connect() cannot fail and there is nothing to
    // count here (the client's wrapper times the query itself). The common case costs two reads.
    if (pool.idleCount > 0 && pool.waitingCount === 0 && pool.ending !== true) return call3(query, this, count, a, b, c);
    if (!(typeof a === "object" && a !== null && (a as { [PROBE]?: true })[PROBE])) {
      pendingText = typeof a === "string" ? a : (a as { text?: unknown } | null | undefined)?.text;
      pendingStarted = now();
    }
    try {
      return call3(query, this, count, a, b, c);
    } finally {
      pendingStarted = -1;
      pendingText = undefined;
    }
  };
  /** monwirePoolQuery for more than three arguments (which pg-pool ignores): the slow path, on an array. */
  const poolQueryApply = (self: unknown, args: unknown[]): unknown => {
    const a = args[0];
    if (!(typeof a === "object" && a !== null && (a as { [PROBE]?: true })[PROBE])) {
      pendingText = typeof a === "string" ? a : (a as { text?: unknown } | null | undefined)?.text;
      pendingStarted = now();
    }
    try {
      return query.apply(self, args);
    } finally {
      pendingStarted = -1;
      pendingText = undefined;
    }
  };
  /** The connect() callback: a failed connection of a pool.query counted, a waiting caller's context kept. */
  const connected = (last: Callback, started: number, text: unknown): Callback => {
    let callback = last;
    if (started >= 0) {
      const inner = last;
      // Runs in the caller's context (bound below whenever a connection has to be made), so the
      // tenant is read only when there is a failure to count.
      callback = function monwireConnected(this: unknown, error: unknown, client?: unknown, release?: unknown) {
        if (error) recorder.record(sqlOperation(text), currentTenant(), started, error, text);
        const count = arguments.length;
        if (count === 3) return inner.call(this, error, client, release);
        const args: unknown[] = [];
        for (let i = 0; i < count; i += 1) args.push(arguments[i]);
        return inner.apply(this, args as [unknown, ...unknown[]]);
      };
    }
    // pg-pool serves its queue from a release or a pulse that another caller may have triggered
    // (a waiting caller gets the client someone else gave back). Bound, the client.query this
    // callback makes stays in its caller's context, so the tenant is the caller's. Only a caller
    // that finds an idle connection and nobody queued ahead is served by the pulse it schedules
    // itself (process.nextTick, in its own context): there binding is skipped.
    if (pool.idleCount === 0 || pool.waitingCount > 0) callback = bindToCaller(callback);
    return callback;
  };
  const connect = pool.connect;
  pool.connect = function monwireConnect(this: unknown, a?: unknown): unknown {
    const started = pendingStarted;
    const text = pendingText;
    pendingStarted = -1;
    pendingText = undefined;
    const count = arguments.length;
    if (count === 1) return connect.call(this, typeof a === "function" ? connected(a as Callback, started, text) : a);
    const args: unknown[] = [];
    for (let i = 0; i < count; i += 1) args.push(arguments[i]);
    const last = args[count - 1];
    if (typeof last === "function") args[count - 1] = connected(last as Callback, started, text);
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
