import { MonwireError } from "../../errors.js";
import { getMetrics, type MonwireMetrics } from "../metrics.js";
import { probeDatabase, type DatabaseProbe } from "../metrics-handler.js";
import { isPgClient, isPgPool, instrumentPgClient, probeQuery, type PgClientLike } from "./pg.js";
import { instrumentPgPool, pgPoolStats } from "./pg-pool.js";
import { createQueryRecorder, type QueryRecorder } from "./recorder.js";
import { instrumentSqlite, isSqliteDatabase, sqliteProbe } from "./sqlite.js";

/**
 * `monitorDatabase(client)`: the one call `mon init` adds next to where the app creates its pool
 * or client. It instruments that instance (query timing and errors per tenant) and registers it
 * with the scrape handler, which probes it (`database_up`) and reads its pool figures at each
 * scrape. Process-wide, like the metrics, so it works whichever of the app's files loads first.
 */
export type DatabaseKind = "pg-pool" | "pg-client" | "better-sqlite3";

interface PoolStats {
  idle: number;
  inUse: number;
  pending: number;
  max?: number;
}

interface MonitoredDatabase {
  kind: DatabaseKind;
  probe: DatabaseProbe;
  stats?: () => PoolStats;
}

const databases: MonitoredDatabase[] = [];
let recorder: QueryRecorder | undefined;

/** What monitorDatabase() accepts and found, for error messages. */
function describe(value: unknown): string {
  if (value === null || typeof value !== "object") return typeof value;
  return (value as { constructor?: { name?: string } }).constructor?.name ?? "object";
}

function pgProbe(target: PgClientLike): DatabaseProbe {
  return async () => {
    await target.query(probeQuery());
    return true;
  };
}

/**
 * Instruments a database client and registers it for the scrape-time probe. Accepts a `pg` Pool
 * or Client (also @neondatabase/serverless' Pool), a drizzle database over either (its `$client`),
 * or a better-sqlite3 Database. Returns the same object, unchanged in behaviour. Throws
 * MonwireError for anything else, naming what it got.
 */
export function monitorDatabase<T>(client: T): T {
  const target = (client as { $client?: unknown } | null)?.$client ?? client;
  recorder ??= createQueryRecorder(getMetrics());
  if (isPgPool(target)) {
    instrumentPgPool(target, recorder);
    register({ kind: "pg-pool", probe: pgProbe(target), stats: () => pgPoolStats(target) }, target);
  } else if (isSqliteDatabase(target)) {
    instrumentSqlite(target, recorder);
    register({ kind: "better-sqlite3", probe: sqliteProbe(target) }, target);
  } else if (isPgClient(target)) {
    instrumentPgClient(target, recorder);
    register({ kind: "pg-client", probe: pgProbe(target) }, target);
  } else {
    throw new MonwireError("E_OPTION_INVALID", `monitorDatabase: expected a pg Pool or Client, a drizzle database or a better-sqlite3 Database, got ${describe(client)}`, {
      hint: "Pass the pool or client your app creates (e.g. monitorDatabase(pool) after `const pool = new Pool(...)`); see docs/database.md.",
    });
  }
  return client;
}

const registered = new WeakSet<object>();

function register(database: MonitoredDatabase, target: object): void {
  if (registered.has(target)) return;
  registered.add(target);
  databases.push(database);
}

/** Whether any database was registered with monitorDatabase(). */
export function hasMonitoredDatabase(): boolean {
  return databases.length > 0;
}

/** Probes every registered database (up only when all answer) and a caller's own probe; sets the gauges. */
export async function scrapeDatabases(metrics: MonwireMetrics, timeoutMs: number, extra?: DatabaseProbe): Promise<void> {
  const probes = databases.map((d) => d.probe);
  if (extra) probes.push(extra);
  if (probes.length === 0) return;
  const started = process.hrtime.bigint();
  const results = await Promise.all(probes.map((probe) => probeDatabase(probe, timeoutMs)));
  metrics.databaseProbeDuration.set(Number(process.hrtime.bigint() - started) / 1e9);
  metrics.databaseUp.set(results.every((r) => r === 1) ? 1 : 0);
  const pools = databases.flatMap((d) => (d.stats ? [d.stats()] : []));
  if (pools.length === 0) return;
  const sum = (pick: (s: PoolStats) => number) => pools.reduce((total, s) => total + pick(s), 0);
  metrics.dbPoolConnections.set({ state: "idle" }, sum((s) => s.idle));
  metrics.dbPoolConnections.set({ state: "in_use" }, sum((s) => s.inUse));
  metrics.dbPoolPending.set(sum((s) => s.pending));
  metrics.dbPoolMax.set(sum((s) => s.max ?? 0));
}

/** Catalog families that only mean something for a monitored database. */
export const DATABASE_FAMILIES = new Set<string>([
  "database_up", "database_probe_duration_seconds", "db_query_duration_seconds", "db_query_errors_total",
  "db_pool_connections", "db_pool_pending_acquires", "db_pool_max_connections",
]);
export const POOL_FAMILIES = new Set<string>(["db_pool_connections", "db_pool_pending_acquires", "db_pool_max_connections"]);

/** Families to leave out of this scrape: all database ones without a database, pool ones without a pool. */
export function excludedDatabaseFamilies(explicitProbe: boolean): ReadonlySet<string> {
  if (databases.length === 0 && !explicitProbe) return DATABASE_FAMILIES;
  if (!databases.some((d) => d.stats)) return POOL_FAMILIES;
  return EMPTY;
}
const EMPTY: ReadonlySet<string> = new Set();
