// Database instrumentation cost per query, side by side in one run, for each client monwire
// instruments: pg (a Pool, `SELECT 1` through pool.query on a throwaway PostgreSQL on 127.0.0.1,
// Debian's binaries via the test helper), drizzle-orm over that pool, and better-sqlite3 in
// memory (a prepared `SELECT 1`). Each variant (bare client, the same client given to
// monitorDatabase()) runs in its own processes (lib/db-driver.mjs), all inside a request context.
// Three measures (the verdict is the first, the target's own; the other two show where the code's
// work goes, and the neighbours of a shared 2-core host move neither):
// - client CPU µs per query (process.cpuUsage, user+system: the server's time is not the client's
//   cost): several processes per variant, rounds interleaved across all of them, the median of
//   each process's rounds, then the median over a variant's processes;
// - instructions per query, counted by valgrind's callgrind in the client process only, with the
//   JIT compiler's and the garbage collector's share taken out (one-off recompilation and the
//   moment a collection happens to fall in the counted stretch are what move the raw total);
//   skipped, and said so, where valgrind is not installed;
// - heap bytes allocated per query (the growth of V8's young generation over 5,000 queries with
//   no collection inside, one process per variant): garbage is what makes scavenges more frequent,
//   which a short CPU round may or may not catch.
// For pg and drizzle also a `passthrough` variant: the pool and client shapes monitorDatabase()
// makes (a Client subclass with a prototype query, own pool.query and pool.connect) with wrappers
// that only pass their arguments on, to show what wrapping the instances costs before any
// monwire code runs.
// Plus the wrapper alone against in-process instant clients (no driver, no network).
// BENCH_BASELINE_RUNTIME=/path/to/other/dist/runtime/index.js adds a "monitorDatabase (baseline)"
// variant built from that runtime, for a before/after comparison in the same run.
// Prints one JSON document.
import { spawn, spawnSync } from "node:child_process";
import { EventEmitter } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { tsImport } from "tsx/esm/api";
import PgPool from "pg-pool";
import { createMonitoring, monitorDatabase, runWithContext } from "../dist/runtime/index.js";
import { startDriver } from "./lib/driver.mjs";
import { machine, median } from "./lib/util.mjs";

const DRIVER = fileURLToPath(new URL("./lib/db-driver.mjs", import.meta.url));
const PROCESSES = Number(process.env.BENCH_PROCESSES ?? 8);
// pg runs its variants twice over, each time in fresh processes: its monitored processes differ
// from each other by up to 2.6 µs a query (the bare ones by 0.8), as much as the target, so its
// median needs more of them; more processes alive at once would instead make every round colder
// (16 per variant side by side put the bare query at 60 µs instead of 46).
const BATCHES = { pg: Number(process.env.BENCH_PG_BATCHES ?? 2), drizzle: 1, sqlite: 1 };
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 16);
// Unmeasured rounds after the warm-up: the first command read from stdin deoptimizes the stream
// and promise code the warm-up optimized (--trace-deopt), and pg processes take about five rounds
// of 1,000 queries to compile it all again.
const SETTLE = Number(process.env.BENCH_SETTLE_ROUNDS ?? 5);
const PER_ROUND = { pg: Number(process.env.BENCH_PER_ROUND ?? 1000), drizzle: Number(process.env.BENCH_PER_ROUND ?? 1000), sqlite: 50_000 };
const COUNTED = { pg: Number(process.env.BENCH_COUNTED ?? 5000), sqlite: 50_000 };
const WARM = { pg: Number(process.env.BENCH_PG_WARM ?? 3000), drizzle: Number(process.env.BENCH_PG_WARM ?? 3000), sqlite: 200_000 };
// Under callgrind (one thread, so compilation runs in the counted process's own time) monwire's
// query wrapper is optimized only after about 6,000 pg queries (--trace-opt): counted after
// 3,000, the monitored process's column carried ~4,300 instructions a query of one-off TurboFan
// work that the bare one had finished. Counting starts after 20,000 and 5,000 more.
const COUNT_WARM = { pg: Number(process.env.BENCH_COUNT_WARM ?? 20_000), sqlite: 200_000 };
const COUNT_SETTLE = { pg: 5000, sqlite: 25_000 };
const ALLOC_COUNT = Number(process.env.BENCH_ALLOC_COUNT ?? 5000);
const STUB_CALLS = 100_000;
const STUB_ROUNDS = 8;
const BASELINE = process.env.BENCH_BASELINE_RUNTIME;
const MODES = ["bare", "monwire", "passthrough", ...(BASELINE ? ["baseline"] : [])];
/** pass-through (the pool and client shapes monitorDatabase() makes, with no monwire code) is pg's. */
const modesFor = (client) => (client === "sqlite" ? MODES.filter((m) => m !== "passthrough") : MODES);

const { startPostgres, postgresAvailable } = await tsImport("../test/helpers/postgres.ts", import.meta.url);

function driverEnv(client, mode, env) {
  return {
    ...process.env,
    BENCH_WARM: String(WARM[client]),
    ...env,
    BENCH_VARIANT: `${client}:${mode === "baseline" ? "monwire" : mode}`,
    ...(mode === "baseline" ? { BENCH_RUNTIME: BASELINE } : {}),
  };
}

/**
 * Client processes on one core and the PostgreSQL server on the other (where taskset and two cores
 * exist; BENCH_PIN=0 turns it off): left to the scheduler, whether a query's answer lands on the
 * client's core or wakes it on the other one moves a process's client CPU by ±5 µs per query,
 * more than the 2 µs the target is about.
 */
function pinServer(cluster) {
  if (process.env.BENCH_PIN === "0" || availableParallelism() < 2 || spawnSync("taskset", ["--version"]).status !== 0) return false;
  const found = spawnSync("pgrep", ["-f", `port=${cluster.port}`], { encoding: "utf8" }).stdout.trim().split("\n").filter(Boolean);
  if (found.length === 0) return false;
  // -a: every thread; backends forked later by this postmaster inherit its affinity.
  return found.every((pid) => spawnSync("taskset", ["-a", "-p", "-c", "0", pid], { stdio: "ignore" }).status === 0);
}
let pinned = false;

function startMode(client, mode, env) {
  const args = pinned ? ["-c", "1", process.execPath, DRIVER] : [DRIVER];
  const driver = startDriver({ args, bin: pinned ? "taskset" : process.execPath, env: driverEnv(client, mode, env), name: `${client}:${mode}` });
  return { ...driver, mode, run: async (n) => (await driver.run(n)).micros };
}

/**
 * CPU µs per query of each mode of one client: each process's median round, in as many batches of
 * fresh processes as the client has, then the median over a variant's processes.
 */
async function cpuPerQuery(client, env) {
  const perProcess = Object.fromEntries(modesFor(client).map((mode) => [mode, []]));
  for (let batch = 0; batch < BATCHES[client]; batch++) {
    for (const [mode, medians] of Object.entries(await cpuBatch(client, env))) perProcess[mode].push(...medians);
  }
  return Object.fromEntries(Object.entries(perProcess).map(([mode, medians]) => [mode, { micros: median(medians), perProcess: medians }]));
}

/** One batch: PROCESSES fresh processes per mode, rounds rotated across all of them; each process's median round. */
async function cpuBatch(client, env) {
  const drivers = modesFor(client).flatMap((mode) => Array.from({ length: PROCESSES }, () => startMode(client, mode, env)));
  try {
    for (const driver of drivers) if ((await driver.ready) !== "ready") throw new Error(`${client}:${driver.mode} driver did not start`);
    for (let round = 0; round < SETTLE; round++) for (const driver of drivers) await driver.run(PER_ROUND[client]);
    const samples = drivers.map(() => []);
    for (let round = 0; round < ROUNDS; round++) {
      // Rotated each round, so no variant always runs right after the same neighbour.
      for (let i = 0; i < drivers.length; i++) {
        const at = (i + round) % drivers.length;
        samples[at].push(await drivers[at].run(PER_ROUND[client]));
      }
    }
    return Object.fromEntries(modesFor(client).map((mode) => [mode, drivers.flatMap((d, i) => (d.mode === mode ? [median(samples[i])] : []))]));
  } finally {
    for (const driver of drivers) driver.stop();
  }
}

function hasValgrind() {
  if (process.env.BENCH_INSTRUCTIONS === "0") return false;
  return spawnSync("valgrind", ["--version"]).status === 0 && spawnSync("callgrind_control", ["--version"]).status === 0;
}

/** Inclusive instructions of the functions whose names match, from callgrind_annotate. */
function inclusive(file, pattern) {
  const text = spawnSync("callgrind_annotate", ["--inclusive=yes", "--threshold=100", file], { encoding: "utf8", maxBuffer: 256 << 20 }).stdout;
  let total = 0;
  for (const line of text.split("\n")) {
    const match = /^\s*([\d,]+)\s+\([^)]*\)\s+(.*)$/.exec(line);
    if (match && pattern.test(match[2])) total += Number(match[1].replaceAll(",", ""));
  }
  return total;
}

/** Per query under callgrind: all instructions, and those left without JIT compilation and GC. */
function countInstructions(client, mode, env, dir) {
  const out = join(dir, `callgrind.${client}.${mode}`);
  const count = COUNTED[client];
  return new Promise((resolve, reject) => {
    const child = spawn("valgrind", ["--tool=callgrind", "--instr-atstart=no", `--callgrind-out-file=${out}`, process.execPath, "--single-threaded", DRIVER], {
      env: driverEnv(client, mode, { ...env, BENCH_COUNT: String(count), BENCH_WARM: String(COUNT_WARM[client]), BENCH_SETTLE: String(COUNT_SETTLE[client]) }),
      stdio: "ignore",
    });
    child.on("error", reject);
    child.on("exit", (code) => {
      if (code !== 0) return reject(new Error(`callgrind run of ${client}:${mode} exited with ${code}`));
      const total = inclusive(out, /^PROGRAM TOTALS/);
      const runtime = inclusive(out, /v8::internal::(Heap::CollectGarbage|Compiler::CompileOptimized|Runtime_CompileLazy)\(/);
      if (total === 0) return reject(new Error(`no totals in ${out}`));
      resolve({ total: total / count, path: (total - runtime) / count });
    });
  });
}

/** Instruction counts of every (client, mode), two valgrind processes at a time (2 cores). */
async function instructionsPerQuery(clients, env) {
  const dir = mkdtempSync(join(tmpdir(), "monwire-bench-callgrind-"));
  try {
    const jobs = clients.flatMap((client) => modesFor(client).map((mode) => ({ client, mode })));
    const counts = {};
    for (let i = 0; i < jobs.length; i += 2) {
      const pair = jobs.slice(i, i + 2);
      const values = await Promise.all(pair.map((j) => countInstructions(j.client, j.mode, env, dir)));
      pair.forEach((j, k) => ((counts[j.client] ??= {})[j.mode] = values[k]));
    }
    return counts;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Heap bytes allocated per query by one (client, mode), or null when a collection fell inside the measured stretch. */
function bytesPerQuery(client, mode, env) {
  // drizzle's query leaves about twice pg's garbage: fewer queries keep the stretch within one young generation.
  const count = client === "sqlite" ? 50_000 : client === "drizzle" ? Math.round(ALLOC_COUNT / 2.5) : ALLOC_COUNT;
  const result = spawnSync(process.execPath, ["--expose-gc", "--min-semi-space-size=64", "--max-semi-space-size=64", DRIVER], {
    env: driverEnv(client, mode, { ...env, BENCH_ALLOC: String(count) }),
    encoding: "utf8",
    timeout: 300_000,
  });
  const line = result.stdout?.trim().split("\n").at(-1);
  if (result.status !== 0 || !line) throw new Error(`allocation run of ${client}:${mode} exited with ${result.status}: ${result.stderr}`);
  return JSON.parse(line).bytes;
}

/**
 * pg-pool's own Pool over a client class that answers at once: the pool path (pool.query →
 * connect → client.query → release) without driver or network, so what differs is monwire.
 */
class InstantClient extends EventEmitter {
  _queryable = true;
  connect(callback) {
    queueMicrotask(() => callback(null));
  }
  query(_text, values, callback) {
    const cb = typeof values === "function" ? values : callback;
    queueMicrotask(() => cb(null, { rows: [] }));
  }
  end(callback) {
    callback?.();
  }
}

/** A pg-like client whose query costs next to nothing, so what remains is the wrapper. */
function stubClient() {
  const done = Promise.resolve({ rows: [] });
  return { query: () => done, connect: () => undefined };
}

/** CPU ns per awaited query() of one round (CPU, not wall: the neighbours on a shared host inflate wall time). */
async function stubRound(client) {
  const cpu = process.cpuUsage();
  await runWithContext({ requestId: "bench", tenant: "EUR" }, async () => {
    for (let i = 0; i < STUB_CALLS; i++) await client.query("SELECT 1");
  });
  const used = process.cpuUsage(cpu);
  return ((used.user + used.system) * 1000) / STUB_CALLS;
}

async function stubCosts(bare, wrapped) {
  const samples = { bare: [], monwire: [] };
  for (let round = 0; round < 2 * STUB_ROUNDS; round++) {
    const first = round % 2 === 0;
    samples[first ? "bare" : "monwire"].push(await stubRound(first ? bare : wrapped));
    samples[first ? "monwire" : "bare"].push(await stubRound(first ? wrapped : bare));
  }
  return { bare: median(samples.bare), monwire: median(samples.monwire) };
}

createMonitoring({ config: { audit: { enabled: false }, metrics: { tokenEnv: "MONWIRE_BENCH_NO_TOKEN" }, database: { client: "pg", probe: true, slowQueryMs: 200 } } });
const bareStub = stubClient();
const wrappedStub = monitorDatabase(stubClient());
await stubRound(bareStub);
await stubRound(wrappedStub);
const stub = await stubCosts(bareStub, wrappedStub);
const barePool = new PgPool({ Client: InstantClient, max: 1 });
const wrappedPool = monitorDatabase(new PgPool({ Client: InstantClient, max: 1 }));
await stubRound(barePool);
await stubRound(wrappedPool);
const poolStub = await stubCosts(barePool, wrappedPool);

const table = [];
const targets = [];
const NAMES = { pg: "pg Pool", drizzle: "drizzle over a pg Pool", sqlite: "better-sqlite3 (memory)" };
const MODE_NAMES = { bare: "bare", monwire: "+ monitorDatabase", passthrough: "+ pass-through wrappers only", baseline: "+ monitorDatabase (baseline build)" };
// Every pg or drizzle driver holds one connection while its client's variants run; ten to spare.
const connections = PROCESSES * MODES.length + 10;
const cluster = postgresAvailable() ? await startPostgres({ maxConnections: connections }) : undefined;
pinned = cluster !== undefined && pinServer(cluster);
// BENCH_CLIENTS=pg,sqlite runs only those (a partial run is for investigating, not for RESULTS.md).
const wanted = process.env.BENCH_CLIENTS?.split(",");
const clients = (cluster ? ["pg", "drizzle", "sqlite"] : ["sqlite"]).filter((c) => !wanted || wanted.includes(c));
const env = cluster ? { BENCH_PG_URL: cluster.url } : {};
try {
  const cpu = {};
  for (const client of clients) cpu[client] = await cpuPerQuery(client, env);
  // Counted for pg (the driver the target is about) and better-sqlite3; drizzle adds only its own
  // code above the same pg path, so its CPU rows stand for it.
  const instructions = hasValgrind() ? await instructionsPerQuery(clients.filter((c) => c !== "drizzle"), env) : undefined;
  const allocated = {};
  for (const client of clients) for (const mode of modesFor(client)) (allocated[client] ??= {})[mode] = bytesPerQuery(client, mode, env);
  for (const client of clients) {
    const bare = cpu[client].bare.micros;
    // The target: max(2 µs, 3 % of the bare query's client CPU).
    const limit = Math.max(2, 0.03 * bare);
    for (const mode of modesFor(client)) {
      const added = cpu[client][mode].micros - bare;
      const counted = instructions?.[client];
      const countedRow = counted !== undefined;
      const addedPath = counted ? counted[mode].path - counted.bare.path : undefined;
      table.push({
        variant: `${NAMES[client]} ${MODE_NAMES[mode]}`,
        "client CPU µs/query": cpu[client][mode].micros.toFixed(2),
        "per process": cpu[client][mode].perProcess.map((v) => v.toFixed(2)).join(" / "),
        "added CPU µs": mode === "bare" ? "—" : added.toFixed(2),
        ...bytesColumns(allocated[client], mode),
        ...(instructions
          ? !countedRow ? { "instructions/query": "(not counted)", "without JIT & GC": "", "added instructions": "" } : {
              "instructions/query": Math.round(counted[mode].total).toLocaleString("en-US"),
              "without JIT & GC": Math.round(counted[mode].path).toLocaleString("en-US"),
              "added instructions": mode === "bare" ? "—" : `${Math.round(addedPath).toLocaleString("en-US")} (${((100 * addedPath) / counted.bare.path).toFixed(1)} %)`,
            }
          : {}),
      });
      if (mode !== "monwire") continue;
      targets.push({ name: `${NAMES[client]}: added client CPU ≤ max(2 µs, 3 % of ${bare.toFixed(2)} µs) = ${limit.toFixed(2)} µs`, value: `${added.toFixed(2)} µs`, ok: added <= limit });
    }
  }
} finally {
  await cluster?.destroy();
}
/** The allocation columns of one row: bytes per query, and what the variant adds to the bare client's. */
function bytesColumns(row, mode) {
  const shown = (v) => (v === null ? "(collected mid-run)" : Math.round(v).toLocaleString("en-US"));
  const bare = row.bare;
  const mine = row[mode];
  const added = mode === "bare" ? "—" : mine === null || bare === null ? "" : `${Math.round(mine - bare).toLocaleString("en-US")} (${((100 * (mine - bare)) / bare).toFixed(1)} %)`;
  return { "heap bytes/query": shown(mine), "added bytes": added };
}

const wrapper = (stub.monwire - stub.bare) / 1000;
const poolWrapper = (poolStub.monwire - poolStub.bare) / 1000;
const stubRow = (variant, micros, added) => ({ variant, "client CPU µs/query": (micros / 1000).toFixed(3), "per process": "", "added CPU µs": added });
table.push(
  stubRow("instant client, bare", stub.bare, "—"),
  stubRow("instant client + monitorDatabase", stub.monwire, wrapper.toFixed(3)),
  stubRow("pg-pool over an instant client, bare", poolStub.bare, "—"),
  stubRow("pg-pool over an instant client + monitorDatabase", poolStub.monwire, poolWrapper.toFixed(3)),
);
targets.push({ name: "the wrapper alone (instant client) ≤ 2 µs per query", value: `${wrapper.toFixed(3)} µs`, ok: wrapper <= 2 });
targets.push({ name: "the pool path alone (pg-pool over an instant client) ≤ 2 µs per query", value: `${poolWrapper.toFixed(3)} µs`, ok: poolWrapper <= 2 });

process.stdout.write(`${JSON.stringify({
  title: "Database instrumentation cost per query",
  machine: machine(),
  method: `SELECT 1, sequential, inside a request context: through a pg Pool (max 1) on a throwaway PostgreSQL 15 on 127.0.0.1, through drizzle-orm over such a pool (db.execute), and a prepared statement's get() on an in-memory better-sqlite3 database; bare vs the same client given to monitorDatabase(), and (pg, drizzle) vs the pool and client shapes monitorDatabase() makes with wrappers that only pass their arguments on (the floor of wrapping the instances at all)${BASELINE ? ", and monitorDatabase() from a baseline build of the runtime" : ""}. Each variant in ${PROCESSES} processes of its own (pg: ${BATCHES.pg} batches of fresh processes, ${PROCESSES * BATCHES.pg} in all)${pinned ? ", all on one core with the PostgreSQL server pinned to the other (taskset)" : ""}; ${ROUNDS} rounds (pg, drizzle: ${PER_ROUND.pg.toLocaleString("en")} queries; sqlite: ${PER_ROUND.sqlite.toLocaleString("en")}) rotated across all processes after a warm-up and ${SETTLE} unmeasured rounds; client CPU from process.cpuUsage() (user+system ÷ queries), a process's median round, then the median of a variant's processes; added = variant − bare. Instructions: valgrind's callgrind in the client process only (node --single-threaded), pg and sqlite only, counting ${COUNTED.pg.toLocaleString("en")} (sqlite ${COUNTED.sqlite.toLocaleString("en")}) queries after a warm-up of ${COUNT_WARM.pg.toLocaleString("en")} (sqlite ${COUNT_WARM.sqlite.toLocaleString("en")}) and ${COUNT_SETTLE.pg.toLocaleString("en")} (sqlite ${COUNT_SETTLE.sqlite.toLocaleString("en")}) more with counting on then zeroed; \"without JIT & GC\" subtracts the inclusive cost of V8's optimizing and lazy compilation and of garbage collections, which fall into a short counted stretch unevenly. Heap bytes: the growth of V8's young generation (64 MB semi-spaces, --expose-gc) over ${ALLOC_COUNT.toLocaleString("en")} queries (drizzle ${Math.round(ALLOC_COUNT / 2.5).toLocaleString("en")}, sqlite 50,000) started right after a full collection, one process per variant, median of 5 stretches, none with a collection inside. The verdict lines hold the added client CPU to max(2 µs, 3 % of the bare query's), the target's own measure; the instruction columns count user space only (most of a loopback query's client time is the kernel's socket work, which callgrind does not see), so their share of the bare query is shown beside it, not judged. ${wanted ? `Partial run (BENCH_CLIENTS): ${clients.join(", ")} only. ` : ""}Instant-client rows: the wrapper alone over a client whose query() returns a resolved promise, and pg-pool's own Pool over a client that answers in a microtask; ${STUB_CALLS.toLocaleString("en")} awaited calls per round, ${2 * STUB_ROUNDS} interleaved rounds, CPU time, median.`,
  table,
  targets,
})}\n`);
process.exit(0);
