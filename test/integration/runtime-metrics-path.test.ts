import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseExposition, seriesOf } from "../helpers/exposition.js";
import { startRuntimeApp, type RuntimeApp } from "../helpers/runtime-app.js";

/**
 * Express routes case-insensitively and without strict trailing slashes by default, so the
 * scrape handler mounted at /metrics also answers /METRICS and /metrics/. Those requests are
 * scrapes too and must stay out of the request metrics, as the docs promise for the metrics path.
 */
const SCRAPE_SPELLINGS = ["/metrics", "/METRICS", "/metrics/", "/Metrics/?x=1", "/mEtRiCs?name[]=up"];

describe.each(["express", "express4"] as const)("the metrics path on %s", (expressPkg) => {
  let app: RuntimeApp;
  beforeAll(async () => {
    app = await startRuntimeApp({ expressPkg });
  });
  afterAll(async () => app?.cleanup());

  it("is never measured, whatever the case or trailing slash Express itself accepts", async () => {
    for (const path of SCRAPE_SPELLINGS) {
      const response = await fetch(app.url + path);
      expect(response.status, path).toBe(200);
      expect(await response.text(), path).toContain("# TYPE http_requests_total counter");
    }
    // Paths Express does not route to the scrape handler are ordinary requests and are measured.
    for (const path of ["/metrics//", "/metricsx", "/metrics/x"]) await (await fetch(app.url + path)).arrayBuffer();
    const exposition = parseExposition(await (await fetch(`${app.url}/metrics`)).text());
    const series = seriesOf(exposition, "http_requests_total");
    expect([...series.keys()].filter((key) => /route=\/metrics/i.test(key))).toEqual([]);
    expect([...series.values()].reduce((a, b) => a + b, 0)).toBe(3);
  });
});
