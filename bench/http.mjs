// Issue 2 benchmarks: requests/s for bare Express 5 vs + monwire vs + express-prom-bundle (same
// route, same labels), measured side by side in interleaved rounds; the per-request cost is derived
// from the throughput difference. Prints one JSON document.
import autocannon from "autocannon";
import { fileURLToPath } from "node:url";
import { machine, median, startServer } from "./lib/util.mjs";

const SERVER = fileURLToPath(new URL("./lib/server.mjs", import.meta.url));
const VARIANTS = ["bare", "monwire", "prom-bundle"];
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);

async function measure(variant) {
  const server = await startServer(SERVER, { BENCH_VARIANT: variant });
  try {
    const requests = ["EUR", "KM"].flatMap((shop) =>
      [17, 42, 99].map((id) => ({ method: "GET", path: `/api/licenses/${id}`, headers: { "x-shop": shop } })),
    );
    // Warm up the JIT before the measured run.
    await autocannon({ url: server.url, connections: 10, duration: 1, requests });
    const result = await autocannon({ url: server.url, connections: 10, duration: SECONDS, requests });
    if (result.non2xx > 0 || result.errors > 0) throw new Error(`${variant}: ${result.non2xx} non-2xx, ${result.errors} errors`);
    return result.requests.average;
  } finally {
    await server.stop();
  }
}

const samples = Object.fromEntries(VARIANTS.map((v) => [v, []]));
for (let round = 0; round < ROUNDS; round++) {
  // Interleave variants so that machine noise hits all of them alike.
  for (const variant of VARIANTS) samples[variant].push(await measure(variant));
}
const rps = Object.fromEntries(VARIANTS.map((v) => [v, median(samples[v])]));
const costUs = (v) => (1e6 / rps[v] - 1e6 / rps.bare);
const ratio = rps.monwire / rps.bare;

process.stdout.write(
  `${JSON.stringify({
    title: "HTTP throughput: bare Express 5 vs + monwire vs + express-prom-bundle",
    machine: machine(),
    method: `autocannon, 10 connections, ${SECONDS} s per run, ${ROUNDS} interleaved rounds, median req/s; GET /api/licenses/:id with x-shop EUR/KM`,
    table: VARIANTS.map((v) => ({
      variant: v,
      "median req/s": Math.round(rps[v]),
      "vs bare": (rps[v] / rps.bare).toFixed(3),
      "added µs/request": v === "bare" ? "—" : costUs(v).toFixed(1),
      samples: samples[v].map(Math.round).join(", "),
    })),
    targets: [
      { name: "monwire throughput ≥ 0.95× bare", value: ratio.toFixed(3), ok: ratio >= 0.95 },
      { name: "monwire cheaper per request than express-prom-bundle", value: `${costUs("monwire").toFixed(1)} µs vs ${costUs("prom-bundle").toFixed(1)} µs`, ok: costUs("monwire") < costUs("prom-bundle") },
    ],
  })}\n`,
);
