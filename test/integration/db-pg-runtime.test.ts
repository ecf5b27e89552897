import { drizzle } from "drizzle-orm/node-postgres";
import { sql } from "drizzle-orm";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMonitoring, monitorDatabase, runWithContext, type Monitoring } from "../../src/runtime/index.js";
import { parseExposition, sampleValue, type Exposition } from "../helpers/exposition.js";
import { postgresAvailable, startPostgres, type PostgresCluster } from "../helpers/postgres.js";

/**
 * monitorDatabase() on a real PostgreSQL: every query form node-postgres offers (promise,
 * callback, config object, pool.connect() clients, drizzle over the pool) is counted once, under
 * the tenant of the request context it ran in, with errors by SQLSTATE class; the probe follows
 * the server down and back up.
 */
const available = postgresAvailable();

describe.skipIf(!available)("monitorDatabase on pg", () => {
  let cluster: PostgresCluster;
  let pool: InstanceType<typeof pg.Pool>;
  let monitoring: Monitoring;
  let scrapeUrl: string;

  const scrape = async (): Promise<Exposition> => parseExposition(await (await fetch(scrapeUrl)).text());
  const value = sampleValue;
  const inTenant = <T>(tenant: string, fn: () => Promise<T>) => runWithContext({ requestId: "r", tenant }, fn);

  beforeAll(async () => {
    cluster = await startPostgres();
    pool = new pg.Pool({ connectionString: cluster.url, max: 4 });
    pool.on("error", () => undefined);
    monitoring = createMonitoring({ config: { tenants: { values: ["EUR", "KM"] }, audit: { enabled: false }, metrics: { tokenEnv: "MONWIRE_TEST_NO_TOKEN" }, database: { client: "pg", probe: true, slowQueryMs: 0, probeTimeoutMs: 500 } } });
    monitorDatabase(pool);
    const server = await monitoring.startMetricsServer({ port: 0 });
    scrapeUrl = server.url;
    await pool.query("CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL)");
  }, 60_000);

  afterAll(async () => {
    await monitoring?.close();
    await pool?.end().catch(() => undefined);
    await cluster?.destroy();
  });

  it("counts each query form once, per verb and tenant", async () => {
    const before = await scrape();
    const base = (op: string, tenant: string) => value(before, "db_query_duration_seconds_count", { operation: op, tenant }) ?? 0;
    const eurSelect = base("select", "EUR");
    const kmInsert = base("insert", "KM");
    await inTenant("EUR", async () => {
      await pool.query("SELECT $1::text AS x", ["canary-param-7731"]);
      await new Promise<void>((resolve, reject) => pool.query("SELECT 2", (error: Error | null) => (error ? reject(error) : resolve())));
      await pool.query({ text: "select * from items where id = $1", values: [1] });
      const client = await pool.connect();
      try {
        await client.query("BEGIN");
        await client.query("SELECT 3");
        await client.query("COMMIT");
      } finally {
        client.release();
      }
    });
    await inTenant("KM", async () => {
      const db = drizzle(pool);
      await db.execute(sql`insert into items (id, name) values (${1}, ${"canary-param-7732"})`);
      await db.execute(sql`insert into items (id, name) values (${2}, ${"b"})`);
    });
    const after = await scrape();
    expect((value(after, "db_query_duration_seconds_count", { operation: "select", tenant: "EUR" }) ?? 0) - eurSelect).toBe(4);
    expect(value(after, "db_query_duration_seconds_count", { operation: "begin", tenant: "EUR" })).toBe(1);
    expect(value(after, "db_query_duration_seconds_count", { operation: "commit", tenant: "EUR" })).toBe(1);
    expect((value(after, "db_query_duration_seconds_count", { operation: "insert", tenant: "KM" }) ?? 0) - kmInsert).toBe(2);
    // Queries outside any request (the setup's CREATE TABLE) carry tenant "none".
    expect(value(after, "db_query_duration_seconds_count", { operation: "other", tenant: "none" })).toBe(1);
    const text = await (await fetch(scrapeUrl)).text();
    expect(text).not.toContain("canary-param");
    expect(text).not.toMatch(/items/);
  });

  it("counts failures by SQLSTATE class", async () => {
    await inTenant("KM", async () => {
      await expect(pool.query("insert into items (id, name) values (1, 'dup')")).rejects.toThrow(/duplicate key/);
      await expect(pool.query("select nope from items")).rejects.toThrow(/column/);
    });
    const families = await scrape();
    expect(value(families, "db_query_errors_total", { operation: "insert", tenant: "KM", code: "23" })).toBe(1);
    expect(value(families, "db_query_errors_total", { operation: "select", tenant: "KM", code: "42" })).toBe(1);
  });

  it("reports the pool and the probe, and follows the server down and back up", async () => {
    let families = await scrape();
    expect(value(families, "database_up")).toBe(1);
    expect(value(families, "db_pool_max_connections")).toBe(4);
    expect(value(families, "db_pool_connections", { state: "idle" })).toBeGreaterThanOrEqual(1);
    expect(value(families, "database_probe_duration_seconds")).toBeGreaterThan(0);
    // The probe's own SELECT 1 is not app traffic.
    const selects = value(families, "db_query_duration_seconds_count", { operation: "select", tenant: "none" });
    expect(selects).toBeUndefined();

    await cluster.stop();
    families = await scrape();
    expect(value(families, "database_up")).toBe(0);
    await inTenant("EUR", async () => {
      await expect(pool.query("SELECT 1")).rejects.toThrow();
    });
    families = await scrape();
    expect(value(families, "db_query_errors_total", { operation: "select", tenant: "EUR", code: "connection" })).toBe(1);

    await cluster.start();
    families = await scrape();
    expect(value(families, "database_up")).toBe(1);
  }, 60_000);

  it("keeps each caller's tenant when callers wait for a pool's only connection", async () => {
    const single = new pg.Pool({ connectionString: cluster.url, max: 1 });
    single.on("error", () => undefined);
    monitorDatabase(single);
    try {
      const before = await scrape();
      const count = (exposition: Exposition, tenant: string) => value(exposition, "db_query_duration_seconds_count", { operation: "select", tenant }) ?? 0;
      // EUR holds the connection for 100 ms; KM's and EUR's later queries queue behind it and are
      // handed the connection from inside the previous caller's release.
      await Promise.all([
        inTenant("EUR", () => single.query("SELECT pg_sleep(0.1)")),
        ...Array.from({ length: 3 }, () => inTenant("KM", () => single.query("SELECT 1"))),
        ...Array.from({ length: 2 }, () => inTenant("EUR", () => single.query("SELECT 2"))),
      ]);
      const after = await scrape();
      expect(count(after, "EUR") - count(before, "EUR")).toBe(3);
      expect(count(after, "KM") - count(before, "KM")).toBe(3);
    } finally {
      await single.end();
    }
  });

  it("counts queries that find an idle connection once each, and a pool.query after end() as failed", async () => {
    const single = new pg.Pool({ connectionString: cluster.url, max: 1 });
    single.on("error", () => undefined);
    monitorDatabase(single);
    const before = await scrape();
    const deletes = (exposition: Exposition) => value(exposition, "db_query_duration_seconds_count", { operation: "delete", tenant: "KM" }) ?? 0;
    const failed = (exposition: Exposition) => value(exposition, "db_query_errors_total", { operation: "delete", tenant: "KM", code: "other" }) ?? 0;
    // The first query opens the connection; the next two find it idle and pass straight through.
    await inTenant("KM", async () => {
      for (let i = 0; i < 3; i++) await single.query("DELETE FROM items WHERE id = -1");
    });
    await single.end();
    await inTenant("KM", async () => {
      await expect(single.query("DELETE FROM items WHERE id = -2")).rejects.toThrow(/after calling end/);
    });
    const after = await scrape();
    expect(deletes(after) - deletes(before)).toBe(4);
    expect(failed(after) - failed(before)).toBe(1);
  });
});
