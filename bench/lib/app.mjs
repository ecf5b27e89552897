// The benchmark application, shared by the network and the in-memory drivers: one nested route
// (GET /api/licenses/:id) on bare Express 5 (or Express 4 with BENCH_EXPRESS=4), or with monwire, express-prom-bundle with the
// equivalent labels (method, route template, status code, tenant), or a middleware that only
// opens an AsyncLocalStorage context (the floor monwire's request-context contract sets).
import { AsyncLocalStorage } from "node:async_hooks";
import express5 from "express";
import express4 from "express4";

/** The Express major the app is built on: "5" (default) or "4" (the `express4` devDependency alias). */
export const EXPRESS_MAJOR = process.env.BENCH_EXPRESS ?? "5";
if (EXPRESS_MAJOR !== "5" && EXPRESS_MAJOR !== "4") throw new Error(`BENCH_EXPRESS must be 4 or 5, not ${EXPRESS_MAJOR}`);
const express = EXPRESS_MAJOR === "4" ? express4 : express5;

export const VARIANTS = ["bare", "als-only", "monwire", "prom-bundle"];
/** For bench/rules.mjs: monwire without a rule, with a route rule, with a hand-written track.* call. */
export const RULE_VARIANTS = ["bare", "monwire", "monwire-rule", "monwire-track"];

/** The rule variant's business event: a purchase per licence fetch, its amount and tx id from the route. */
const RULE = { "GET /api/licenses/:id": { event: "wallet.purchase", amount: "params.id", txId: "params.id", walletId: "response.product" } };

export async function buildApp(variant) {
  const app = express();
  let track;
  if (variant.startsWith("monwire")) {
    const { createMonitoring } = await import("monwire/runtime");
    const monitoring = createMonitoring({
      config: {
        service: "bench",
        tenants: { values: ["EUR", "KM"], from: "header:x-shop", currency: { EUR: "EUR", KM: "BAM" } },
        metrics: { tokenEnv: "BENCH_UNSET_TOKEN", defaultMetrics: true },
        audit: { enabled: false },
        sentry: { enabled: false },
        ...(variant === "monwire-rule" ? { events: RULE } : {}),
      },
    });
    if (variant === "monwire-track") track = monitoring.track;
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
  } else if (variant !== "bare") {
    throw new Error(`unknown variant ${variant}`);
  }
  // The server's own CPU time, read before and after a measured run.
  app.get("/__cpu", (_req, res) => {
    const { user, system } = process.cpuUsage();
    res.json({ micros: user + system });
  });
  const api = express.Router();
  api.get("/licenses/:id", track
    ? async (req, res) => {
        await track.walletTransaction({ type: "purchase", outcome: "success", amountMinor: Number(req.params.id) * 100, txId: req.params.id, walletId: "pro" });
        res.json({ id: req.params.id, product: "pro", status: "active" });
      }
    : (req, res) => {
        res.json({ id: req.params.id, product: "pro", status: "active" });
      });
  app.use("/api", api);
  return app;
}

/** The request mix: three licence ids for each tenant. */
export const REQUESTS = ["EUR", "KM"].flatMap((shop) => [17, 42, 99].map((id) => ({ method: "GET", path: `/api/licenses/${id}`, headers: { "x-shop": shop } })));
