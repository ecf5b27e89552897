import { Histogram, Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { createObserve } from "../../src/runtime/db/fast-observe.js";

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
});
