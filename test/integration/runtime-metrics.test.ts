import { request as httpRequest } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseExposition, sampleValue, seriesOf, type Exposition } from "../helpers/exposition.js";
import { SHOP_CONFIG, startRuntimeApp, waitForOutput, type RuntimeApp } from "../helpers/runtime-app.js";

interface Step {
  method: string;
  path: string;
  shop?: string;
  body?: unknown;
  times?: number;
  /** Expected labels of http_requests_total; undefined for requests that must not be measured. */
  expect?: { route: string; status: string; tenant: string; method?: string; kind?: string };
}

/** The scripted mix: every request with the series it must land in. */
const MIX: Step[] = [
  { method: "GET", path: "/api/licenses/1", shop: "EUR", times: 3, expect: { route: "/api/licenses/:id", status: "200", tenant: "EUR" } },
  { method: "GET", path: "/api/licenses/2", shop: "KM", times: 2, expect: { route: "/api/licenses/:id", status: "200", tenant: "KM" } },
  { method: "GET", path: "/api/licenses/3", expect: { route: "/api/licenses/:id", status: "200", tenant: "none" } },
  { method: "GET", path: "/api/licenses/4", shop: "XX", expect: { route: "/api/licenses/:id", status: "200", tenant: "unknown" } },
  { method: "GET", path: "/api/licenses/5", shop: "eur", expect: { route: "/api/licenses/:id", status: "200", tenant: "EUR" } },
  { method: "HEAD", path: "/api/licenses/6", shop: "EUR", expect: { route: "/api/licenses/:id", status: "200", tenant: "EUR" } },
  { method: "POST", path: "/api/login", shop: "EUR", body: { user: "ana", password: "correct" }, times: 2, expect: { route: "/api/login", status: "200", tenant: "EUR" } },
  { method: "POST", path: "/api/login", shop: "KM", body: { user: "bo", password: "nope" }, expect: { route: "/api/login", status: "401", tenant: "KM", kind: "client_error" } },
  { method: "POST", path: "/api/logout", shop: "EUR", expect: { route: "/api/logout", status: "204", tenant: "EUR" } },
  { method: "GET", path: "/api/boom", shop: "KM", times: 2, expect: { route: "/api/boom", status: "500", tenant: "KM", kind: "exception" } },
  { method: "GET", path: "/api/fail", shop: "EUR", expect: { route: "/api/fail", status: "500", tenant: "EUR", kind: "server_error" } },
  { method: "POST", path: "/api/shops/EUR/wallet/deposit", shop: "EUR", body: { amountMinor: 1050 }, expect: { route: "/api/shops/:shop/wallet/deposit", status: "201", tenant: "EUR" } },
  { method: "POST", path: "/api/shops/KM/wallet/deposit", shop: "KM", body: { amountMinor: -5 }, expect: { route: "/api/shops/:shop/wallet/deposit", status: "400", tenant: "KM", kind: "client_error" } },
  { method: "GET", path: "/api/shops/KM", shop: "KM", expect: { route: "/api/shops/:shop", status: "200", tenant: "KM" } },
  { method: "POST", path: "/api/licenses", shop: "EUR", body: { product: "pro", count: 3 }, expect: { route: "/api/licenses", status: "201", tenant: "EUR" } },
  { method: "POST", path: "/api/licenses", shop: "KM", body: { product: "enterprise", count: 2 }, expect: { route: "/api/licenses", status: "201", tenant: "KM" } },
  { method: "POST", path: "/api/branches", shop: "KM", body: { id: "sarajevo" }, expect: { route: "/api/branches", status: "201", tenant: "KM" } },
  { method: "GET", path: "/nope/deeper?x=1", shop: "EUR", expect: { route: "unmatched", status: "404", tenant: "EUR", kind: "client_error" } },
  { method: "PURGE", path: "/health", expect: { route: "unmatched", status: "404", tenant: "none", method: "_OTHER", kind: "client_error" } },
  { method: "GET", path: "/health", expect: { route: "/health", status: "200", tenant: "none" } },
  { method: "GET", path: "/admin/reports/2025-01-04", shop: "KM", times: 2, expect: { route: "/admin/reports/:day", status: "200", tenant: "KM" } },
  { method: "GET", path: "/metrics", times: 3 },
];

async function send(app: RuntimeApp, step: Pick<Step, "method" | "path" | "shop" | "body">): Promise<number> {
  const headers: Record<string, string> = {};
  if (step.shop) headers["x-shop"] = step.shop;
  if (step.body !== undefined) headers["content-type"] = "application/json";
  const response = await fetch(app.url + step.path, {
    method: step.method,
    headers,
    ...(step.body !== undefined ? { body: JSON.stringify(step.body) } : {}),
  });
  await response.arrayBuffer();
  return response.status;
}

async function scrape(app: RuntimeApp): Promise<Exposition> {
  const response = await fetch(`${app.url}/metrics`);
  expect(response.status).toBe(200);
  return parseExposition(await response.text());
}

function expectedCounts(steps: Step[], kindOnly: boolean): Map<string, number> {
  const counts = new Map<string, number>();
  for (const step of steps) {
    if (!step.expect || (kindOnly && !step.expect.kind)) continue;
    const e = step.expect;
    const method = e.method ?? step.method;
    const key = kindOnly
      ? `kind=${e.kind},method=${method},route=${e.route},tenant=${e.tenant}`
      : `method=${method},route=${e.route},status_code=${e.status},tenant=${e.tenant}`;
    counts.set(key, (counts.get(key) ?? 0) + (step.times ?? 1));
  }
  return counts;
}

describe.each(["express", "express4"] as const)("runtime metrics on %s", (expressPkg) => {
  let app: RuntimeApp;
  let afterMix: Exposition;

  beforeAll(async () => {
    app = await startRuntimeApp({ expressPkg });
    for (const step of MIX) {
      for (let i = 0; i < (step.times ?? 1); i++) await send(app, step);
    }
    afterMix = await scrape(app);
  });
  afterAll(async () => app?.cleanup());

  it("counts the scripted mix exactly per method, route template, status and tenant", () => {
    expect(seriesOf(afterMix, "http_requests_total")).toEqual(expectedCounts(MIX, false));
    expect(seriesOf(afterMix, "http_request_duration_seconds_count")).toEqual(expectedCounts(MIX, false));
  });

  it("counts api errors by kind, one kind per failed request", () => {
    expect(seriesOf(afterMix, "api_errors_total")).toEqual(expectedCounts(MIX, true));
  });

  it("counts the business events with bounded labels", () => {
    expect(seriesOf(afterMix, "authentication_attempts_total")).toEqual(
      new Map([
        ["method=password,outcome=success,tenant=EUR", 2],
        ["method=password,outcome=failure,tenant=KM", 1],
      ]),
    );
    expect(seriesOf(afterMix, "wallet_transactions_total")).toEqual(
      new Map([
        ["outcome=success,tenant=EUR,type=deposit", 1],
        ["outcome=failure,tenant=KM,type=deposit", 1],
      ]),
    );
    expect(seriesOf(afterMix, "license_keys_generated_total")).toEqual(
      new Map([
        ["product=pro,tenant=EUR", 3],
        ["product=other,tenant=KM", 2],
      ]),
    );
    expect(sampleValue(afterMix, "branches_created_total", { tenant: "KM" })).toBe(1);
    expect(sampleValue(afterMix, "active_user_sessions", { tenant: "EUR" })).toBe(1);
  });

  it("never measures the metrics path itself", () => {
    const routes = afterMix.samples.filter((s) => s.name.startsWith("http_")).map((s) => s.labels.route);
    expect(routes).not.toContain("/metrics");
    expect(routes.length).toBeGreaterThan(0);
  });

  it("adds no series for 100 random 404 paths", async () => {
    const before = await scrape(app);
    const names = ["http_requests_total", "http_request_duration_seconds_bucket", "api_errors_total"];
    for (let i = 0; i < 100; i++) {
      const random = Math.random().toString(36).slice(2);
      expect(await send(app, { method: "GET", path: `/r-${random}/${i}/${random}`, shop: "EUR" })).toBe(404);
    }
    const after = await scrape(app);
    for (const name of names) expect([...seriesOf(after, name).keys()]).toEqual([...seriesOf(before, name).keys()]);
    const unmatched = { method: "GET", route: "unmatched", status_code: "404", tenant: "EUR" };
    expect(sampleValue(after, "http_requests_total", unmatched)).toBe((sampleValue(before, "http_requests_total", unmatched) ?? 0) + 100);
  });

  it("counts a request aborted by the client exactly once", async () => {
    const started = (app.output().match(/slow request finished/g) ?? []).length;
    await new Promise<void>((resolve) => {
      const req = httpRequest(`${app.url}/api/slow?ms=300`, { headers: { "x-shop": "KM" } });
      req.on("error", () => resolve());
      req.end();
      void waitForOutput(app, /slow request started/).then(() => req.destroy());
    });
    await waitForOutput(app, new RegExp(`(slow request finished[\\s\\S]*){${started + 1}}`));
    const after = await scrape(app);
    expect(seriesOf(after, "http_requests_total").get("method=GET,route=/api/slow,status_code=499,tenant=KM")).toBe(1);
    expect([...seriesOf(after, "http_requests_total").keys()].filter((k) => k.includes("/api/slow"))).toHaveLength(1);
  });
});

describe.each(["express", "express4"] as const)("tenant from a route param on %s", (expressPkg) => {
  let app: RuntimeApp;
  beforeAll(async () => {
    app = await startRuntimeApp({ expressPkg, config: { ...SHOP_CONFIG, tenants: { ...SHOP_CONFIG.tenants, from: "param:shop" } } });
  });
  afterAll(async () => app?.cleanup());

  it("resolves the tenant once routing knows the params, for metrics and track helpers alike", async () => {
    expect(await send(app, { method: "POST", path: "/api/shops/KM/wallet/deposit", body: { amountMinor: 700 } })).toBe(201);
    expect(await send(app, { method: "POST", path: "/api/shops/XX/wallet/deposit", body: { amountMinor: 700 } })).toBe(201);
    expect(await send(app, { method: "GET", path: "/api/licenses/1", shop: "KM" })).toBe(200);
    const exposition = await scrape(app);
    expect(seriesOf(exposition, "http_requests_total")).toEqual(
      new Map([
        ["method=POST,route=/api/shops/:shop/wallet/deposit,status_code=201,tenant=KM", 1],
        ["method=POST,route=/api/shops/:shop/wallet/deposit,status_code=201,tenant=unknown", 1],
        ["method=GET,route=/api/licenses/:id,status_code=200,tenant=none", 1],
      ]),
    );
    expect(seriesOf(exposition, "wallet_transactions_total")).toEqual(
      new Map([
        ["outcome=success,tenant=KM,type=deposit", 1],
        ["outcome=success,tenant=unknown,type=deposit", 1],
      ]),
    );
  });
});
