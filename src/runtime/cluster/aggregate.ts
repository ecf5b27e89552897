import { AggregatorRegistry, type Aggregator, type MetricObjectWithValues, type MetricValue, type Registry } from "prom-client";
import { CATALOG } from "../../metrics/catalog.js";

/** One worker's metrics as `registry.getMetricsAsJSON()` returns them (and as they cross IPC). */
export type MetricSnapshot = MetricObjectWithValues<MetricValue<string>>[];

/**
 * How each catalog family is combined across workers. Counters and histograms add up (every
 * worker counted its own requests); `database_up` is the minimum, because one worker that cannot
 * reach the database is an outage for the requests it serves, and a sum of two 1s would read 2.
 * Gauges not listed here add up (sessions held by each worker).
 */
const GAUGE_AGGREGATORS: Readonly<Record<string, Aggregator>> = { database_up: "min" };

const CATALOG_TYPES = new Map<string, string>(CATALOG.map((entry) => [entry.name, entry.type]));

/** Whether a family is a cumulative catalog family (its dead workers' values are kept). */
export function isCumulative(name: string): boolean {
  const type = CATALOG_TYPES.get(name);
  return type === "counter" || type === "histogram";
}

/** The aggregator of a catalog family, or undefined for the per-worker (process/nodejs) ones. */
export function catalogAggregator(name: string): Aggregator | undefined {
  const type = CATALOG_TYPES.get(name);
  if (type === undefined) return undefined;
  return type === "gauge" ? (GAUGE_AGGREGATORS[name] ?? "sum") : "sum";
}

/**
 * Prepares one worker's snapshot for aggregation: catalog families get their aggregator; every
 * other family (prom-client's process and Node.js metrics) gets a `worker` label and is kept per
 * worker, since averaging heap sizes or summing start times means nothing.
 */
export function labelSnapshot(snapshot: MetricSnapshot, worker: string): MetricSnapshot {
  return snapshot.map((metric) => {
    const aggregator = catalogAggregator(metric.name);
    if (aggregator) return { ...metric, aggregator };
    return {
      ...metric,
      aggregator: "sum",
      values: metric.values.map((value) => ({ ...value, labels: { ...value.labels, worker } })),
    };
  });
}

/** Only the cumulative catalog families of a snapshot: what outlives a worker that exits. */
export function cumulativePart(snapshot: MetricSnapshot): MetricSnapshot {
  return snapshot.filter((metric) => isCumulative(metric.name)).map((metric) => ({ ...metric, aggregator: "sum" }));
}

/**
 * Folds a dead worker's last cumulative values into the retired totals, so the sum over workers
 * never goes backwards when a worker is replaced: Prometheus' `rate()` sees no reset.
 */
export function retire(retired: MetricSnapshot, dead: MetricSnapshot): MetricSnapshot {
  const part = cumulativePart(dead);
  if (part.length === 0) return retired;
  const merged = AggregatorRegistry.aggregate([retired, part]);
  return merged.getMetricsAsArray().map((metric) => {
    // aggregate() wraps each result in an object whose get() returns the plain values.
    const plain = (metric as unknown as { get: () => MetricObjectWithValues<MetricValue<string>> }).get();
    return { ...plain, aggregator: "sum" as const };
  });
}

/**
 * One registry over every live worker (labelled by its slot) plus the retired totals. Families
 * present only in the retired totals (all their workers died) are still reported.
 */
export function aggregateSnapshots(live: ReadonlyArray<{ worker: string; snapshot: MetricSnapshot }>, retired: MetricSnapshot): Registry {
  const labelled = live.map(({ worker, snapshot }) => labelSnapshot(snapshot, worker));
  const all = retired.length > 0 ? [...labelled, retired] : labelled;
  // aggregate() takes the aggregator of the first snapshot naming a family; all agree by construction.
  return AggregatorRegistry.aggregate(all as Parameters<typeof AggregatorRegistry.aggregate>[0]);
}
