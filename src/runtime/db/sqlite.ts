import { currentTenant, now, type QueryRecorder } from "./recorder.js";
import { sqlOperation } from "./statement.js";

/**
 * better-sqlite3: a synchronous client, so a query's time is the time its statement method
 * takes. The Database instance's `prepare` and `exec` are wrapped; each prepared statement gets
 * wrapped `run`/`get`/`all` bound to the verb read once at prepare time (apps and ORMs prepare
 * once and run many times). `iterate` is left alone: its time is spread over the caller's loop.
 */
export interface SqliteDatabaseLike {
  prepare: (source: string, ...internal: unknown[]) => SqliteStatementLike;
  exec: (source: string) => unknown;
  readonly open: boolean;
  readonly memory?: boolean;
}

interface SqliteStatementLike {
  run: (...args: unknown[]) => unknown;
  get: (...args: unknown[]) => unknown;
  all: (...args: unknown[]) => unknown;
}

const INSTRUMENTED = Symbol.for("monwire.db.instrumented");
const originals = new WeakMap<object, SqliteDatabaseLike["prepare"]>();

export function isSqliteDatabase(value: unknown): value is SqliteDatabaseLike {
  const v = value as Partial<SqliteDatabaseLike> & { pragma?: unknown } | null;
  return typeof v === "object" && v !== null && typeof v.prepare === "function" && typeof v.exec === "function" && typeof v.pragma === "function" && typeof v.open === "boolean";
}

function timed<F extends (...args: unknown[]) => unknown>(fn: F, operation: ReturnType<typeof sqlOperation>, text: string, recorder: QueryRecorder): F {
  return function monwireStatement(this: unknown, a?: unknown, b?: unknown): unknown {
    const tenant = currentTenant();
    const count = arguments.length;
    const started = now();
    let result: unknown;
    try {
      // Most statements bind no or one parameter (an array or object counts as one): those calls
      // allocate no argument array; better-sqlite3 counts the arguments it gets, so exactly the
      // caller's are passed.
      result = count === 0 ? fn.call(this) : count === 1 ? fn.call(this, a) : count === 2 ? fn.call(this, a, b) : fn.apply(this, arguments as unknown as unknown[]);
    } catch (error) {
      recorder.record(operation, tenant, started, error ?? new Error("query failed"), text);
      throw error;
    }
    recorder.record(operation, tenant, started, undefined, text);
    return result;
  } as F;
}

export function instrumentSqlite(db: SqliteDatabaseLike, recorder: QueryRecorder): void {
  const marked = db as unknown as { [INSTRUMENTED]?: true };
  if (marked[INSTRUMENTED]) return;
  marked[INSTRUMENTED] = true;
  const prepare = db.prepare;
  const exec = db.exec;
  originals.set(db, prepare);
  // pragma() calls prepare with extra internal arguments: they are passed through untouched.
  db.prepare = function monwirePrepare(this: unknown, source: string, ...internal: unknown[]): SqliteStatementLike {
    const statement = prepare.call(this, source, ...internal);
    const operation = sqlOperation(source);
    statement.run = timed(statement.run, operation, source, recorder);
    statement.get = timed(statement.get, operation, source, recorder);
    statement.all = timed(statement.all, operation, source, recorder);
    return statement;
  };
  db.exec = function monwireExec(this: unknown, source: string): unknown {
    return timed(exec as (...args: unknown[]) => unknown, sqlOperation(source), source, recorder).call(this, source);
  };
}

/** `SELECT 1` through the unwrapped prepare: up while the handle is open and answers. */
export function sqliteProbe(db: SqliteDatabaseLike): () => boolean {
  const prepare = originals.get(db) ?? db.prepare;
  return () => {
    if (!db.open) return false;
    const row = prepare.call(db, "SELECT 1 AS up").get() as { up?: number } | undefined;
    return row?.up === 1;
  };
}
