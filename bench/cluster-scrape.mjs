// Cost of one aggregated scrape: 4 node:cluster workers, each holding the whole catalog at
// 2 tenants × 50 routes, scraped through the primary (createClusterMetrics) versus one worker's
// own /metrics. Interleaved rounds; CPU is summed over the primary and all workers from /proc.
import cluster from "node:cluster";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { performance } from "node:perf_hooks";
import { createClusterMetrics, createMonitoring } from "monwire/runtime";
import { machine, median, percentile } from "./lib/util.mjs";

const WORKERS = 4;
const config = {
  service: "bench",
  tenants: { values: ["EUR", "KM"], from: "header:x-shop", currency: { EUR: "EUR", KM: "BAM" } },
  audit: { enabled: false },
  sentry: { enabled: false },
};

if (cluster.isWorker) {
  const { default: express } = await import("express");
  const monitoring = createMonitoring({ config, databaseProbe: () => true });
  const clusterMetrics = await createClusterMetrics({ monitoring });
  const app = express();
  app.use(monitoring.middleware);
  for (let i = 0; i < 50; i++) app.all(`/api/r${i}/:id`, (_req, res) => res.sendStatus(i % 10 === 0 ? 404 : 200));
  app.get("/metrics", clusterMetrics.handler);
  app.listen(Number(process.env.PORT), "127.0.0.1");
  // Every series in every worker: each worker sends the 200 distinct requests to itself on a
  // private port (exclusive: not shared through the primary's balancer).
  const privateServer = app.listen({ port: 0, host: "127.0.0.1", exclusive: true });
  await new Promise((r) => privateServer.once("listening", r));
  const self = `http://127.0.0.1:${privateServer.address().port}`;
  for (const shop of ["EUR", "KM"]) {
    for (let i = 0; i < 50; i++) {
      for (const method of ["GET", "POST"]) await fetch(`${self}/api/r${i}/1`, { method, headers: { "x-shop": shop } }).then((r) => r.arrayBuffer());
    }
  }
  privateServer.close();
  const own = await monitoring.startMetricsServer({ port: 0 });
  process.send({ ownMetrics: own.url });
} else {
  const port = await new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });
  const clusterMetrics = await createClusterMetrics();
  const primary = await clusterMetrics.startServer({ port: 0 });
  const own = [];
  const ready = new Promise((resolve) => {
    cluster.on("message", (_w, message) => {
      if (message?.ownMetrics) own.push(message.ownMetrics);
      if (own.length === WORKERS) resolve();
    });
  });
  for (let i = 0; i < WORKERS; i++) cluster.fork({ PORT: String(port) });
  await ready;
  await new Promise((r) => setTimeout(r, 500));

  const pids = [process.pid, ...Object.values(cluster.workers).map((w) => w.process.pid)];
  const ticks = () => pids.reduce((sum, pid) => {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return sum + Number(fields[11]) + Number(fields[12]);
  }, 0);
  const TICK_MS = 10; // USER_HZ is 100 on Linux
  const variants = {
    "one worker's own /metrics": { url: own[0], wall: [], cpuMs: 0, n: 0, series: 0, bytes: 0 },
    [`aggregated over ${WORKERS} workers (primary)`]: { url: primary.url, wall: [], cpuMs: 0, n: 0, series: 0, bytes: 0 },
  };
  for (let round = 0; round < 20; round++) {
    for (const v of Object.values(variants)) {
      const before = ticks();
      for (let i = 0; i < 5; i++) {
        const start = performance.now();
        const body = await (await fetch(v.url)).text();
        v.wall.push(performance.now() - start);
        v.bytes = body.length;
        v.series = body.split("\n").filter((l) => l && !l.startsWith("#")).length;
      }
      v.cpuMs += (ticks() - before) * TICK_MS;
      v.n += 5;
    }
  }
  for (const worker of Object.values(cluster.workers)) worker.kill();
  await clusterMetrics.close();
  const [single, aggregated] = Object.values(variants);
  const cpu = (v) => v.cpuMs / v.n;
  process.stdout.write(`${JSON.stringify({
    title: `Cluster: one aggregated scrape (${WORKERS} workers × catalog at 2 tenants × 50 routes)`,
    machine: machine(),
    method: `${WORKERS} node:cluster workers, each holding every series (each sent itself the 200 distinct requests: 2 tenants × 50 routes × GET/POST); 20 interleaved rounds of 5 scrapes per variant over loopback; CPU = utime+stime of the primary and all workers from /proc (10 ms ticks), per scrape`,
    table: Object.entries(variants).map(([variant, v]) => ({
      variant,
      "median ms": median(v.wall).toFixed(2),
      "p99 ms": percentile(v.wall, 99).toFixed(2),
      "CPU ms/scrape (all processes)": cpu(v).toFixed(1),
      series: v.series,
      "body bytes": v.bytes,
    })),
    targets: [
      { name: `aggregated scrape over ${WORKERS} workers median ≤ 250 ms`, value: `${median(aggregated.wall).toFixed(1)} ms`, ok: median(aggregated.wall) <= 250 },
      { name: "added CPU per aggregated scrape (vs one worker's own)", value: `${(cpu(aggregated) - cpu(single)).toFixed(1)} ms`, ok: true },
    ],
  })}\n`);
  process.exit(0);
}
