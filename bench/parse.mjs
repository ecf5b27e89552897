#!/usr/bin/env node
// Benchmark: exposition parser throughput (MB/s), this tree against a baseline commit, side by
// side in one process. Standalone: node bench/parse.mjs [--baseline REF] [--rounds 9]. Needs a
// built dist/. The baseline's src/ is compiled into a temp dir with this tree's tsc and
// node_modules. The body is prom-client's own output for a registry shaped like a busy
// service (histograms, counters, gauges, a summary over many label sets), in both formats.
// Prints one JSON document.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import client from "prom-client";
import { machine, median } from "./lib/util.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const { values } = parseArgs({ options: { baseline: { type: "string", default: "a7e6649" }, rounds: { type: "string", default: "9" } } });
const rounds = Number(values.rounds);

function buildBaseline(ref) {
  const dir = mkdtempSync(join(tmpdir(), "monwire-bench-parse-"));
  execFileSync("sh", ["-c", `git -C "${root}" archive "${ref}" src tsconfig.json tsconfig.build.json package.json | tar -x -C "${dir}"`]);
  symlinkSync(join(root, "node_modules"), join(dir, "node_modules"));
  execFileSync(join(root, "node_modules/.bin/tsc"), ["-p", join(dir, "tsconfig.build.json")], { stdio: "inherit" });
  return dir;
}

async function bodies() {
  const registry = new client.Registry();
  const labelNames = ["method", "route", "status_code", "tenant"];
  const duration = new client.Histogram({ name: "http_request_duration_seconds", help: "Request latency.", labelNames, buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers: [registry] });
  const requests = new client.Counter({ name: "http_requests_total", help: "Requests.", labelNames, registers: [registry] });
  const inflight = new client.Gauge({ name: "http_requests_in_flight", help: "In flight.", labelNames: ["route"], registers: [registry] });
  const sizes = new client.Summary({ name: "http_response_size_bytes", help: "Response sizes.", labelNames: ["route"], registers: [registry] });
  let n = 0;
  for (const method of ["GET", "POST", "PUT"]) {
    for (let r = 0; r < 40; r++) {
      for (const status of ["200", "404", "500"]) {
        for (const tenant of ["acme", "globex"]) {
          const labels = { method, route: `/api/v1/resource_${r}/:id`, status_code: status, tenant };
          duration.observe(labels, ((n++ * 7919) % 1000) / 300);
          requests.inc(labels, n % 17);
        }
      }
      inflight.set({ route: `/api/v1/resource_${r}/:id` }, r % 5);
      sizes.observe({ route: `/api/v1/resource_${r}/:id` }, 100 + r);
    }
  }
  const text = await registry.metrics();
  registry.setContentType(client.openMetricsContentType);
  const om = await registry.metrics();
  return { text, openmetrics: om };
}

const loadBefore = loadavg()[0];
const baselineDir = buildBaseline(values.baseline);
try {
  const baseline = await import(join(baselineDir, "dist/probe/parse-exposition.js"));
  const current = await import(join(root, "dist/probe/parse-exposition.js"));
  const variants = [
    [`baseline ${values.baseline}`, (body, format) => baseline.parseExposition(body, format)],
    ["this tree", (body, format) => current.parseExposition(body, format)],
    ["this tree, recover (mon check)", (body, format) => current.parseExposition(body, format, { recover: true })],
  ];
  const input = await bodies();
  const table = [];
  const ratios = {};
  for (const format of ["text", "openmetrics"]) {
    const body = input[format];
    const bytes = Buffer.byteLength(body);
    const times = new Map(variants.map(([name]) => [name, []]));
    for (const [, parse] of variants) for (let i = 0; i < 5; i++) parse(body, format); // warm-up
    for (let round = 0; round < rounds; round++) {
      // Rotate the order each round so no variant always runs first after a GC.
      for (let k = 0; k < variants.length; k++) {
        const [name, parse] = variants[(round + k) % variants.length];
        const start = process.hrtime.bigint();
        for (let i = 0; i < 5; i++) parse(body, format);
        times.get(name).push(Number(process.hrtime.bigint() - start) / 5e6);
      }
    }
    const base = median(times.get(variants[0][0]));
    for (const [name] of variants) {
      const ms = median(times.get(name));
      table.push({ format, variant: name, "median ms/parse": ms.toFixed(2), "MB/s": (bytes / 1e6 / (ms / 1000)).toFixed(1), "vs baseline": (base / ms).toFixed(2), "body bytes": bytes, lines: body.split("\n").length });
      ratios[`${format} ${name}`] = base / ms;
    }
  }
  const targets = ["text", "openmetrics"].map((format) => {
    const ratio = ratios[`${format} this tree`];
    return { name: `${format}: parser throughput ≥ 0.95× baseline`, value: ratio.toFixed(2), ok: ratio >= 0.95 };
  });
  process.stdout.write(`${JSON.stringify({
    title: "Exposition parser throughput (mon check's parser vs a baseline commit)",
    machine: machine(),
    method: `prom-client body (360 histogram series, 360 counters, 40 gauges, 40 summaries), parsed 5× per measurement, ${rounds} rounds with the variants' order rotated, after 5 warm-up parses each; median; baseline ${values.baseline} compiled from git into a temp dir and loaded into the same process`,
    table,
    targets,
    notes: `1-minute load average ${loadBefore.toFixed(1)} at the start, ${loadavg()[0].toFixed(1)} at the end (2 cores shared with other jobs): absolute MB/s are depressed by the load, the ratios are what counts.`,
  })}\n`);
} finally {
  rmSync(baselineDir, { recursive: true, force: true });
}
