import { Histogram, Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { createSeries, observe, type Series } from "../../src/runtime/db/fast-observe.js";

/** A series as a function, the way the recorder uses it. */
const createObserve = (histogram: Histogram<string>, labels: Record<string, string>) => {
  const series: Series = createSeries(histogram, labels);
  return (seconds: number) => observe(series, seconds);
};

/** The fast path writes prom-client's own series entry: it must render exactly like observe(). */
describe("createObserve", () => {
  const make = () => {
    const registry = new Registry();
    const histogram = new Histogram({ name: "q_seconds", help: "q", labelNames: ["operation", "tenant"], buckets: [0.001, 0.01, 0.1, 1], registers: [registry] });
    return { registry, histogram };
  };
  const values = [0.0002, 0.001, 0.0015, 0.05, 0.5, 3, 0.0099];

  it("renders the same exposition as prom-client's observe()", async () => {
    const fast = make();
    const slow = make();
    const observeEur = createObserve(fast.histogram, { operation: "select", tenant: "EUR" });
    const observeKm = createObserve(fast.histogram, { operation: "insert", tenant: "KM" });
    for (const v of values) {
      observeEur(v);
      observeKm(v * 2);
      slow.histogram.observe({ operation: "select", tenant: "EUR" }, v);
      slow.histogram.observe({ operation: "insert", tenant: "KM" }, v * 2);
    }
    expect(await fast.registry.metrics()).toBe(await slow.registry.metrics());
    expect(await fast.registry.metrics()).toContain('q_seconds_count{operation="select",tenant="EUR"} 7');
  });

  it("keeps a series that already has values and survives reset()", async () => {
    const { registry, histogram } = make();
    histogram.observe({ operation: "select", tenant: "EUR" }, 0.5);
    const observe = createObserve(histogram, { operation: "select", tenant: "EUR" });
    observe(0.5);
    expect(await registry.metrics()).toContain('q_seconds_count{operation="select",tenant="EUR"} 2');
    histogram.reset();
    observe(0.05);
    observe(0.05);
    expect(await registry.metrics()).toContain('q_seconds_count{operation="select",tenant="EUR"} 2');
    expect(await registry.metrics()).toContain('q_seconds_bucket{le="0.1",operation="select",tenant="EUR"} 2');
  });

  it("holds observations until a reader collects, and adds each exactly once", async () => {
    const { registry, histogram } = make();
    const observe = createObserve(histogram, { operation: "select", tenant: "EUR" });
    observe(0.0005);
    observe(0.05);
    const count = async () => (await histogram.get()).values.find((v) => (v as { metricName?: string }).metricName === "q_seconds_count")?.value;
    expect(await count()).toBe(2);
    expect(await count()).toBe(2);
    observe(2);
    expect(await registry.metrics()).toContain('q_seconds_count{operation="select",tenant="EUR"} 3');
    expect(await registry.metrics()).toContain('q_seconds_bucket{le="1",operation="select",tenant="EUR"} 2');
    expect(await registry.metrics()).toContain('q_seconds_sum{operation="select",tenant="EUR"} 2.0505');
    const json = await registry.getMetricsAsJSON();
    expect(json[0]?.values.find((v) => (v as { metricName?: string }).metricName === "q_seconds_count")?.value).toBe(3);
  });

  it("drops what was observed before reset() even when no reader collected it", async () => {
    const { registry, histogram } = make();
    const observe = createObserve(histogram, { operation: "select", tenant: "EUR" });
    observe(0.5);
    histogram.reset();
    observe(0.05);
    observe(0.05);
    expect(await registry.metrics()).toContain('q_seconds_count{operation="select",tenant="EUR"} 2');
    expect(await registry.metrics()).toContain('q_seconds_bucket{le="0.1",operation="select",tenant="EUR"} 2');
  });

  it("drops what was pending at the registry's resetMetrics() too, and is a typed-array series", async () => {
    const { registry, histogram } = make();
    const series = createSeries(histogram, { operation: "select", tenant: "EUR" });
    expect(series).toBeInstanceOf(Float64Array);
    observe(series, 0.5);
    observe(series, 0.5);
    registry.resetMetrics();
    observe(series, 0.005);
    expect(await registry.metrics()).toContain('q_seconds_count{operation="select",tenant="EUR"} 1');
    expect(await registry.metrics()).toContain('q_seconds_bucket{le="0.01",operation="select",tenant="EUR"} 1');
    expect(await registry.metrics()).toContain('q_seconds_bucket{le="0.001",operation="select",tenant="EUR"} 0');
  });

  it("recreates a removed series and keeps the histogram's own collect()", async () => {
    const registry = new Registry();
    let collected = 0;
    const histogram = new Histogram({
      name: "q_seconds", help: "q", labelNames: ["operation", "tenant"], buckets: [0.001, 0.01, 0.1, 1], registers: [registry],
      collect() {
        collected += 1;
      },
    });
    const observe = createObserve(histogram, { operation: "select", tenant: "EUR" });
    observe(0.5);
    await registry.metrics();
    histogram.remove({ operation: "select", tenant: "EUR" });
    expect(await registry.metrics()).not.toContain('tenant="EUR"');
    observe(0.005);
    expect(await registry.metrics()).toContain('q_seconds_count{operation="select",tenant="EUR"} 1');
    expect(collected).toBe(3);
  });
});
