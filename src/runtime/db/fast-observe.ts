import type { Histogram } from "prom-client";

/**
 * A per-series observe for the query histogram that costs tens of nanoseconds instead of
 * prom-client's `observe()` (several µs under load: it rebuilds and validates the label object,
 * hashes it and stringifies the float bucket bound on every call). It updates the series entry
 * prom-client itself renders — `{ bucketValues, sum, count }` in the histogram's `hashMap` — and
 * checks that shape when the series is created: with any other prom-client internals it falls back
 * to the public `observe()`. test/unit/db-fast-observe.test.ts pins that both render identically.
 */
export type Observe = (seconds: number) => void;

interface SeriesEntry {
  bucketValues: Record<string, number>;
  sum: number;
  count: number;
}

interface HistogramInternals {
  hashMap?: Record<string, SeriesEntry | undefined>;
  upperBounds?: number[];
}

export function createObserve(histogram: Histogram<string>, labels: Record<string, string>): Observe {
  const child = histogram.labels(labels);
  const internals = histogram as unknown as HistogramInternals;
  const bounds = internals.upperBounds;
  if (typeof internals.hashMap !== "object" || internals.hashMap === null || !Array.isArray(bounds)) return (v) => child.observe(v);
  // An existing series is kept (zero() would overwrite it); a new one is created through the public API.
  let key = findKey(internals.hashMap, labels);
  if (key === undefined) {
    histogram.zero(labels);
    key = findKey(internals.hashMap, labels);
  }
  const entry = key === undefined ? undefined : internals.hashMap[key];
  const boundKeys = bounds.map(String);
  const valid = entry !== undefined && typeof entry.sum === "number" && typeof entry.count === "number" &&
    typeof entry.bucketValues === "object" && boundKeys.every((b) => typeof entry.bucketValues[b] === "number");
  if (!valid || key === undefined) return (v) => child.observe(v);
  let current = entry;
  return (seconds) => {
    // reset() or a rebuilt registry replaces the map: fall back to the public path for that call,
    // which recreates the entry, then follow the new one.
    if (internals.hashMap?.[key] !== current) {
      child.observe(seconds);
      const next = internals.hashMap?.[key];
      if (next) current = next;
      return;
    }
    current.sum += seconds;
    current.count += 1;
    for (let i = 0; i < bounds.length; i += 1) {
      if (seconds <= bounds[i]!) {
        current.bucketValues[boundKeys[i]!]! += 1;
        return;
      }
    }
  };
}

function findKey(map: Record<string, SeriesEntry | undefined>, labels: Record<string, string>): string | undefined {
  return Object.keys(map).find((k) => {
    const entry = map[k] as (SeriesEntry & { labels?: Record<string, string> }) | undefined;
    return entry?.labels !== undefined && Object.entries(labels).every(([name, value]) => entry.labels![name] === value);
  });
}
