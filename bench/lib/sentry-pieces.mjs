// monwire's Sentry pieces, each timed on its own in one process with the real @sentry/node:
// the per-request scope observer (tenant, request id, route on the isolation scope), the traces
// sampler, the beforeSend chain an error event passes (tags, user policy, scrubber), and the
// per-tenant dedupe. Every piece runs in rounds interleaved with the others and with a baseline
// doing the same work minus the piece; a piece's cost is the median over rounds of (piece −
// baseline). Prints one JSON document: { pieces: { name: { micros, baselineMicros } } }.
import * as Sentry from "@sentry/node";
import { runWithContext } from "../../dist/runtime/context.js";
import { createScopeObserver } from "../../dist/runtime/sentry/scope.js";
import { createTracesSampler } from "../../dist/runtime/sentry/traces.js";
import { buildInitOptions } from "../../dist/runtime/sentry/options.js";
import { tenantDedupeIntegration } from "../../dist/runtime/sentry/dedupe.js";
import { defaultConfig } from "../../dist/config/schema.js";
import { median } from "./util.mjs";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
const major = Number(Sentry.SDK_VERSION.split(".")[0]);
Sentry.init({ dsn: "http://0123456789abcdef@127.0.0.1:9/1", transport: () => ({ send: async () => ({ statusCode: 200 }), flush: async () => true }) });

const context = (i) => ({
  requestId: `req-${i}`, tenant: i % 2 ? "EUR" : "KM", route: "/api/licenses/:id", ip: "203.0.113.7", userAgent: "ShopClient/3.1",
  actor: { id: `u-${i % 50}`, role: "owner", segment: "b2b", type: "user" }, branch: "br-sa", branchPath: ["br-root", "br-ba"], txId: `tx-${i}`,
});

/** An error event as the SDK hands it to beforeSend: a 12-frame stack, the request, 20 breadcrumbs, contexts. */
function errorEvent(i) {
  const frames = Array.from({ length: 12 }, (_, f) => ({ filename: `/srv/shop/dist/server${f}.mjs`, function: `handler${f}`, lineno: 100 + f, colno: 7, in_app: f > 4, pre_context: ["  const a = 1;"], context_line: "  throw new Error(message);", post_context: ["}"] }));
  return {
    event_id: `e${i}`, level: "error", platform: "node", timestamp: Date.now() / 1000,
    exception: { values: [{ type: "Error", value: `license ${i % 3} could not be activated`, stacktrace: { frames }, mechanism: { type: "middleware", handled: false } }] },
    request: { method: "POST", url: `http://127.0.0.1/api/licenses/${i % 3}?token=abc123secret`, headers: { "user-agent": "ShopClient/3.1", authorization: "Bearer abcdefghijkl", cookie: "sid=1", "x-shop": "EUR" }, data: { password: "hunter2", amount: 1050 } },
    breadcrumbs: Array.from({ length: 20 }, (_, b) => ({ category: "http", message: `GET /api/x/${b}?api_key=k${b}`, data: { url: `/api/x/${b}`, status_code: 200 }, timestamp: Date.now() / 1000 })),
    contexts: { runtime: { name: "node", version: process.version }, os: { name: "linux" }, trace: { trace_id: "0".repeat(32), span_id: "0".repeat(16) } },
    tags: {}, extra: { payload: { password: "x", note: "card 4111 1111 1111 1111" } }, user: { id: `u-${i}`, ip_address: "203.0.113.7" },
  };
}

const config = defaultConfig().sentry;
const options = buildInitOptions(Sentry, major, "http://0123456789abcdef@127.0.0.1:9/1", config, {}, { environment: "production", release: "bench@1", tracesRate: 0.1, metricsPath: "/metrics" });
const observer = createScopeObserver(Sentry);
const sampler = createTracesSampler({ rate: 0.1, metricsPath: "/metrics", ignorePaths: [] });
const dedupe = tenantDedupeIntegration();
const samplingContext = (i) => ({ name: `GET /api/licenses/${i % 3}`, attributes: { "http.request.method": "GET", "url.path": `/api/licenses/${i % 3}` }, parentSampled: undefined });

/** Each piece: [per-call work, the same call minus the piece], and how many calls per round. */
const PIECES = {
  "scope observer (per request)": [
    (i) => Sentry.withIsolationScope(() => { const c = context(i); observer(c, "start"); c.route = "/api/licenses/:id"; observer(c, "finish"); }),
    (i) => Sentry.withIsolationScope(() => { const c = context(i); c.route = "/api/licenses/:id"; }),
    20_000,
  ],
  "traces sampler (per request)": [(i) => sampler(samplingContext(i)), (i) => samplingContext(i), 200_000],
  "beforeSend: tags, user policy, scrubber (per error)": [(i) => runWithContext(context(i), () => options.beforeSend(errorEvent(i), { originalException: new Error("x") })), (i) => runWithContext(context(i), () => errorEvent(i)), 4_000],
  "per-tenant dedupe (per error)": [(i) => runWithContext(context(i), () => dedupe.processEvent(errorEvent(i))), (i) => runWithContext(context(i), () => errorEvent(i)), 4_000],
};

function time(fn, n) {
  const start = process.cpuUsage();
  for (let i = 0; i < n; i++) fn(i);
  const used = process.cpuUsage(start);
  return (used.user + used.system) / n;
}

const names = Object.keys(PIECES);
for (const name of names) {
  const [piece, base, n] = PIECES[name];
  time(piece, n);
  time(base, n);
}
const samples = Object.fromEntries(names.map((n) => [n, { piece: [], base: [], diff: [] }]));
for (let round = 0; round < ROUNDS; round++) {
  for (let k = 0; k < names.length; k++) {
    const name = names[(k + round) % names.length];
    const [piece, base, n] = PIECES[name];
    // Alternate which goes first, so neither always runs on a warmer cache.
    const [p, b] = round % 2 ? [time(piece, n), time(base, n)] : [undefined, time(base, n)];
    const pieceMicros = p ?? time(piece, n);
    samples[name].piece.push(pieceMicros);
    samples[name].base.push(b);
    samples[name].diff.push(pieceMicros - b);
  }
}
process.stdout.write(`${JSON.stringify({ sdk: Sentry.SDK_VERSION, pieces: Object.fromEntries(names.map((n) => [n, { micros: median(samples[n].diff), withPiece: median(samples[n].piece), baseline: median(samples[n].base) }])) })}\n`);
await Sentry.close(0);
