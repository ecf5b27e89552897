// Issue 2 benchmark: `mon --version` start-up against `node -e 0`, the floor for any Node CLI.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import { machine, median } from "./lib/util.mjs";

const MON = fileURLToPath(new URL("../bin/mon.js", import.meta.url));
const RUNS = Number(process.env.BENCH_RUNS ?? 30);
const commands = {
  "node -e 0": ["-e", "0"],
  "mon --version": [MON, "--version"],
  "mon --help": [MON, "--help"],
};

const samples = Object.fromEntries(Object.keys(commands).map((k) => [k, []]));
for (let i = 0; i < RUNS; i++) {
  for (const [name, args] of Object.entries(commands)) {
    const start = performance.now();
    const run = spawnSync(process.execPath, args, { stdio: "ignore" });
    if (run.status !== 0) throw new Error(`${name} exited with ${run.status}`);
    samples[name].push(performance.now() - start);
  }
}
const floor = median(samples["node -e 0"]);
const ratio = median(samples["mon --version"]) / floor;
process.stdout.write(
  `${JSON.stringify({
    title: "CLI start-up",
    machine: machine(),
    method: `${RUNS} interleaved spawns each, median wall time`,
    table: Object.keys(commands).map((name) => ({
      command: name,
      "median ms": median(samples[name]).toFixed(1),
      "vs node -e 0": (median(samples[name]) / floor).toFixed(2),
    })),
    targets: [{ name: "mon --version ≤ 1.5× node -e 0", value: ratio.toFixed(2), ok: ratio <= 1.5 }],
  })}\n`,
);
