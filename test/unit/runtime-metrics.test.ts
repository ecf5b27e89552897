import { beforeEach, describe, expect, it } from "vitest";
import { CATALOG } from "../../src/metrics/catalog.js";
import { DEFAULT_BUCKETS } from "../../src/config/schema.js";
import { getMetrics, resetMetrics } from "../../src/runtime/metrics.js";

describe("getMetrics", () => {
  beforeEach(() => resetMetrics());

  it("is one object per process until reset", () => {
    const first = getMetrics();
    expect(getMetrics()).toBe(first);
    resetMetrics();
    expect(getMetrics()).not.toBe(first);
  });

  it("registers every catalog family with its type, help and labels on its own registry", async () => {
    const metrics = getMetrics();
    const text = await metrics.registry.metrics();
    for (const entry of CATALOG) {
      expect(text).toContain(`# HELP ${entry.name} ${entry.help}`);
      expect(text).toContain(`# TYPE ${entry.name} ${entry.type}`);
      expect((metrics.families.get(entry.name) as unknown as { labelNames: string[] }).labelNames).toEqual([...entry.labels]);
    }
    // Default metrics come with configure(), not before.
    expect(text).not.toContain("process_cpu_user_seconds_total");
  });

  it("starts the closed-set sentry_envelopes_total series at zero", async () => {
    const text = await getMetrics().registry.metrics();
    for (const status of ["delivered", "rejected", "rate_limited", "network_error"]) {
      expect(text).toContain(`sentry_envelopes_total{status="${status}"} 0`);
    }
  });

  it("applies configured buckets, and accessors see the rebuilt histogram", async () => {
    const metrics = getMetrics();
    const labels = { method: "GET", route: "/x", status_code: "200", tenant: "none" };
    metrics.httpDuration.observe(labels, 0.2);
    expect(await metrics.registry.metrics()).toContain(`le="${DEFAULT_BUCKETS[0]}"`);
    metrics.configure({ buckets: [0.1, 0.3] });
    metrics.httpDuration.observe(labels, 0.2);
    const text = await metrics.registry.metrics();
    expect(text).toContain('http_request_duration_seconds_bucket{le="0.1",method="GET",route="/x",status_code="200",tenant="none"} 0');
    expect(text).toContain('http_request_duration_seconds_bucket{le="0.3",method="GET",route="/x",status_code="200",tenant="none"} 1');
    expect(text).not.toContain(`le="${DEFAULT_BUCKETS[0]}"`);
  });

  it("switches default metrics on and off without registering them twice", async () => {
    const metrics = getMetrics();
    metrics.configure({ defaultMetrics: true });
    metrics.configure({ defaultMetrics: true });
    expect(await metrics.registry.metrics()).toContain("process_cpu_user_seconds_total");
    metrics.configure({ defaultMetrics: false });
    expect(await metrics.registry.metrics()).not.toContain("process_cpu_user_seconds_total");
    metrics.configure({ defaultMetrics: true });
    const text = await metrics.registry.metrics();
    expect(text.match(/# TYPE process_cpu_user_seconds_total counter/g)).toHaveLength(1);
    expect(text).not.toMatch(/^monwire_|^app_process/m);
  });
});
