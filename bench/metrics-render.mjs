// Issue 2 benchmark: time to render /metrics for the whole catalog with 2 tenants × 50 routes.
import express from "express";
import { performance } from "node:perf_hooks";
import { createMonitoring } from "monwire/runtime";
import { machine, median, percentile } from "./lib/util.mjs";

const monitoring = createMonitoring({
  config: {
    service: "bench",
    tenants: { values: ["EUR", "KM"], from: "header:x-shop", currency: { EUR: "EUR", KM: "BAM" } },
    audit: { enabled: false },
    sentry: { enabled: false },
  },
});
const app = express();
app.use(monitoring.middleware);
for (let i = 0; i < 50; i++) app.get(`/api/r${i}/:id`, (_req, res) => res.sendStatus(i % 10 === 0 ? 404 : 200));
app.get("/metrics", monitoring.metricsHandler);
const server = app.listen(0, "127.0.0.1");
await new Promise((r) => server.once("listening", r));
const base = `http://127.0.0.1:${server.address().port}`;

for (const shop of ["EUR", "KM"]) {
  for (let i = 0; i < 50; i++) {
    for (const method of ["GET", "POST"]) {
      await fetch(`${base}/api/r${i}/1`, { method, headers: { "x-shop": shop } });
    }
  }
}

const timings = { text: [], openmetrics: [] };
let bytes = 0;
let series = 0;
for (let i = 0; i < 200; i++) {
  for (const [format, accept] of [["text", "text/plain"], ["openmetrics", "application/openmetrics-text; version=1.0.0"]]) {
    const start = performance.now();
    const response = await fetch(`${base}/metrics`, { headers: { accept } });
    const body = await response.text();
    timings[format].push(performance.now() - start);
    if (format === "text") {
      bytes = body.length;
      series = body.split("\n").filter((l) => l && !l.startsWith("#")).length;
    }
  }
}
server.close();

process.stdout.write(
  `${JSON.stringify({
    title: "/metrics render time (catalog, 2 tenants × 50 routes)",
    machine: machine(),
    method: "GET /metrics over loopback 200 times per format after 200 distinct labelled requests; wall time incl. HTTP",
    table: Object.entries(timings).map(([format, t]) => ({
      format,
      "median ms": median(t).toFixed(2),
      "p99 ms": percentile(t, 99).toFixed(2),
      series,
      "body bytes": bytes,
    })),
    targets: [],
  })}\n`,
);
