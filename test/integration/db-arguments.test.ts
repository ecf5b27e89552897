import Database from "better-sqlite3";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMonitoring, monitorDatabase, runWithContext, type Monitoring } from "../../src/runtime/index.js";
import { parseExposition, sampleValue, type Exposition } from "../helpers/exposition.js";
import { postgresAvailable, startPostgres, type PostgresCluster } from "../helpers/postgres.js";

/** The part of pg's result these checks read. */
interface QueryResult {
  rows: unknown[];
}

/**
 * The instrumented query methods pass exactly the caller's arguments on, whatever their number
 * (they avoid an argument array on the common arities), hand back the client's own results and
 * callbacks unchanged, and count each call once under the caller's tenant.
 */
let monitoring: Monitoring;
let scrapeUrl: string;
const scrape = async (): Promise<Exposition> => parseExposition(await (await fetch(scrapeUrl)).text());
const count = (e: Exposition, operation: string, tenant: string) => sampleValue(e, "db_query_duration_seconds_count", { operation, tenant }) ?? 0;
const inTenant = <T>(tenant: string, fn: () => T) => runWithContext({ requestId: "r", tenant }, fn);

beforeAll(async () => {
  monitoring = createMonitoring({ config: { tenants: { values: ["EUR", "KM"] }, audit: { enabled: false }, metrics: { tokenEnv: "MONWIRE_TEST_NO_TOKEN" }, database: { client: "pg", probe: true, slowQueryMs: 0, probeTimeoutMs: 500 } } });
  scrapeUrl = (await monitoring.startMetricsServer({ port: 0 })).url;
});

afterAll(async () => {
  await monitoring?.close();
});

describe("better-sqlite3 statements with 0 to 3 arguments", () => {
  it("returns what the statement returns and counts each call", async () => {
    const db = monitorDatabase(new Database(":memory:"));
    try {
      db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, a INTEGER, b INTEGER)");
      const before = await scrape();
      inTenant("EUR", () => {
        expect(db.prepare("SELECT 7 AS x").get()).toEqual({ x: 7 });
        expect(db.prepare("SELECT ? AS x").get(5)).toEqual({ x: 5 });
        expect(db.prepare("SELECT ? + ? AS x").get(2, 3)).toEqual({ x: 5 });
        expect(db.prepare("SELECT ? + ? + ? AS x").get(1, 2, 3)).toEqual({ x: 6 });
        expect(db.prepare("SELECT ? + ? + ? + ? AS x").all(1, 2, 3, 4)).toEqual([{ x: 10 }]);
        expect(db.prepare("SELECT :a * :b AS x").get({ a: 3, b: 4 })).toEqual({ x: 12 });
        expect(db.prepare("SELECT ? - ? AS x").get([9, 4])).toEqual({ x: 5 });
      });
      inTenant("KM", () => {
        expect(db.prepare("INSERT INTO t (id, a, b) VALUES (?, ?, ?)").run(1, 2, 3).changes).toBe(1);
        expect(() => db.prepare("INSERT INTO t (id, a, b) VALUES (?, ?, ?)").run(1, 2, 3)).toThrow(/UNIQUE/);
        // A wrong argument count is better-sqlite3's own error, not swallowed or changed.
        expect(() => db.prepare("SELECT ? AS x").get(1, 2)).toThrow(/Too many parameter values/);
      });
      const after = await scrape();
      expect(count(after, "select", "EUR") - count(before, "select", "EUR")).toBe(7);
      expect(count(after, "insert", "KM") - count(before, "insert", "KM")).toBe(2);
      expect(count(after, "select", "KM") - count(before, "select", "KM")).toBe(1);
      expect(sampleValue(after, "db_query_errors_total", { operation: "insert", tenant: "KM", code: "sqlite_constraint" })).toBe(1);
    } finally {
      db.close();
    }
  });
});

const available = postgresAvailable();

describe.skipIf(!available)("pg client.query in each calling form", () => {
  let cluster: PostgresCluster;
  // pg is untyped here (test/types/pg.d.ts).
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let pool: any;

  beforeAll(async () => {
    cluster = await startPostgres();
    pool = new pg.Pool({ connectionString: cluster.url, max: 2 });
    pool.on("error", () => undefined);
    monitorDatabase(pool);
  }, 60_000);

  afterAll(async () => {
    await pool?.end().catch(() => undefined);
    await cluster?.destroy();
  });

  it("passes text, values and callbacks through and counts each query once", async () => {
    const before = await scrape();
    await inTenant("EUR", async () => {
      const client = await pool.connect();
      try {
        // (text, callback): pg tells it from (text, values) by the second argument's type.
        const one = await new Promise<QueryResult>((resolve, reject) => client.query("SELECT 1 AS x", (error: Error | null, result: QueryResult) => (error ? reject(error) : resolve(result))));
        expect(one.rows).toEqual([{ x: 1 }]);
        // (text, values, callback)
        const two = await new Promise<QueryResult>((resolve, reject) => client.query("SELECT $1::int AS x", [2], (error: Error | null, result: QueryResult) => (error ? reject(error) : resolve(result))));
        expect(two.rows).toEqual([{ x: 2 }]);
        // (config, callback) with an error: the callback gets pg's error, once.
        const failed = await new Promise<{ error: unknown; calls: number }>((resolve) => {
          let calls = 0;
          client.query({ text: "SELECT nope" }, (error: Error | null) => {
            calls += 1;
            setTimeout(() => resolve({ error, calls }), 20);
          });
        });
        expect(failed.calls).toBe(1);
        expect(String((failed.error as Error).message)).toMatch(/column "nope" does not exist/);
        // (text, values) as a promise, and the pool's own (text, values, callback).
        expect((await client.query("SELECT $1::text AS x", ["y"])).rows).toEqual([{ x: "y" }]);
      } finally {
        client.release();
      }
      const viaPool = await new Promise<QueryResult>((resolve, reject) => pool.query("SELECT $1::int + 1 AS x", [4], (error: Error | null, result: QueryResult) => (error ? reject(error) : resolve(result))));
      expect(viaPool.rows).toEqual([{ x: 5 }]);
    });
    const after = await scrape();
    expect(count(after, "select", "EUR") - count(before, "select", "EUR")).toBe(5);
    expect(sampleValue(after, "db_query_errors_total", { operation: "select", tenant: "EUR", code: "42" })).toBe(1);
  });
});
