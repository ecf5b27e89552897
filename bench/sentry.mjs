// What Sentry costs per request with monwire, in two measures (prints one JSON document):
// 1. Whole requests, Sentry off vs on, through Node's HTTP server over in-memory connections
//    (lib/memory-server.mjs with lib/sentry-app.mjs; the SDK loaded by an instrument file with
//    --import, sending to a transport that serialises and discards): off; the SDK's own
//    Sentry.init without monwire's pieces; monwire's initSentry (errors only); the same at the
//    production default of 10 % traced; each on a route that answers 200 and on one that throws
//    (every request an error event). One process per variant, rounds interleaved, medians.
// 2. monwire's pieces on their own (lib/sentry-pieces.mjs): the scope observer, the traces
//    sampler, the beforeSend chain, the per-tenant dedupe, each minus a baseline.
// The envelope count each process reports guards against measuring a no-op: the error variants
// must send about one event per request.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { startDriver } from "./lib/driver.mjs";
import { machine, median } from "./lib/util.mjs";

const here = (name) => fileURLToPath(new URL(name, import.meta.url));
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 6);
const VARIANTS = [
  { name: "off", sentry: "off", route: "ok" },
  { name: "SDK alone", sentry: "sdk", route: "ok" },
  { name: "monwire", sentry: "on", route: "ok" },
  { name: "monwire, 10 % traced", sentry: "traced", route: "ok" },
  { name: "off", sentry: "off", route: "error" },
  { name: "SDK alone", sentry: "sdk", route: "error" },
  { name: "monwire", sentry: "on", route: "error" },
  { name: "monwire, dedupe off", sentry: "on-nodedupe", route: "error" },
];
// Errors cost ~10× a plain request: fewer of them per round keeps rounds about as long.
const PER_ROUND = { ok: 600, error: 150 };
const WARMUP = { ok: 3000, error: 600 };

function startVariant(variant) {
  const env = {
    ...process.env, BENCH_APP: "./sentry-app.mjs", BENCH_SENTRY: variant.sentry, BENCH_ROUTE: variant.route,
    BENCH_STATUS: variant.route === "error" ? "500" : "200", BENCH_WARMUP: String(WARMUP[variant.route]),
  };
  const args = ["--import", here("./lib/sentry-instrument.mjs"), here("./lib/memory-server.mjs")];
  return { ...startDriver({ args, env, name: `${variant.name} (${variant.route})` }), variant };
}

const drivers = VARIANTS.map(startVariant);
const samples = drivers.map(() => []);
const envelopes = drivers.map(() => ({ before: 0, after: 0, requests: 0 }));
try {
  for (const d of drivers) if ((await d.ready) !== "ready") throw new Error(`${d.variant.name} driver did not start`);
  for (let round = 0; round < ROUNDS; round++) {
    for (let k = 0; k < drivers.length; k++) {
      const at = (k + round) % drivers.length;
      const n = PER_ROUND[drivers[at].variant.route];
      const doc = await drivers[at].run(n);
      // Round 0 finishes the warm-up (the SDK's first requests are still several times slower): neither its time nor its envelopes count.
      if (round === 0) envelopes[at].before = doc.envelopes;
      else {
        samples[at].push(doc.micros);
        envelopes[at].requests += n;
      }
      envelopes[at].after = doc.envelopes;
    }
  }
} finally {
  for (const d of drivers) d.stop();
}

const micros = samples.map(median);
const base = (route) => micros[VARIANTS.findIndex((v) => v.route === route && v.sentry === "off")];
const table = VARIANTS.map((v, i) => {
  const sent = envelopes[i].after - envelopes[i].before;
  return {
    route: v.route === "ok" ? "200 (no error)" : "throws (one error event per request)",
    Sentry: v.name,
    "CPU µs/request": micros[i].toFixed(0),
    "added vs off µs": v.sentry === "off" ? "—" : (micros[i] - base(v.route)).toFixed(0),
    "envelopes/request": envelopes[i].requests ? (sent / envelopes[i].requests).toFixed(2) : "—",
    "round medians µs": samples[i].map((m) => m.toFixed(0)).join(" / "),
  };
});
const errorsSent = VARIANTS.map((v, i) => (v.route === "error" && v.sentry !== "off" ? (envelopes[i].after - envelopes[i].before) / envelopes[i].requests : 1));
if (errorsSent.some((r) => r < 0.5)) throw new Error(`an error variant sent too few envelopes (${errorsSent.join(", ")}): the error path did not run`);

const pieces = spawnSync(process.execPath, [here("./lib/sentry-pieces.mjs")], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], env: { ...process.env, BENCH_ROUNDS: String(Number(process.env.BENCH_PIECE_ROUNDS ?? 11)) } });
if (pieces.status !== 0) throw new Error(`sentry-pieces exited with ${pieces.status}`);
const piecesDoc = JSON.parse(pieces.stdout.trim());
for (const [name, p] of Object.entries(piecesDoc.pieces)) {
  table.push({ route: "piece alone (in-process)", Sentry: name, "CPU µs/request": p.withPiece.toFixed(2), "added vs off µs": p.micros.toFixed(2), "envelopes/request": "—", "round medians µs": `baseline ${p.baseline.toFixed(2)}` });
}
const at = (sentry, route) => micros[VARIANTS.findIndex((v) => v.sentry === sentry && v.route === route)];
const sdkOwn = at("sdk", "ok") - at("off", "ok");
const perRequest = piecesDoc.pieces["scope observer (per request)"].micros + piecesDoc.pieces["traces sampler (per request)"].micros;
process.stdout.write(`${JSON.stringify({
  title: "Sentry cost per request (Sentry off vs on, in-memory connections)",
  machine: machine(),
  method: `GET /api/licenses/:id (x-shop EUR/KM, a signed-in B2B user) through Node's HTTP server over in-memory connections (10 × 4 pipelined), @sentry/node ${piecesDoc.sdk} loaded with --import, envelopes serialised then discarded (no network). One process per variant, ${ROUNDS} interleaved rounds (${PER_ROUND.ok} requests, ${PER_ROUND.error} on the throwing route) after ${WARMUP.ok} / ${WARMUP.error} of warm-up; CPU = the server process's user+system time; figure = median of the rounds after the first (which only completes the warm-up). Pieces: each piece minus a baseline doing the same setup, ${Number(process.env.BENCH_PIECE_ROUNDS ?? 11)} interleaved rounds, median`,
  table,
  targets: [
    { name: "monwire's per-request Sentry pieces (scope observer + traces sampler) ≤ 5 % of what the SDK itself adds per request", value: `${perRequest.toFixed(1)} µs of ${sdkOwn.toFixed(0)} µs`, ok: perRequest <= 0.05 * sdkOwn },
  ],
})}\n`);
