import { currentTenant, now, type QueryRecorder } from "./recorder.js";
import { sqlOperation, type DbOperation } from "./statement.js";

/**
 * node-postgres (`pg`, and pg-compatible pools such as @neondatabase/serverless): the instances
 * the app created are wrapped, never the module's prototypes, so Sentry's own pg instrumentation
 * (which patches the prototypes) keeps working underneath.
 *
 * A Pool (./pg-pool.ts) is instrumented through its clients: every new connection it opens (its `connect`
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
  /** pg-pool sets it once end() was called; connect() then fails. */
  readonly ending?: boolean;
  options?: { max?: number };
}

/** Marks the probe's own query so it is not counted as app traffic. */
export const PROBE = Symbol.for("monwire.db.probe");

/** A fresh probe query each time: pg writes the callback onto the config object it is given. */
export function probeQuery(): { text: string } {
  return { text: "SELECT 1", [PROBE]: true } as { text: string };
}

/** Instances already wrapped; a WeakSet rather than a marker property, so pg's objects keep their shape. */
export const instrumented = new WeakSet<object>();

export function isPgPool(value: unknown): value is PgPoolLike {
  const v = value as Partial<PgPoolLike> | null;
  return typeof v === "object" && v !== null && typeof v.query === "function" && typeof v.connect === "function" && typeof v.on === "function" && typeof v.totalCount === "number";
}

export function isPgClient(value: unknown): value is PgClientLike {
  const v = value as { query?: unknown; connect?: unknown } | null;
  return typeof v === "object" && v !== null && typeof v.query === "function" && typeof v.connect === "function";
}

/** Calls `fn` with the first `count` (0–3) of a, b, c: exactly the caller's own arguments. */
export function call3(fn: (...args: unknown[]) => unknown, self: unknown, count: number, a: unknown, b: unknown, c: unknown): unknown {
  if (count === 1) return fn.call(self, a);
  if (count === 2) return fn.call(self, a, b);
  if (count === 3) return fn.call(self, a, b, c);
  return fn.call(self);
}

/*
 * The wrappers below take up to three named arguments and read `arguments` only for its length
 * and by index: once `arguments` itself is passed on, V8 allocates it on every call. pg tells
 * `query(text, callback)` from `query(text, values)` by position and type, so the callee gets
 * exactly the arguments the caller passed; more than three (which pg ignores) go through an
 * array copied element by element.
 */

/**
 * The timed version of a client's `query` (`original` is the function it calls). Per query: the
 * verb from the bounded cache, one context read, two clock reads and, for callback calls (a trailing
 * function or a config object's own `callback`), one closure around the caller's callback; promise
 * calls get one `then`.
 */
export function createQueryWrapper(original: PgClientLike["query"], recorder: QueryRecorder): PgClientLike["query"] {
  return function monwireQuery(this: unknown, a?: unknown, b?: unknown, c?: unknown): unknown {
    const count = arguments.length;
    if (count > 3) {
      const args: unknown[] = [];
      for (let i = 0; i < count; i += 1) args.push(arguments[i]);
      return queryApply(original, recorder, this, args);
    }
    if (typeof a === "object" && a !== null) {
      if ((a as { [PROBE]?: true })[PROBE]) return call3(original, this, count, a, b, c);
      // Submittables (pg-cursor, pg-query-stream) report through their own events.
      if (typeof (a as { submit?: unknown }).submit === "function") {
        watchSubmittable(a, recorder);
        return call3(original, this, count, a, b, c);
      }
    }
    const text = typeof a === "string" ? a : (a as { text?: unknown } | null | undefined)?.text;
    const operation = sqlOperation(text);
    const tenant = currentTenant();
    const started = now();
    const last = count === 3 ? c : count === 2 ? b : a;
    if (count > 0 && typeof last === "function") {
      const timed = timedCallback(last as Callback, recorder, operation, tenant, started, text);
      if (count === 3) return original.call(this, a, b, timed);
      if (count === 2) return original.call(this, a, timed);
      return original.call(this, timed);
    }
    // A config object may carry its own callback, which pg calls when no function argument follows
    // it; passed on as that argument, the timed one takes its place without touching the object.
    const own = typeof a === "object" && a !== null ? (a as { callback?: unknown }).callback : undefined;
    if (typeof own === "function" && typeof b !== "function" && typeof c !== "function") {
      const timed = timedCallback(own as Callback, recorder, operation, tenant, started, text);
      return count >= 2 ? original.call(this, a, b, timed) : original.call(this, a, timed);
    }
    return watchResult(call3(original, this, count, a, b, c), recorder, operation, tenant, started, text);
  };
}

/** monwireQuery for more than three arguments: the same, on an array. */
function queryApply(original: PgClientLike["query"], recorder: QueryRecorder, self: unknown, args: unknown[]): unknown {
  const a = args[0];
  if (typeof a === "object" && a !== null) {
    if ((a as { [PROBE]?: true })[PROBE]) return original.apply(self, args);
    if (typeof (a as { submit?: unknown }).submit === "function") {
      watchSubmittable(a, recorder);
      return original.apply(self, args);
    }
  }
  const text = typeof a === "string" ? a : (a as { text?: unknown } | null | undefined)?.text;
  const operation = sqlOperation(text);
  const tenant = currentTenant();
  const started = now();
  const last = args[args.length - 1];
  if (typeof last === "function") {
    args[args.length - 1] = timedCallback(last as Callback, recorder, operation, tenant, started, text);
    return original.apply(self, args);
  }
  return watchResult(original.apply(self, args), recorder, operation, tenant, started, text);
}

export type Callback = (error: unknown, ...rest: unknown[]) => unknown;

/** The caller's callback, recording the query first; pg calls back with (error) or (null, result). */
function timedCallback(callback: Callback, recorder: QueryRecorder, operation: DbOperation, tenant: string, started: number, text: unknown): Callback {
  return function monwireQueryCallback(this: unknown, error: unknown, result?: unknown): unknown {
    recorder.record(operation, tenant, started, error ?? undefined, text);
    const count = arguments.length;
    if (count === 2) return callback.call(this, error, result);
    if (count === 1) return callback.call(this, error);
    const args: unknown[] = [];
    for (let i = 0; i < count; i += 1) args.push(arguments[i]);
    return callback.apply(this, args as [unknown, ...unknown[]]);
  };
}

/** A promise call: recorded when the promise settles; the caller gets the client's own promise. */
function watchResult(result: unknown, recorder: QueryRecorder, operation: DbOperation, tenant: string, started: number, text: unknown): unknown {
  if (result && typeof (result as Promise<unknown>).then === "function") {
    (result as Promise<unknown>).then(
      () => recorder.record(operation, tenant, started, undefined, text),
      (error: unknown) => recorder.record(operation, tenant, started, error ?? new Error("query failed"), text),
    );
  }
  return result;
}

/** A Submittable's query: timed from submission to its `end` or `error` event. */
function watchSubmittable(a: object, recorder: QueryRecorder): void {
  const text = (a as { text?: unknown }).text;
  const operation = sqlOperation(text);
  const tenant = currentTenant();
  const started = now();
  const emitter = a as { once?: (event: string, listener: (error?: unknown) => void) => unknown };
  if (typeof emitter.once !== "function") return;
  let done = false;
  const end = (error?: unknown) => {
    if (done) return;
    done = true;
    recorder.record(operation, tenant, started, error, text);
  };
  emitter.once("end", () => end());
  emitter.once("error", (error) => end(error ?? new Error("query failed")));
}

/** Wraps one client's `query`; a client seen before is left alone. */
export function instrumentPgClient(client: PgClientLike, recorder: QueryRecorder): void {
  if (instrumented.has(client)) return;
  instrumented.add(client);
  client.query = createQueryWrapper(client.query, recorder);
}
