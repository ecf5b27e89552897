// Issue 2 benchmarks: bare Express 5 vs + monwire vs + express-prom-bundle (same route, same
// labels), plus an AsyncLocalStorage-only middleware as the reference floor of a request context.
// All servers (several processes per variant) start once and stay up; each round loads every
// server for a short burst, in an order that rotates per round, and reads the server's own CPU
// time around the burst. Ratios are paired within a round (bare and variant measured seconds
// apart), so slow drifts in the load of this shared host cancel; the median over many rounds and
// processes resists the bursts and the per-process differences that remain.
// Prints one JSON document.
import autocannon from "autocannon";
import { fileURLToPath } from "node:url";
import { REQUESTS, VARIANTS } from "./lib/app.mjs";
import { machine, median, percentile, startServer } from "./lib/util.mjs";

const SERVER = fileURLToPath(new URL("./lib/server.mjs", import.meta.url));
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 12);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 2);
/** Server processes per variant: identical processes differ by up to 15 % here, so one is not enough. */
const PROCESSES = Number(process.env.BENCH_PROCESSES ?? 3);
const CONNECTIONS = 10;

async function burst(server, seconds) {
  const cpu = async () => (await (await fetch(`${server.url}/__cpu`)).json()).micros;
  const before = await cpu();
  const result = await autocannon({ url: server.url, connections: CONNECTIONS, duration: seconds, requests: REQUESTS });
  const cpuMicros = (await cpu()) - before;
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${server.variant}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return { rps: result.requests.average, cpuPerRequest: cpuMicros / result.requests.total };
}

const servers = [];
try {
  for (let copy = 0; copy < PROCESSES; copy++) {
    for (const variant of VARIANTS) servers.push({ variant, copy, ...(await startServer(SERVER, { BENCH_VARIANT: variant })) });
  }
  // Warm every server's JIT before anything is measured.
  for (const server of servers) await burst(server, 2);

  // rounds[r][copy][variant] = sample
  const rounds = [];
  for (let round = 0; round < ROUNDS; round++) {
    const order = servers.map((_, i) => servers[(i + round) % servers.length]);
    const samples = Array.from({ length: PROCESSES }, () => ({}));
    for (const server of order) samples[server.copy][server.variant] = await burst(server, SECONDS);
    rounds.push(samples);
  }

  const all = (v, field) => rounds.flatMap((r) => r.map((copies) => copies[v][field]));
  // A variant's cost: the median over its server processes of each process's median.
  const cpu = (v) => median(Array.from({ length: PROCESSES }, (_, k) => median(rounds.map((r) => r[k][v].cpuPerRequest))));
  const rps = (v) => median(all(v, "rps"));
  // Throughput a CPU-bound server reaches is proportional to 1 / CPU per request; bare and variant
  // are paired within a round and process copy.
  const paired = (v) => rounds.flatMap((r) => r.map((copies) => copies.bare.cpuPerRequest / copies[v].cpuPerRequest));
  const spread = (v) => `${percentile(paired(v), 25).toFixed(2)}–${percentile(paired(v), 75).toFixed(2)}`;
  const ratio = (v) => median(paired(v));
  const added = (v) => median(rounds.flatMap((r) => r.map((copies) => copies[v].cpuPerRequest - copies.bare.cpuPerRequest)));

  process.stdout.write(
    `${JSON.stringify({
      title: "HTTP throughput: bare Express 5 vs + monwire vs + express-prom-bundle",
      machine: machine(),
      method: `${PROCESSES} server processes per variant, started once; ${ROUNDS} rounds × ${SECONDS} s autocannon bursts (${CONNECTIONS} connections) per server, order rotated each round; server CPU per request from process.cpuUsage() around each burst (a variant's figure: median of its processes' medians); throughput ratio = bare CPU ÷ variant CPU paired within each round and process copy, median (and interquartile range) over all pairs. GET /api/licenses/:id with x-shop EUR/KM. "als-only" opens an AsyncLocalStorage context and nothing else: the floor of the request-context contract`,
      table: VARIANTS.map((v) => ({
        variant: v,
        "server CPU µs/request": cpu(v).toFixed(1),
        "added µs/request (paired)": v === "bare" ? "—" : added(v).toFixed(1),
        "throughput vs bare": v === "bare" ? "1.000" : ratio(v).toFixed(3),
        "IQR of round ratios": v === "bare" ? "—" : spread(v),
        "median req/s": Math.round(rps(v)),
      })),
      targets: [
        { name: "monwire throughput ≥ 0.95× bare (paired server CPU per request)", value: ratio("monwire").toFixed(3), ok: ratio("monwire") >= 0.95 },
        {
          name: "monwire cheaper per request than express-prom-bundle",
          value: `${added("monwire").toFixed(1)} µs vs ${added("prom-bundle").toFixed(1)} µs`,
          ok: added("monwire") < added("prom-bundle"),
        },
      ],
    })}\n`,
  );
} finally {
  await Promise.all(servers.map((server) => server.stop()));
}
