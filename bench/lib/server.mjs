// One benchmark server process: bare Express 5, + monwire, + express-prom-bundle with the
// equivalent labels (method, route template, status code, tenant), or + a middleware that only
// opens an AsyncLocalStorage context (the floor monwire's request-context contract sets on this
// Node version). Prints its URL when ready.
import { AsyncLocalStorage } from "node:async_hooks";
import express from "express";

const variant = process.env.BENCH_VARIANT ?? "bare";
const app = express();

if (variant === "monwire") {
  const { createMonitoring } = await import("monwire/runtime");
  const monitoring = createMonitoring({
    config: {
      service: "bench",
      tenants: { values: ["EUR", "KM"], from: "header:x-shop", currency: { EUR: "EUR", KM: "BAM" } },
      metrics: { tokenEnv: "BENCH_UNSET_TOKEN", defaultMetrics: true },
      audit: { enabled: false },
      sentry: { enabled: false },
    },
  });
  app.use(monitoring.middleware);
  app.get("/metrics", monitoring.metricsHandler);
} else if (variant === "als-only") {
  const storage = new AsyncLocalStorage();
  app.use((req, _res, next) => storage.run({ requestId: req.headers["x-request-id"] }, next));
} else if (variant === "prom-bundle") {
  const promBundle = (await import("express-prom-bundle")).default;
  const tenants = new Set(["EUR", "KM"]);
  app.use(
    promBundle({
      includeMethod: true,
      includePath: true,
      includeStatusCode: true,
      customLabels: { tenant: null },
      transformLabels: (labels, req) => {
        const shop = req.headers["x-shop"];
        labels.tenant = typeof shop === "string" && tenants.has(shop) ? shop : shop ? "unknown" : "none";
      },
      promClient: { collectDefaultMetrics: {} },
    }),
  );
}

// The server's own CPU time, read before and after a measured run: CPU per request is far less
// sensitive to other load on a shared machine than requests per second.
app.get("/__cpu", (_req, res) => {
  const { user, system } = process.cpuUsage();
  res.json({ micros: user + system });
});

const api = express.Router();
api.get("/licenses/:id", (req, res) => {
  res.json({ id: req.params.id, product: "pro", status: "active" });
});
app.use("/api", api);

const server = app.listen(0, "127.0.0.1", () => {
  process.stdout.write(`listening on http://127.0.0.1:${server.address().port}\n`);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
