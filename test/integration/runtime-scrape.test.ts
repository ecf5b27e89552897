import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseExposition, sampleValue } from "../helpers/exposition.js";
import { SHOP_CONFIG, startRuntimeApp, type RuntimeApp } from "../helpers/runtime-app.js";

const TOKEN = "scrape-token-3f9c1a";
const PROMETHEUS_ACCEPT =
  "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";
const TEXT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
const OPENMETRICS_TYPE = "application/openmetrics-text; version=1.0.0; charset=utf-8";

const withAuth = (headers: Record<string, string> = {}) => ({ ...headers, authorization: `Bearer ${TOKEN}` });

describe("the /metrics endpoint with a token and a hung database", () => {
  let app: RuntimeApp;
  beforeAll(async () => {
    app = await startRuntimeApp({
      config: { ...SHOP_CONFIG, metrics: { ...SHOP_CONFIG.metrics, databaseProbeTimeoutMs: 200 } },
      env: { MONWIRE_METRICS_TOKEN: TOKEN, DB_PROBE: "hang", SEPARATE_METRICS: "1" },
    });
    await fetch(`${app.url}/api/licenses/7`, { headers: { "x-shop": "EUR" } }).then((r) => r.arrayBuffer());
  });
  afterAll(async () => app?.cleanup());

  it("answers 401 with a Bearer challenge without the token, 401 invalid_token with a wrong one, 200 with it", async () => {
    const missing = await fetch(`${app.url}/metrics`);
    expect(missing.status).toBe(401);
    expect(missing.headers.get("www-authenticate")).toBe('Bearer realm="metrics"');
    expect(await missing.text()).not.toContain("http_requests_total");

    const wrong = await fetch(`${app.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}x` } });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get("www-authenticate")).toBe('Bearer realm="metrics", error="invalid_token"');

    const ok = await fetch(`${app.url}/metrics`, { headers: withAuth() });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain("http_requests_total");
    expect(app.output()).not.toContain(TOKEN);
  });

  it("serves the Content-Type that matches the body for text and OpenMetrics requests", async () => {
    const text = await fetch(`${app.url}/metrics`, { headers: withAuth({ accept: "text/plain" }) });
    expect(text.headers.get("content-type")).toBe(TEXT_TYPE);
    const textBody = await text.text();
    expect(textBody).toContain("# TYPE http_requests_total counter");
    expect(textBody).not.toContain("# EOF");

    const om = await fetch(`${app.url}/metrics`, { headers: withAuth({ accept: PROMETHEUS_ACCEPT }) });
    expect(om.headers.get("content-type")).toBe(OPENMETRICS_TYPE);
    const omBody = await om.text();
    expect(omBody).toContain("# TYPE http_requests counter");
    expect(omBody).toMatch(/^http_requests_total\{.*tenant="EUR"\} 1$/m);
    expect(omBody.endsWith("# EOF\n")).toBe(true);

    // An OpenMetrics render must not rename the counters for the text scrapes that follow.
    const again = await fetch(`${app.url}/metrics`, { headers: withAuth() });
    expect(again.headers.get("content-type")).toBe(TEXT_TYPE);
    const againBody = await again.text();
    expect(againBody).toContain("# TYPE http_requests_total counter");
    expect(againBody).not.toContain("# TYPE http_requests counter");
  });

  it("reports database_up 0 when the probe hangs, and the scrape still returns", async () => {
    const response = await fetch(`${app.url}/metrics`, { headers: withAuth(), signal: AbortSignal.timeout(10_000) });
    expect(response.status).toBe(200);
    expect(sampleValue(parseExposition(await response.text()), "database_up")).toBe(0);
  });

  it("also serves the scrape on its own port, with the same token, and nothing else there", async () => {
    expect(app.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const url = app.metricsUrl as string;
    expect((await fetch(url)).status).toBe(401);
    const ok = await fetch(url, { headers: withAuth() });
    expect(ok.status).toBe(200);
    expect(ok.headers.get("content-type")).toBe(TEXT_TYPE);
    expect(await ok.text()).toContain("http_requests_total");
    expect((await fetch(url.replace("/metrics", "/api/licenses/1"))).status).toBe(404);
  });
});

describe.each([
  ["down", 0],
  ["up", 1],
  ["none", undefined],
] as const)("database_up with probe %s", (probe, expected) => {
  let app: RuntimeApp;
  beforeAll(async () => {
    app = await startRuntimeApp({ expressPkg: "express4", env: { DB_PROBE: probe, MONWIRE_METRICS_TOKEN: "" } });
  });
  afterAll(async () => app?.cleanup());

  it(`is ${expected ?? "absent"}`, async () => {
    const response = await fetch(`${app.url}/metrics`);
    expect(response.status).toBe(200);
    const exposition = parseExposition(await response.text());
    expect(sampleValue(exposition, "database_up")).toBe(expected);
    expect(exposition.types.has("database_up")).toBe(expected !== undefined);
  });
});
