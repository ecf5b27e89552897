import type { Histogram } from "prom-client";

/**
 * A series of the query histogram that costs a few typed-array writes instead of prom-client's
 * `observe()` (several µs under load: it rebuilds and validates the label object, hashes it and
 * stringifies the float bucket bound on every call). A series is one Float64Array holding its
 * observations not yet collected: count, sum, then each bucket's upper bound beside its count.
 * They are added to the entry prom-client renders — `{ bucketValues, sum, count }` in the
 * histogram's `hashMap` — when the histogram is collected, which every reader does first
 * (`get()`, so scrapes, the registry's JSON and the cluster aggregator); `reset()` drops them.
 * A query then touches one array and no prom-client object: after a round trip to the database
 * the caches are cold, and each object the observe reads costs a miss (the bound beside the
 * count puts a sub-millisecond query's whole update in the array's first cache line).
 * With any other prom-client internals it falls back to the public `observe()`.
 * test/unit/db-fast-observe.test.ts pins that both render identically.
 */
export type Series = Float64Array | ((seconds: number) => void);

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
  reset?: () => unknown;
}

/** Slots of a series before its (bound, count) pairs. */
const COUNT = 0;
const SUM = 1;
const FIRST_BUCKET = 2;

/** Counts one observation into a series made by createSeries(). */
export function observeInto(values: Float64Array, seconds: number): void {
  values[COUNT]! += 1;
  values[SUM]! += seconds;
  for (let i = FIRST_BUCKET; i < values.length; i += 2) {
    if (seconds <= values[i]!) {
      values[i + 1]! += 1;
      return;
    }
  }
}

/** Counts one observation into any series. */
export function observe(series: Series, seconds: number): void {
  if (typeof series === "function") series(seconds);
  else observeInto(series, seconds);
}

/** One series' observations not yet added to prom-client's entry. */
interface Pending {
  labels: Record<string, string>;
  /** prom-client's key of the series in hashMap (the same string for the same labels after a reset). */
  key: string;
  values: Float64Array;
  /** The hashMap these observations belong to: a map replaced other than by reset() drops them at the next flush. */
  map: object;
}

/** The pending series of each histogram that has fast series, flushed by its collect(). */
const pendingByHistogram = new WeakMap<object, Pending[]>();

export function createSeries(histogram: Histogram<string>, labels: Record<string, string>): Series {
  const internals = histogram as unknown as HistogramInternals;
  const bounds = internals.upperBounds;
  const key = knownShapeKey(histogram, internals, bounds, labels);
  if (key === undefined || !bounds) {
    const child = histogram.labels(labels);
    return (v) => child.observe(v);
  }
  const values = new Float64Array(FIRST_BUCKET + 2 * bounds.length);
  bounds.forEach((bound, i) => (values[FIRST_BUCKET + 2 * i] = bound));
  pendingFor(histogram, internals).push({ labels, key, values, map: internals.hashMap! });
  return values;
}

/** Zeroes a series' count, sum and bucket counts (the bounds stay). */
function clearCounts(values: Float64Array): void {
  values[COUNT] = 0;
  values[SUM] = 0;
  for (let i = FIRST_BUCKET + 1; i < values.length; i += 2) values[i] = 0;
}

/** Drops what a series has pending: it belonged to a map that is gone; `map` is the new one. */
function dropPending(pending: Pending, map: object): void {
  clearCounts(pending.values);
  pending.map = map;
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

/**
 * This histogram's pending list. The first call chains a flush in front of its own collect(), and
 * in front of its reset() the dropping of what is pending, as prom-client drops its own values.
 */
function pendingFor(histogram: Histogram<string>, internals: HistogramInternals): Pending[] {
  let series = pendingByHistogram.get(histogram);
  if (series) return series;
  const list: Pending[] = [];
  series = list;
  pendingByHistogram.set(histogram, list);
  const ownCollect = internals.collect;
  internals.collect = function collectPending(this: unknown) {
    flush(histogram, internals, list);
    return ownCollect?.call(this);
  };
  const ownReset = internals.reset;
  internals.reset = function resetPending(this: unknown) {
    const result = ownReset?.call(this);
    for (const pending of list) dropPending(pending, internals.hashMap!);
    return result;
  };
  return series;
}

/** Adds every series' pending observations to prom-client's entries and clears them. */
function flush(histogram: Histogram<string>, internals: HistogramInternals, list: Pending[]): void {
  for (const pending of list) {
    const { values } = pending;
    if (values[COUNT] === 0) continue;
    if (internals.hashMap !== pending.map) {
      // Replaced without reset(): what was pending belonged to the old map.
      dropPending(pending, internals.hashMap!);
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
      for (let i = FIRST_BUCKET; i < values.length; i += 2) {
        const n = values[i + 1]!;
        if (n > 0) entry.bucketValues[String(values[i])]! += n;
      }
    }
    clearCounts(values);
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
