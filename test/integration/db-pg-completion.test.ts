import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMonitoring, monitorDatabase, runWithContext, type Monitoring } from "../../src/runtime/index.js";
import { parseExposition, sampleValue, type Exposition } from "../helpers/exposition.js";
import { postgresAvailable, startPostgres, type PostgresCluster } from "../helpers/postgres.js";

/**
 * Every way a node-postgres query can finish, on a real PostgreSQL, through a pg Client given to
 * monitorDatabase(): each query is counted exactly once, under its own verb and its caller's
 * tenant, and each caller gets its own result — whether the query succeeds, fails with a SQLSTATE,
 * times out (query_timeout), is refused by a client that is ending or whose connection died, or
 * is still pending when the connection goes away; callback and promise calls interleaved on one
 * connection from two tenants; a Submittable; a config object that carries its own callback.
 */
const available = postgresAvailable();
type PgClient = InstanceType<typeof pg.Client>;
type Result = { rows: Array<Record<string, unknown>> };

describe.skipIf(!available)("pg query completion paths", () => {
  let cluster: PostgresCluster;
  let monitoring: Monitoring;
  let scrapeUrl: string;
  const clients: PgClient[] = [];

  const scrape = async (): Promise<Exposition> => parseExposition(await (await fetch(scrapeUrl)).text());
  const inTenant = <T>(tenant: string, fn: () => T): T => runWithContext({ requestId: "r", tenant }, fn);
  /** A connected pg Client given to monitorDatabase(), closed after the suite. */
  const connect = async (config: Record<string, unknown> = {}, Client: typeof pg.Client = pg.Client): Promise<PgClient> => {
    const client = new Client({ connectionString: cluster.url, ...config });
    client.on("error", () => undefined);
    clients.push(client);
    monitorDatabase(client);
    await client.connect();
    return client;
  };
  const count = (e: Exposition, operation: string, tenant: string) => sampleValue(e, "db_query_duration_seconds_count", { operation, tenant }) ?? 0;
  const sum = (e: Exposition, operation: string, tenant: string) => sampleValue(e, "db_query_duration_seconds_sum", { operation, tenant }) ?? 0;
  /** Errors of one verb and tenant, over every code. */
  const errors = (e: Exposition, operation: string, tenant: string): Record<string, number> => {
    const out: Record<string, number> = {};
    for (const code of ["08", "22", "42", "57", "connection", "other"]) {
      const v = sampleValue(e, "db_query_errors_total", { operation, tenant, code });
      if (v !== undefined) out[code] = v;
    }
    return out;
  };
  const delta = (after: Record<string, number>, before: Record<string, number>): Record<string, number> =>
    Object.fromEntries(Object.entries(after).map(([k, v]) => [k, v - (before[k] ?? 0)]).filter(([, v]) => v !== 0));
  const callback = <T>(run: (cb: (error: Error | null, result?: T) => void) => void): Promise<T> =>
    new Promise((resolve, reject) => run((error, result) => (error ? reject(error) : resolve(result as T))));
  /** How each of several pending calls settled, in call order. */
  const settled = (calls: Promise<unknown>[]) => Promise.all(calls.map((p) => p.then(() => "ok", (e: Error) => e.message)));

  beforeAll(async () => {
    cluster = await startPostgres();
    monitoring = createMonitoring({ config: { tenants: { values: ["EUR", "KM"] }, audit: { enabled: false }, metrics: { tokenEnv: "MONWIRE_TEST_NO_TOKEN" }, database: { client: "pg", probe: false, slowQueryMs: 0 } } });
    scrapeUrl = (await monitoring.startMetricsServer({ port: 0 })).url;
  }, 60_000);

  afterAll(async () => {
    for (const client of clients) await client.end().catch(() => undefined);
    await monitoring?.close();
    await cluster?.destroy();
  });

  it("gives each of many interleaved callback and promise calls from two tenants its own result, counted once under its tenant", async () => {
    const client = await connect();
    const before = await scrape();
    const calls: Promise<unknown>[] = [];
    const expected: string[] = [];
    // EUR's quick queries first, then KM's slow ones behind them, all pending on one connection at
    // once (more than the table's initial room): a swapped tenant would move 0.4 s or more to EUR.
    for (let i = 0; i < 3; i++) {
      const value = `eur-${i}`;
      expected.push(value);
      calls.push(inTenant("EUR", () => i % 2 === 0
        ? callback<Result>((cb) => client.query("SELECT $1::text AS v", [value], cb))
        : client.query("SELECT $1::text AS v", [value])));
    }
    for (let i = 0; i < 4; i++) {
      const value = `km-${i}`;
      expected.push(value);
      calls.push(inTenant("KM", () => i % 2 === 0
        ? client.query("SELECT $1::text AS v, pg_sleep(0.4)", [value])
        : callback<Result>((cb) => client.query("SELECT $1::text AS v, pg_sleep(0.4)", [value], cb))));
    }
    const results = (await Promise.all(calls)) as Result[];
    expect(results.map((r) => r.rows[0]?.v)).toEqual(expected);
    const after = await scrape();
    expect(count(after, "select", "EUR") - count(before, "select", "EUR")).toBe(3);
    expect(count(after, "select", "KM") - count(before, "select", "KM")).toBe(4);
    expect(sum(after, "select", "EUR") - sum(before, "select", "EUR")).toBeLessThan(0.4);
    // KM's queries ran one after another: 0.4, 0.8, 1.2 and 1.6 s from issue to answer.
    expect(sum(after, "select", "KM") - sum(before, "select", "KM")).toBeGreaterThanOrEqual(4);
  });

  it("counts failing queries once by SQLSTATE class, and the connection's next query once", async () => {
    const client = await connect();
    const before = await scrape();
    await inTenant("KM", async () => {
      await expect(client.query("SELECT nope FROM missing_table")).rejects.toThrow(/missing_table/);
      await expect(callback((cb) => client.query("SELECT 1/0", cb))).rejects.toThrow(/division by zero/);
      await expect(client.query("SELECT 1 AS one")).resolves.toMatchObject({ rows: [{ one: 1 }] });
    });
    const after = await scrape();
    expect(count(after, "select", "KM") - count(before, "select", "KM")).toBe(3);
    expect(delta(errors(after, "select", "KM"), errors(before, "select", "KM"))).toEqual({ "42": 1, "22": 1 });
  });

  it("counts a query that hit query_timeout once as failed, and not again when its answer arrives", async () => {
    const client = await connect({ query_timeout: 150 });
    const plain = await connect();
    const before = await scrape();
    // The second query waits behind the first and times out too; the answer to the first arrives
    // later and must not be counted a second time.
    const outcomes = await inTenant("EUR", () => settled([
      client.query("SELECT pg_sleep(0.5)"),
      callback((cb) => client.query("SELECT 1", cb)),
      plain.query({ text: "SELECT pg_sleep(0.5)", query_timeout: 150 }),
    ]));
    expect(outcomes).toEqual(["Query read timeout", "Query read timeout", "Query read timeout"]);
    await new Promise((resolve) => setTimeout(resolve, 600));
    await inTenant("EUR", async () => {
      await expect(client.query("SELECT 2 AS two")).resolves.toMatchObject({ rows: [{ two: 2 }] });
      await expect(plain.query("SELECT 3 AS three")).resolves.toMatchObject({ rows: [{ three: 3 }] });
    });
    const after = await scrape();
    expect(count(after, "select", "EUR") - count(before, "select", "EUR")).toBe(5);
    expect(delta(errors(after, "select", "EUR"), errors(before, "select", "EUR"))).toEqual({ other: 3 });
  });

  it("counts queries failed by a dying connection once each, and one refused afterwards", async () => {
    const client = await connect();
    const killer = await connect();
    const before = await scrape();
    const pending = inTenant("KM", () => settled([
      client.query("SELECT pg_sleep(5)"),
      callback((cb) => client.query("SELECT 2", cb)),
      client.query("SELECT 3"),
    ]));
    await new Promise((resolve) => setTimeout(resolve, 100));
    await killer.query("SELECT pg_terminate_backend($1)", [client.processID]);
    const outcomes = await pending;
    expect(outcomes[0]).toMatch(/terminating connection/);
    expect(outcomes.slice(1).every((o) => o !== "ok")).toBe(true);
    const refused = await inTenant("KM", () => settled([client.query("SELECT 4"), callback((cb) => client.query("SELECT 5", cb))]));
    expect(refused).toEqual(["Client has encountered a connection error and is not queryable", "Client has encountered a connection error and is not queryable"]);
    const after = await scrape();
    expect(count(after, "select", "KM") - count(before, "select", "KM")).toBe(5);
    const failed = delta(errors(after, "select", "KM"), errors(before, "select", "KM"));
    expect(failed["57"]).toBe(1);
    expect(Object.values(failed).reduce((a, b) => a + b, 0)).toBe(5);
  });

  it("counts queries still queued when the client is ended once each, and queries on an ended client once as failed", async () => {
    const client = await connect();
    const before = await scrape();
    const pending = inTenant("EUR", () => settled([client.query("DELETE FROM pg_class WHERE false"), callback((cb) => client.query("DELETE FROM pg_class WHERE false", cb)), client.query("DELETE FROM pg_class WHERE false")]));
    const ended = client.end();
    const outcomes = await pending;
    await ended;
    const refused = await inTenant("EUR", () => settled([client.query("DELETE FROM pg_class WHERE false"), callback((cb) => client.query("DELETE FROM pg_class WHERE false", cb))]));
    expect(refused).toEqual(["Client was closed and is not queryable", "Client was closed and is not queryable"]);
    const after = await scrape();
    expect(count(after, "delete", "EUR") - count(before, "delete", "EUR")).toBe(5);
    const failed = delta(errors(after, "delete", "EUR"), errors(before, "delete", "EUR"));
    const failures = outcomes.filter((o) => o !== "ok").length + 2;
    expect(Object.values(failed).reduce((a, b) => a + b, 0)).toBe(failures);
  });

  it("times a Submittable by its events and a config object's own callback, once each", async () => {
    const client = await connect();
    const before = await scrape();
    await inTenant("EUR", async () => {
      const submittable = new pg.Query("SELECT 1 AS one");
      const rows: unknown[] = [];
      submittable.on("row", (row: unknown) => rows.push(row));
      await new Promise((resolve, reject) => {
        submittable.on("end", resolve);
        submittable.on("error", reject);
        client.query(submittable);
      });
      expect(rows).toEqual([{ one: 1 }]);
      const result = await callback<Result>((cb) => client.query({ text: "SELECT 2 AS two", callback: cb }));
      expect(result.rows).toEqual([{ two: 2 }]);
    });
    const after = await scrape();
    expect(count(after, "select", "EUR") - count(before, "select", "EUR")).toBe(2);
  });

  it("counts queries once when pg's query is patched underneath and wraps the caller's callback, as the Sentry SDK's instrumentation does", async () => {
    let wrapperCalls = 0;
    // The SDK patches pg's prototype and hands pg a wrapper of the caller's callback.
    class PatchedClient extends pg.Client {
      query(...args: unknown[]): unknown {
        const last = args[args.length - 1];
        if (typeof last === "function") {
          args[args.length - 1] = function (this: unknown, ...result: unknown[]) {
            wrapperCalls += 1;
            return (last as (...a: unknown[]) => unknown).apply(this, result);
          };
        }
        return super.query(...args);
      }
    }
    const client = await connect({}, PatchedClient);
    const before = await scrape();
    const results = await inTenant("KM", () => Promise.all([
      callback<Result>((cb) => client.query("SELECT 1 AS v", cb)),
      client.query("SELECT 2 AS v"),
      callback<Result>((cb) => client.query("SELECT $1::int AS v", [3], cb)),
    ]));
    expect(results.map((r) => (r as Result).rows[0]?.v)).toEqual([1, 2, 3]);
    expect(wrapperCalls).toBe(2);
    const after = await scrape();
    expect(count(after, "select", "KM") - count(before, "select", "KM")).toBe(3);
  });

  it("lets pg reject a query() called without its client, and counts nothing for it", async () => {
    const client = await connect();
    const before = await scrape();
    const unbound = client.query as (text: string) => unknown;
    expect(() => inTenant("EUR", () => unbound("SELECT 1"))).toThrow(TypeError);
    const after = await scrape();
    expect(count(after, "select", "EUR") - count(before, "select", "EUR")).toBe(0);
  });
});
