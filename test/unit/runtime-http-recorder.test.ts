import { once } from "node:events";
import type { AddressInfo } from "node:net";
import express5 from "express";
import express4 from "express4";
import { Counter, Histogram, Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { createHttpRecorder } from "../../src/runtime/http-recorder.js";
import { createMiddleware } from "../../src/runtime/middleware.js";
import { getMetrics, resetMetrics } from "../../src/runtime/metrics.js";
import { SHARED_ROUTE_ACCESSORS } from "../../src/runtime/route-template.js";
import { createTenantResolution } from "../../src/runtime/tenant.js";

type Labels = "method" | "route" | "status_code" | "tenant";
const LABELS: Labels[] = ["method", "route", "status_code", "tenant"];

function families(buckets: number[]) {
  const registry = new Registry();
  const requests = new Counter<Labels>({ name: "http_requests_total", help: "Requests.", labelNames: LABELS, registers: [registry] });
  const duration = new Histogram<Labels>({ name: "http_request_duration_seconds", help: "Duration.", labelNames: LABELS, buckets, registers: [registry] });
  return { registry, requests, duration };
}

/** A request mix over several label sets, with durations on, between and above the bucket bounds. */
const MIX: [string, string, string, string, number][] = [
  ["GET", "/api/licenses/:id", "200", "EUR", 0.004],
  ["GET", "/api/licenses/:id", "200", "EUR", 0.05],
  ["GET", "/api/licenses/:id", "200", "KM", 0.1],
  ["POST", "/api/wallet", "201", "EUR", 0.3],
  ["GET", "/api/licenses/:id", "404", "none", 12],
  ["GET", "/api/licenses/:id", "200", "EUR", 0.25],
  ["POST", "/api/wallet", "201", "EUR", 0],
  ["GET", "/api/licenses/:id", "200", "EUR", 1],
];

describe("createHttpRecorder", () => {
  it("renders exactly what prom-client's own inc/observe render, for repeated label sets", async () => {
    const buckets = [0.005, 0.05, 0.1, 0.25, 1, 5];
    const viaRecorder = families(buckets);
    const viaClient = families(buckets);
    const recorder = createHttpRecorder(() => viaRecorder);
    for (let round = 0; round < 3; round++) {
      for (const [method, route, status, tenant, seconds] of MIX) {
        recorder.record(method, route, status, tenant, seconds);
        const labels = { method, route, status_code: status, tenant };
        viaClient.requests.inc(labels);
        viaClient.duration.observe(labels, seconds);
      }
    }
    const text = await viaRecorder.registry.metrics();
    expect(text).toBe(await viaClient.registry.metrics());
    expect(text).toContain('http_requests_total{method="GET",route="/api/licenses/:id",status_code="200",tenant="EUR"} 12');
  });

  it("starts a reset or removed series again from zero, and follows a family replaced by a rebuilt one", async () => {
    let current = families([0.1, 1]);
    const recorder = createHttpRecorder(() => current);
    recorder.record("GET", "/a", "200", "EUR", 0.05);
    recorder.record("GET", "/a", "200", "EUR", 0.05);
    current.requests.reset();
    current.duration.reset();
    recorder.record("GET", "/a", "200", "EUR", 0.5);
    let text = await current.registry.metrics();
    expect(text).toContain('http_requests_total{method="GET",route="/a",status_code="200",tenant="EUR"} 1\n');
    expect(text).toContain('http_request_duration_seconds_count{method="GET",route="/a",status_code="200",tenant="EUR"} 1\n');
    current.requests.remove({ method: "GET", route: "/a", status_code: "200", tenant: "EUR" });
    recorder.record("GET", "/a", "200", "EUR", 0.5);
    text = await current.registry.metrics();
    expect(text).toContain('http_requests_total{method="GET",route="/a",status_code="200",tenant="EUR"} 1\n');

    current = families([0.2, 2]);
    recorder.record("GET", "/a", "200", "EUR", 0.15);
    text = await current.registry.metrics();
    expect(text).toContain('http_request_duration_seconds_bucket{le="0.2",method="GET",route="/a",status_code="200",tenant="EUR"} 1\n');
    expect(text).toContain('http_requests_total{method="GET",route="/a",status_code="200",tenant="EUR"} 1\n');
  });
});

describe.each([
  ["Express 5", express5],
  ["Express 4", express4],
] as const)("the route watch under %s", (_name, express) => {
  it("labels the route template; on Node 24 Express's request keeps baseUrl and route off its own properties", async () => {
    resetMetrics();
    const metrics = getMetrics();
    const tenants = createTenantResolution({ values: ["EUR", "KM"], from: "header:x-shop" });
    const app = express();
    app.use(createMiddleware({ metrics, tenants, metricsPath: "/metrics", measure: true }));
    const seen: { ownBaseUrl: boolean; ownRoute: boolean; baseUrl: string; routePath: unknown }[] = [];
    const shops = express.Router({ mergeParams: false });
    shops.get("/licenses/:id", (req, res) => {
      seen.push({
        ownBaseUrl: Object.prototype.hasOwnProperty.call(req, "baseUrl"),
        ownRoute: Object.prototype.hasOwnProperty.call(req, "route"),
        baseUrl: req.baseUrl,
        routePath: (req.route as { path?: unknown } | undefined)?.path,
      });
      res.json({ id: req.params.id });
    });
    app.use("/shops/:shop", shops);
    const server = app.listen(0, "127.0.0.1");
    await once(server, "listening");
    try {
      const { port } = server.address() as AddressInfo;
      // The first request may precede the shared accessors' first use; the later ones must not.
      for (const id of [1, 2, 3]) {
        const response = await fetch(`http://127.0.0.1:${port}/shops/eur/licenses/${id}`, { headers: { "x-shop": "EUR" } });
        expect(response.status).toBe(200);
      }
    } finally {
      server.close();
    }
    // Node 24+: the shared accessors on IncomingMessage.prototype; before: accessors on the request.
    const own = !SHARED_ROUTE_ACCESSORS;
    expect(seen.slice(1)).toEqual([
      { ownBaseUrl: own, ownRoute: own, baseUrl: "/shops/eur", routePath: "/licenses/:id" },
      { ownBaseUrl: own, ownRoute: own, baseUrl: "/shops/eur", routePath: "/licenses/:id" },
    ]);
    const text = await metrics.registry.metrics();
    expect(text).toContain('http_requests_total{method="GET",route="/shops/:shop/licenses/:id",status_code="200",tenant="EUR"} 3\n');
  });
});
