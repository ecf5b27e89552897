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
import { machine, median } from "./lib/util.mjs";

const DRIVER = fileURLToPath(new URL("./lib/memory-server.mjs", import.meta.url));
const PROCESSES = Number(process.env.BENCH_PROCESSES ?? 2);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 6);
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

const drivers = RULE_VARIANTS.flatMap((variant) => Array.from({ length: PROCESSES }, () => startDriver(variant)));
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
      resolve(Number(totals[1]) / COUNTED);
    });
  });
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
const table = RULE_VARIANTS.map((v) => ({
  variant: LABELS[v],
  "CPU µs/request": cpu[v].micros.toFixed(1),
  "vs no rule µs": v === "monwire" || v === "bare" ? "—" : (cpu[v].micros - cpu.monwire.micros).toFixed(1),
  "per-process medians µs": cpu[v].perProcess.map((m) => m.toFixed(1)).join(" / "),
  ...(instructions ? {
    "instructions/request": Math.round(instructions[v]).toLocaleString("en-US"),
    "vs no rule (instructions)": v === "monwire" || v === "bare" ? "—" : `+${Math.round(instructions[v] - instructions.monwire).toLocaleString("en-US")}`,
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
  const ruleInstructions = instructions["monwire-rule"] - instructions.monwire;
  targets.push({ name: "a rule adds at most 25,000 instructions per request over the same route without a rule", value: `+${Math.round(ruleInstructions).toLocaleString("en-US")}`, ok: ruleInstructions <= 25_000 });
}

process.stdout.write(`${JSON.stringify({
  title: "Route rules: business events without code",
  machine: machine(),
  method: `GET /api/licenses/:id (x-shop EUR/KM) through Node's HTTP server over in-memory connections (10 connections × 4 pipelined requests). ${PROCESSES} server processes per variant, ${ROUNDS} interleaved rounds of ${PER_ROUND} requests each after 20,000 of warm-up; median of the processes' medians. Audit trail and Sentry off in every variant; the rule and the track.* call record the same wallet.purchase (metric and session sinks; no breadcrumbs with Sentry off)`,
  table,
  targets,
})}\n`);
