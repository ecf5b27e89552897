import { describe, expect, it } from "vitest";
import { createMetricsPathTest } from "../../src/runtime/middleware.js";

describe("createMetricsPathTest: the paths Express routes to the scrape handler", () => {
  const isMetrics = createMetricsPathTest("/metrics");
  it.each(["/metrics", "/METRICS", "/Metrics", "/metrics/", "/METRICS/"])("%s is the metrics path", (path) => {
    expect(isMetrics(path)).toBe(true);
  });
  it.each(["/metrics//", "/metricsx", "/metrics/x", "/metric", "/", "//metrics", "/api/metrics", "/metrics%2F"])("%s is not", (path) => {
    expect(isMetrics(path)).toBe(false);
  });
  it("works for a configured path with a trailing slash or nested segments", () => {
    expect(createMetricsPathTest("/internal/Metrics/")("/internal/metrics")).toBe(true);
    expect(createMetricsPathTest("/internal/metrics")("/INTERNAL/METRICS/")).toBe(true);
  });
});
