import { afterEach, describe, expect, it } from "vitest";
import { createQueryRecorder, now } from "../../src/runtime/db/recorder.js";
import { getMetrics, resetMetrics } from "../../src/runtime/metrics.js";

/**
 * The recorder reads db_query_duration_seconds once, when it is created: that holds only while
 * configure() never rebuilds that family, which its own buckets in the catalog guarantee.
 */
describe("createQueryRecorder", () => {
  afterEach(() => resetMetrics());

  it("keeps recording into the live family after configure() rebuilds the other histograms", async () => {
    resetMetrics();
    const metrics = getMetrics();
    const recorder = createQueryRecorder(metrics);
    const family = metrics.dbQueryDuration;
    const http = metrics.httpDuration;
    recorder.record("select", "EUR", now(), undefined, "SELECT 1");
    metrics.configure({ buckets: [0.05, 0.5, 5] });
    expect(metrics.httpDuration).not.toBe(http);
    expect(metrics.dbQueryDuration).toBe(family);
    recorder.record("select", "EUR", now(), undefined, "SELECT 1");
    recorder.record("insert", "KM", now(), new Error("boom"), "INSERT INTO t VALUES (1)");
    const text = await metrics.registry.metrics();
    expect(text).toContain('db_query_duration_seconds_count{operation="select",tenant="EUR"} 2');
    expect(text).toContain('db_query_duration_seconds_count{operation="insert",tenant="KM"} 1');
    expect(text).toMatch(/db_query_errors_total\{operation="insert",tenant="KM",code="[^"]+"\} 1/);
  });
});
