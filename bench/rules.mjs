// Route rules: what a business event costs per request when it comes from a rule in
// mon.config.json, against the same route without a rule and against a hand-written track.*
// call. Same in-memory driver as middleware.mjs (Node's HTTP server, no kernel networking); the
// audit trail is off in every variant so the numbers show the rule machinery, not disk writes
// (an audit line costs the same whichever way the event was produced).
// Prints one JSON document.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { RULE_VARIANTS } from "./lib/app.mjs";
import { startDriver } from "./lib/driver.mjs";
import { machine, median } from "./lib/util.mjs";

const DRIVER = fileURLToPath(new URL("./lib/memory-server.mjs", import.meta.url));
const PROCESSES = Number(process.env.BENCH_PROCESSES ?? 4);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 8);
const PER_ROUND = 4000;
const COUNTED = 2000;

function startVariant(variant) {
  const driver = startDriver({ args: [DRIVER], env: { ...process.env, BENCH_VARIANT: variant }, name: variant });
  return { ...driver, variant, run: async (n) => (await driver.run(n)).micros };
}

const drivers = RULE_VARIANTS.flatMap((variant) => Array.from({ length: PROCESSES }, () => startVariant(variant)));
const cpu = {};
try {
  for (const driver of drivers) if ((await driver.ready) !== "ready") throw new Error(`${driver.variant} driver did not start`);
  const samples = drivers.map(() => []);
  // Interleaved: every round visits every process, starting one further each time.
  for (let round = 0; round < ROUNDS; round++) {
    for (let i = 0; i < drivers.length; i++) {
      const at = (i + round) % drivers.length;
      samples[at].push(await drivers[at].run(PER_ROUND));
    }
  }
  for (const variant of RULE_VARIANTS) {
    const perProcess = drivers.map((d, i) => (d.variant === variant ? median(samples[i]) : undefined)).filter((m) => m !== undefined);
    cpu[variant] = { micros: median(perProcess), perProcess };
  }
} finally {
  for (const driver of drivers) driver.stop();
}

/** Instructions per request under callgrind: nearly deterministic, so unaffected by the neighbours on a busy machine. */
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
      resolve({ total: Number(totals[1]) / COUNTED, ...splitInstructions(out) });
    });
  });
}

// V8's garbage collector and its JIT compilers, by function name in callgrind's per-function
// listing. Whether a major GC or a TurboFan job falls inside the 2,000 counted requests is a matter
// of timing, and either moves the total by 100–200 k instructions per request: the execution
// figure (the total without them) is what a change to monwire's code moves.
const GC = /Mark|Scaveng|Sweep|Barrier|Evacuat|Heap|Worklist|RecordWrite|Promot|Iterate|Pretenur|Slot|SizeFromMap|Allocat|ObjectCache|Minor|Young/;
const JIT = /compiler::|Turbofan|Maglev|Compil|Sparkplug|Baseline|Bytecode|Parser|Zone/;

function splitInstructions(file) {
  const run = spawnSync("callgrind_annotate", ["--threshold=100", file], { encoding: "utf8", maxBuffer: 256 << 20 });
  let gc = 0;
  let jit = 0;
  for (const line of run.stdout.split("\n")) {
    const match = /^\s*([\d,]+) \(\s*[\d.]+%\)\s+(.*)$/.exec(line);
    if (!match || match[2].startsWith("PROGRAM TOTALS")) continue;
    const n = Number(match[1].replaceAll(",", ""));
    if (GC.test(match[2])) gc += n;
    else if (JIT.test(match[2])) jit += n;
  }
  return { gc: gc / COUNTED, jit: jit / COUNTED };
}

async function instructionsPerRequest() {
  if (spawnSync("valgrind", ["--version"]).status !== 0 || spawnSync("callgrind_control", ["--version"]).status !== 0) return undefined;
  const dir = mkdtempSync(join(tmpdir(), "monwire-bench-rules-"));
  try {
    const counts = {};
    for (let i = 0; i < RULE_VARIANTS.length; i += 2) {
      const pair = RULE_VARIANTS.slice(i, i + 2);
      const values = await Promise.all(pair.map((v) => countInstructions(v, dir)));
      pair.forEach((v, j) => (counts[v] = values[j]));
    }
    return counts;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
const instructions = await instructionsPerRequest();

const LABELS = {
  bare: "bare Express 5 (reference)",
  monwire: "monwire, route without a rule",
  "monwire-rule": "monwire, route rule (wallet.purchase from params + response)",
  "monwire-track": "monwire, hand-written await track.walletTransaction()",
};
/** Instructions per request without the garbage collector and the JIT compilers. */
const execution = (v) => instructions[v].total - instructions[v].gc - instructions[v].jit;
const sign = (n) => `${n >= 0 ? "+" : "−"}${Math.round(Math.abs(n)).toLocaleString("en-US")}`;
const table = RULE_VARIANTS.map((v) => ({
  variant: LABELS[v],
  "CPU µs/request": cpu[v].micros.toFixed(1),
  "vs no rule µs": v === "monwire" || v === "bare" ? "—" : (cpu[v].micros - cpu.monwire.micros).toFixed(1),
  "per-process medians µs": cpu[v].perProcess.map((m) => m.toFixed(1)).join(" / "),
  ...(instructions ? {
    "instructions/request": Math.round(instructions[v].total).toLocaleString("en-US"),
    "of which GC / JIT": `${Math.round(instructions[v].gc).toLocaleString("en-US")} / ${Math.round(instructions[v].jit).toLocaleString("en-US")}`,
    "execution instructions/request": Math.round(execution(v)).toLocaleString("en-US"),
    "vs no rule (execution)": v === "monwire" || v === "bare" ? "—" : `${sign(execution(v) - execution("monwire"))}`,
  } : {}),
}));
const ruleCost = cpu["monwire-rule"].micros - cpu.monwire.micros;
const trackCost = cpu["monwire-track"].micros - cpu.monwire.micros;
const targets = [
  { name: "a rule costs a few µs per request (≤ 10 µs CPU over the same route without a rule)", value: `${ruleCost.toFixed(1)} µs`, ok: ruleCost <= 10 },
  { name: "a rule costs about what a hand-written track.* call costs (within 5 µs)", value: `${ruleCost.toFixed(1)} µs vs ${trackCost.toFixed(1)} µs`, ok: Math.abs(ruleCost - trackCost) <= 5 },
];
// Instructions are the robust figure on a shared machine (CPU medians move with the neighbours).
if (instructions) {
  const ruleInstructions = execution("monwire-rule") - execution("monwire");
  targets.push({ name: "a rule adds at most 25,000 instructions per request over the same route without a rule (execution: GC and JIT left out)", value: sign(ruleInstructions), ok: ruleInstructions <= 25_000 });
}

process.stdout.write(`${JSON.stringify({
  title: "Route rules: business events without code",
  machine: machine(),
  method: `GET /api/licenses/:id (x-shop EUR/KM) through Node's HTTP server over in-memory connections (10 connections × 4 pipelined requests). ${PROCESSES} server processes per variant, ${ROUNDS} interleaved rounds of ${PER_ROUND} requests each after 20,000 of warm-up; median of the processes' medians. Audit trail and Sentry off in every variant; the rule and the track.* call record the same wallet.purchase (metric and session sinks; no breadcrumbs with Sentry off). Instructions: callgrind over ${COUNTED} requests after 4,000 of warm-up; "execution" leaves out V8's garbage collector and JIT compilers, whose share of so short a window depends on when a major GC or a compile job happens to run`,
  table,
  targets,
})}\n`);
