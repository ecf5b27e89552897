// Issue 2 benchmark: middleware cost per request, without the network. Each variant's app runs
// behind Node's real HTTP server fed over in-memory connections (lib/memory-server.mjs), so the
// kernel and the load generator are out of the numbers. Two measures:
// - CPU µs per request: several server processes per variant (identical processes differ by up to
//   15 % on this host: JIT decisions and memory layout), each measured in rounds interleaved with
//   the others; a variant's figure is the median of its processes' medians.
// - Instructions per request, counted by valgrind's callgrind over 2,000 requests after 4,000 of
//   warm-up: nearly deterministic, so unaffected by the neighbours on a shared machine. Skipped
//   (and said so) where valgrind is not installed.
// Prints one JSON document.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { VARIANTS } from "./lib/app.mjs";
import { machine, median } from "./lib/util.mjs";

const DRIVER = fileURLToPath(new URL("./lib/memory-server.mjs", import.meta.url));
const PROCESSES = Number(process.env.BENCH_PROCESSES ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 8);
const PER_ROUND = 4000;
const COUNTED = 2000;

function startDriver(variant) {
  const child = spawn(process.execPath, [DRIVER], { env: { ...process.env, BENCH_VARIANT: variant }, stdio: ["pipe", "pipe", "inherit"] });
  child.stdout.setEncoding("utf8");
  let buffered = "";
  const waiting = [];
  child.stdout.on("data", (chunk) => {
    buffered += chunk;
    for (let nl = buffered.indexOf("\n"); nl !== -1; nl = buffered.indexOf("\n")) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      waiting.shift()?.(line);
    }
  });
  const nextLine = () => new Promise((resolve) => waiting.push(resolve));
  const ready = nextLine();
  return {
    variant,
    ready,
    async run(n) {
      const reply = nextLine();
      child.stdin.write(`run ${n}\n`);
      return JSON.parse(await reply).micros;
    },
    stop() {
      child.stdin.write("quit\n");
    },
  };
}

async function cpuPerRequest() {
  const drivers = VARIANTS.flatMap((variant) => Array.from({ length: PROCESSES }, () => startDriver(variant)));
  try {
    for (const driver of drivers) if ((await driver.ready) !== "ready") throw new Error(`${driver.variant} driver did not start`);
    const samples = drivers.map(() => []);
    for (let round = 0; round < ROUNDS; round++) {
      for (let i = 0; i < drivers.length; i++) {
        const at = (i + round) % drivers.length;
        samples[at].push(await drivers[at].run(PER_ROUND));
      }
    }
    return Object.fromEntries(VARIANTS.map((variant) => {
      const perProcess = drivers.map((d, i) => (d.variant === variant ? median(samples[i]) : undefined)).filter((m) => m !== undefined);
      return [variant, { micros: median(perProcess), perProcess }];
    }));
  } finally {
    for (const driver of drivers) driver.stop();
  }
}

function hasValgrind() {
  return spawnSync("valgrind", ["--version"]).status === 0 && spawnSync("callgrind_control", ["--version"]).status === 0;
}

/** Instructions per request of one variant under callgrind; two variants run at a time (2 cores). */
function countInstructions(variant, dir) {
  const out = join(dir, `callgrind.${variant}`);
  return new Promise((resolve, reject) => {
    const child = spawn("valgrind", ["--tool=callgrind", "--instr-atstart=no", `--callgrind-out-file=${out}`, process.execPath, "--single-threaded", DRIVER], {
      env: { ...process.env, BENCH_VARIANT: variant, BENCH_COUNT: String(COUNTED), BENCH_WARM: "4000" },
      stdio: "ignore",
    });
    child.on("error", reject);
    child.on("exit", (code) => {
      if (code !== 0) return reject(new Error(`callgrind run of ${variant} exited with ${code}`));
      const totals = /^(?:summary|totals):\s+(\d+)/m.exec(readFileSync(out, "utf8"));
      if (!totals) return reject(new Error(`no totals in ${out}`));
      resolve(Number(totals[1]) / COUNTED);
    });
  });
}

async function instructionsPerRequest() {
  const dir = mkdtempSync(join(tmpdir(), "monwire-bench-callgrind-"));
  try {
    const counts = {};
    for (let i = 0; i < VARIANTS.length; i += 2) {
      const pair = VARIANTS.slice(i, i + 2);
      const values = await Promise.all(pair.map((v) => countInstructions(v, dir)));
      pair.forEach((v, j) => (counts[v] = values[j]));
    }
    return counts;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const cpu = await cpuPerRequest();
const instructions = hasValgrind() ? await instructionsPerRequest() : undefined;
const ratio = (v) => cpu.bare.micros / cpu[v].micros;
const instructionRatio = (v) => instructions.bare / instructions[v];
const table = VARIANTS.map((v) => ({
  variant: v,
  "CPU µs/request": cpu[v].micros.toFixed(1),
  "added µs": v === "bare" ? "—" : (cpu[v].micros - cpu.bare.micros).toFixed(1),
  "throughput vs bare (CPU)": ratio(v).toFixed(3),
  "per-process medians µs": cpu[v].perProcess.map((m) => m.toFixed(0)).join(" / "),
  ...(instructions ? { "instructions/request": Math.round(instructions[v]).toLocaleString("en-US"), "throughput vs bare (instructions)": instructionRatio(v).toFixed(3) } : {}),
}));
const targets = [{ name: "monwire ≥ 0.95× bare throughput (in-memory CPU per request)", value: ratio("monwire").toFixed(3), ok: ratio("monwire") >= 0.95 }];
if (instructions) targets.push({ name: "monwire ≥ 0.95× bare throughput (instructions per request)", value: instructionRatio("monwire").toFixed(3), ok: instructionRatio("monwire") >= 0.95 });
targets.push({ name: "monwire cheaper per request than express-prom-bundle", value: `${(cpu.monwire.micros - cpu.bare.micros).toFixed(1)} µs vs ${(cpu["prom-bundle"].micros - cpu.bare.micros).toFixed(1)} µs`, ok: cpu.monwire.micros < cpu["prom-bundle"].micros });

process.stdout.write(`${JSON.stringify({
  title: "Middleware cost per request (in-memory connections)",
  machine: machine(),
  method: `GET /api/licenses/:id (x-shop EUR/KM) through Node's HTTP server over in-memory connections (10 connections × 4 pipelined requests), no kernel networking, no load generator. CPU: ${PROCESSES} server processes per variant, ${ROUNDS} interleaved rounds of ${PER_ROUND} requests each after 20,000 of warm-up; median of the processes' medians. ${instructions ? `Instructions: callgrind over ${COUNTED} requests after 4,000 of warm-up (node --single-threaded), one process per variant.` : "Instructions: not counted (valgrind is not installed)."} Throughput ratio = bare cost ÷ variant cost`,
  table,
  targets,
})}\n`);
