import { Counter, Gauge, Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { aggregateSnapshots, retire, type MetricSnapshot } from "../../src/runtime/cluster/aggregate.js";

/** Snapshots built by real prom-client registries, as workers send them. */
async function worker(options: { purchases: number; up: 0 | 1; heap: number }): Promise<MetricSnapshot> {
  const registry = new Registry();
  new Counter({ name: "wallet_transactions_total", help: "h", labelNames: ["type", "outcome", "tenant"], registers: [registry] }).inc(
    { type: "purchase", outcome: "success", tenant: "KM" },
    options.purchases,
  );
  new Gauge({ name: "database_up", help: "h", registers: [registry] }).set(options.up);
  new Gauge({ name: "nodejs_heap_size_used_bytes", help: "h", registers: [registry], aggregator: "average" }).set(options.heap);
  return registry.getMetricsAsJSON();
}

const values = async (registry: Registry, name: string) => (await registry.getSingleMetric(name)!.get()).values;

describe("cluster aggregation", () => {
  it("sums counters, takes the minimum of database_up, keeps other families per worker", async () => {
    const live = [
      { worker: "0", snapshot: await worker({ purchases: 3, up: 1, heap: 100 }) },
      { worker: "1", snapshot: await worker({ purchases: 4, up: 0, heap: 300 }) },
    ];
    const registry = aggregateSnapshots(live, []);
    expect((await values(registry, "wallet_transactions_total"))[0]).toMatchObject({ value: 7, labels: { tenant: "KM" } });
    expect((await values(registry, "database_up"))[0]!.value).toBe(0);
    expect((await values(registry, "nodejs_heap_size_used_bytes")).map((v) => [v.labels.worker, v.value])).toEqual([["0", 100], ["1", 300]]);
  });

  it("a retired worker's counters stay in the sum; its gauges and process metrics do not", async () => {
    const dead = await worker({ purchases: 5, up: 0, heap: 999 });
    const retired = retire(retire([], dead), await worker({ purchases: 2, up: 0, heap: 1 }));
    const registry = aggregateSnapshots([{ worker: "0", snapshot: await worker({ purchases: 1, up: 1, heap: 50 }) }], retired);
    expect((await values(registry, "wallet_transactions_total"))[0]!.value).toBe(8);
    expect((await values(registry, "database_up"))[0]!.value).toBe(1);
    expect((await values(registry, "nodejs_heap_size_used_bytes")).map((v) => v.value)).toEqual([50]);
  });
});
