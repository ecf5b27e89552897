import type { Histogram } from "prom-client";

/**
 * A per-series observe for the query histogram that costs a few typed-array writes instead of
 * prom-client's `observe()` (several µs under load: it rebuilds and validates the label object,
 * hashes it and stringifies the float bucket bound on every call). Observations wait in the
 * series' own Float64Array (count, sum, one slot per bucket) and are added to the entry
 * prom-client renders — `{ bucketValues, sum, count }` in the histogram's `hashMap` — when the
 * histogram is collected, which every reader does first (`get()`, so scrapes, the registry's JSON
 * and the cluster aggregator). A query then touches no prom-client object at all: after a round
 * trip to the database the caches are cold, and each object the observe reads costs a miss.
 * With any other prom-client internals it falls back to the public `observe()`.
 * test/unit/db-fast-observe.test.ts pins that both render identically.
 */
export type Observe = (seconds: number) => void;

interface SeriesEntry {
  bucketValues: Record<string, number>;
  sum: number;
  count: number;
  labels?: Record<string, string>;
}

interface HistogramInternals {
  hashMap?: Record<string, SeriesEntry | undefined>;
  upperBounds?: number[];
  collect?: () => unknown;
}

/** Slots of a series' pending array before the buckets. */
const COUNT = 0;
const SUM = 1;
const BUCKETS = 2;

/** One series' observations not yet added to prom-client's entry. */
interface Pending {
  labels: Record<string, string>;
  /** prom-client's key of the series in hashMap (the same string for the same labels after a reset). */
  key: string;
  values: Float64Array;
  /** The histogram's hashMap these observations belong to: reset() replaces it and drops them. */
  map: object;
}

/** The pending series of each histogram that has fast observers, flushed by its collect(). */
const pendingByHistogram = new WeakMap<object, Pending[]>();

export function createObserve(histogram: Histogram<string>, labels: Record<string, string>): Observe {
  const child = histogram.labels(labels);
  const internals = histogram as unknown as HistogramInternals;
  const bounds = internals.upperBounds;
  const key = knownShapeKey(histogram, internals, bounds, labels);
  if (key === undefined || !bounds) return (v) => child.observe(v);
  const series = pendingFor(histogram, internals);
  const values = new Float64Array(BUCKETS + bounds.length);
  const upper = Float64Array.from(bounds);
  const pending: Pending = { labels, key, values, map: internals.hashMap! };
  series.push(pending);
  return (seconds) => {
    // reset() replaces the map: what was observed before it is dropped, as prom-client would.
    if (internals.hashMap !== pending.map) {
      values.fill(0);
      pending.map = internals.hashMap!;
    }
    values[COUNT]! += 1;
    values[SUM]! += seconds;
    for (let i = 0; i < upper.length; i += 1) {
      if (seconds <= upper[i]!) {
        values[BUCKETS + i]! += 1;
        return;
      }
    }
  };
}

/**
 * The series' key when its entry has the shape this fast path writes (checked on a series created
 * through the public API), undefined otherwise.
 */
function knownShapeKey(histogram: Histogram<string>, internals: HistogramInternals, bounds: number[] | undefined, labels: Record<string, string>): string | undefined {
  if (typeof internals.hashMap !== "object" || internals.hashMap === null || !Array.isArray(bounds)) return undefined;
  if (internals.collect !== undefined && typeof internals.collect !== "function") return undefined;
  const key = findKey(internals, labels) ?? createKey(histogram, internals, labels);
  const entry = key === undefined ? undefined : internals.hashMap[key];
  const known = entry !== undefined && typeof entry.sum === "number" && typeof entry.count === "number" &&
    typeof entry.bucketValues === "object" && bounds.every((b) => typeof entry.bucketValues[String(b)] === "number");
  return known ? key : undefined;
}

/** This histogram's pending list; the first call chains a flush in front of its own collect(). */
function pendingFor(histogram: Histogram<string>, internals: HistogramInternals): Pending[] {
  let series = pendingByHistogram.get(histogram);
  if (series) return series;
  const list: Pending[] = [];
  series = list;
  pendingByHistogram.set(histogram, list);
  const own = internals.collect;
  internals.collect = function collectPending(this: unknown) {
    flush(histogram, internals, list);
    return own?.call(this);
  };
  return series;
}

/** Adds every series' pending observations to prom-client's entries and clears them. */
function flush(histogram: Histogram<string>, internals: HistogramInternals, list: Pending[]): void {
  const bounds = internals.upperBounds ?? [];
  for (const pending of list) {
    const { values } = pending;
    if (values[COUNT] === 0) continue;
    if (internals.hashMap !== pending.map) {
      values.fill(0);
      pending.map = internals.hashMap!;
      continue;
    }
    let entry = internals.hashMap?.[pending.key];
    if (!entry) {
      // remove() or a new map after reset(): recreated through the public API, as observe() would.
      pending.key = createKey(histogram, internals, pending.labels) ?? pending.key;
      entry = internals.hashMap?.[pending.key];
    }
    if (entry) {
      entry.count += values[COUNT]!;
      entry.sum += values[SUM]!;
      for (let i = 0; i < bounds.length; i += 1) {
        const n = values[BUCKETS + i]!;
        if (n > 0) entry.bucketValues[String(bounds[i])]! += n;
      }
    }
    values.fill(0);
  }
}

/** prom-client's key of the series with exactly these labels, if it has one. */
function findKey(internals: HistogramInternals, labels: Record<string, string>): string | undefined {
  const map = internals.hashMap ?? {};
  return Object.keys(map).find((key) => {
    const entry = map[key];
    return entry?.labels !== undefined && Object.entries(labels).every(([name, value]) => entry.labels![name] === value);
  });
}

/** A zeroed series through the public API (zero() would overwrite an existing one: only for a missing series). */
function createKey(histogram: Histogram<string>, internals: HistogramInternals, labels: Record<string, string>): string | undefined {
  histogram.zero(labels);
  return findKey(internals, labels);
}
