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
    const cpu = async () => (await (await fetch(`${server.url}/__cpu`)).json()).micros;
    const before = await cpu();
    const result = await autocannon({ url: server.url, connections: 10, duration: SECONDS, requests });
    const cpuMicros = (await cpu()) - before;
    if (result.non2xx > 0 || result.errors > 0) throw new Error(`${variant}: ${result.non2xx} non-2xx, ${result.errors} errors`);
    return { rps: result.requests.average, cpuPerRequest: cpuMicros / result.requests.total };
  } finally {
    await server.stop();
  }
}

const samples = Object.fromEntries(VARIANTS.map((v) => [v, []]));
for (let round = 0; round < ROUNDS; round++) {
  // Interleave variants so that machine noise hits all of them alike.
  for (const variant of VARIANTS) samples[variant].push(await measure(variant));
}
const rps = Object.fromEntries(VARIANTS.map((v) => [v, median(samples[v].map((s) => s.rps))]));
const cpu = Object.fromEntries(VARIANTS.map((v) => [v, median(samples[v].map((s) => s.cpuPerRequest))]));
// Server CPU per request is the robust measure of middleware cost; the throughput ratio a
// CPU-bound server reaches follows from it.
const costUs = (v) => cpu[v] - cpu.bare;
const ratio = cpu.bare / cpu.monwire;

process.stdout.write(
  `${JSON.stringify({
    title: "HTTP throughput: bare Express 5 vs + monwire vs + express-prom-bundle",
    machine: machine(),
    method: `autocannon (10 connections, ${SECONDS} s per run, ${ROUNDS} interleaved rounds) against a server process; server CPU time per request from process.cpuUsage() around each run; medians. GET /api/licenses/:id with x-shop EUR/KM. Throughput is CPU-bound, so its ratio is bare CPU ÷ variant CPU; raw req/s is shown too but swings ±10% with other load on a shared 2-core host`,
    table: VARIANTS.map((v) => ({
      variant: v,
      "server CPU µs/request": cpu[v].toFixed(1),
      "added µs/request": v === "bare" ? "—" : costUs(v).toFixed(1),
      "throughput vs bare (CPU)": (cpu.bare / cpu[v]).toFixed(3),
      "median req/s": Math.round(rps[v]),
      "req/s vs bare": (rps[v] / rps.bare).toFixed(3),
    })),
    targets: [
      { name: "monwire throughput ≥ 0.95× bare (from server CPU per request)", value: ratio.toFixed(3), ok: ratio >= 0.95 },
      { name: "monwire cheaper per request than express-prom-bundle", value: `${costUs("monwire").toFixed(1)} µs vs ${costUs("prom-bundle").toFixed(1)} µs`, ok: costUs("monwire") < costUs("prom-bundle") },
    ],
  })}\n`,
);
