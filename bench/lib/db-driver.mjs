// One database client in its own process, for bench/db-query.mjs. BENCH_VARIANT is
// `<client>:<mode>`: client `pg` (a pg Pool, max 1, `SELECT 1` through pool.query), `drizzle`
// (drizzle-orm over such a pool, db.execute(sql`SELECT 1`)) or `sqlite` (better-sqlite3 in
// memory, a prepared `SELECT 1` .get()); mode `bare`, `monwire` (the same client given to
// monitorDatabase()) or `passthrough` (see passThrough()). Both modes run createMonitoring() and every query inside a request context
// (tenant EUR), so the only difference is the instrumentation. BENCH_PG_URL names the server.
//
// On stdin `run N` it runs N sequential queries and answers {"micros": CPU µs per query}
// (process.cpuUsage, user+system: the server's time is not the client's cost). With
// BENCH_COUNT=N it instead runs BENCH_WARM queries, switches callgrind's instrumentation on
// (callgrind_control) and runs N more, then exits: under `valgrind --tool=callgrind
// --instr-atstart=no` that counts the client-side instructions of exactly those N queries.
// With BENCH_ALLOC=N (run under --expose-gc and a young generation large enough to hold N
// queries' garbage) it instead answers {"bytes": heap bytes allocated per query}: the growth of
// V8's new space over N queries started right after a full collection, the median of 5 such
// stretches, and {"bytes": null} if a scavenge fell inside one (the growth would then be meaningless).
import { spawn } from "node:child_process";
import { PerformanceObserver, performance } from "node:perf_hooks";
import { getHeapSpaceStatistics } from "node:v8";
import Database from "better-sqlite3";
import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/node-postgres";
import pg from "pg";
import { serveDriver } from "./driver.mjs";

// BENCH_RUNTIME: another build of the runtime (an older commit's dist/runtime/index.js), for a
// before/after comparison in the same run.
const runtime = process.env.BENCH_RUNTIME ?? new URL("../../dist/runtime/index.js", import.meta.url).href;
const { createMonitoring, monitorDatabase, runWithContext } = await import(runtime);

const [client, mode] = (process.env.BENCH_VARIANT ?? "pg:bare").split(":");
createMonitoring({
  config: { audit: { enabled: false }, metrics: { tokenEnv: "MONWIRE_BENCH_NO_TOKEN" }, database: { client: client === "sqlite" ? "better-sqlite3" : "pg", probe: true, slowQueryMs: 200 } },
});
const wire = (value) => (mode === "monwire" ? monitorDatabase(value) : mode === "passthrough" ? passThrough(value) : value);

/**
 * Mode `passthrough` (pg and drizzle only): the shapes monitorDatabase() gives a pg Pool — its
 * connections made from a subclass of pg's Client whose prototype `query` calls pg's, and own
 * `query` and `connect` properties on the pool — with every wrapper only passing its arguments
 * on. No monwire code runs per query: what this mode adds over bare is the floor of wrapping the
 * instances at all, which monwire's own work comes on top of.
 */
function passThrough(pool) {
  const Base = pool.Client;
  const baseQuery = Base.prototype.query;
  pool.Client = class PassThroughClient extends Base {};
  Object.defineProperty(pool.Client.prototype, "query", { value: forwarding(baseQuery), writable: true, configurable: true });
  pool.query = forwarding(pool.query);
  pool.connect = forwarding(pool.connect);
  return pool;
}

function forwarding(fn) {
  return function forward(a, b, c) {
    const count = arguments.length;
    if (count === 1) return fn.call(this, a);
    if (count === 2) return fn.call(this, a, b);
    if (count === 3) return fn.call(this, a, b, c);
    const args = [];
    for (let i = 0; i < count; i += 1) args.push(arguments[i]);
    return fn.apply(this, args);
  };
}

/** A function running n sequential queries, and a cleanup. */
function open() {
  if (client === "sqlite") {
    const db = wire(new Database(":memory:"));
    const statement = db.prepare("SELECT 1");
    return {
      run: (n) => {
        for (let i = 0; i < n; i++) statement.get();
      },
      close: () => db.close(),
    };
  }
  const pool = wire(new pg.Pool({ connectionString: process.env.BENCH_PG_URL, max: 1 }));
  if (client === "pg") {
    return {
      run: async (n) => {
        for (let i = 0; i < n; i++) await pool.query("SELECT 1");
      },
      close: () => pool.end(),
    };
  }
  const db = drizzle({ client: pool });
  const query = sql`SELECT 1`;
  return {
    run: async (n) => {
      for (let i = 0; i < n; i++) await db.execute(query);
    },
    close: () => pool.end(),
  };
}

const target = open();
const inContext = (n) => runWithContext({ requestId: "bench", tenant: "EUR" }, () => target.run(n));

/** Runs callgrind_control with these arguments against this process. */
const callgrind = (...args) =>
  new Promise((resolve, reject) => spawn("callgrind_control", [...args, String(process.pid)], { stdio: "ignore" }).on("exit", resolve).on("error", reject));

if (process.env.BENCH_COUNT) {
  // Counting starts with instrumentation on, then more queries, then the counters are zeroed:
  // the first child process (and the first instrumented stretch) deoptimizes and recompiles part
  // of the query path, and that one-off work stays out of the count. The second callgrind_control
  // is the same kind of child, so it changes nothing optimized code depends on.
  await inContext(Number(process.env.BENCH_WARM ?? 4000));
  await callgrind("-i", "on");
  await inContext(Number(process.env.BENCH_SETTLE ?? 2000));
  await callgrind("-z");
  await inContext(Number(process.env.BENCH_COUNT));
  process.exit(0);
}

if (process.env.BENCH_ALLOC) {
  await inContext(Number(process.env.BENCH_WARM ?? 4000));
  const n = Number(process.env.BENCH_ALLOC);
  const youngUsed = () => getHeapSpaceStatistics().find((s) => s.space_name === "new_space").space_used_size;
  const collections = [];
  const observer = new PerformanceObserver((list) => collections.push(...list.getEntries().map((e) => e.startTime)));
  observer.observe({ entryTypes: ["gc"] });
  const stretches = [];
  for (let round = 0; round < 5; round++) {
    globalThis.gc();
    const start = performance.now();
    const before = youngUsed();
    await inContext(n);
    const grown = youngUsed() - before;
    const end = performance.now();
    await new Promise((resolve) => setTimeout(resolve, 10));
    stretches.push(collections.some((t) => t >= start && t <= end) ? NaN : grown / n);
  }
  observer.disconnect();
  const sorted = stretches.slice().sort((a, b) => a - b);
  const bytes = sorted[2];
  process.stdout.write(`${JSON.stringify({ bytes: Number.isNaN(bytes) || stretches.some(Number.isNaN) ? null : bytes, stretches })}\n`);
  await target.close();
  process.exit(0);
}

await inContext(Number(process.env.BENCH_WARM ?? 4000));
serveDriver(inContext, { onQuit: () => target.close() });
