import type { Counter, Histogram } from "prom-client";

/**
 * Records http_requests_total and http_request_duration_seconds, the two families every request
 * touches, without prom-client's per-call label work. prom-client validates the label object,
 * builds a hash string from it and looks the series up by that string on every `inc`/`observe`,
 * and its `labels()` children do the same; on Node 24 that was about a fifth of monwire's cost per
 * request. Here each label set is looked up through nested Maps keyed by the values themselves
 * (the method, the route template and the tenant are the same string objects request after
 * request, the status a number), and the series are updated where prom-client keeps them.
 *
 * The first request of a label set goes through prom-client's public `inc`/`observe`, which
 * validates and creates the series; the recorder then keeps prom-client's own series objects, so
 * the registry renders exactly what it rendered before. A kept series is used only while it is
 * still the one prom-client holds under its hash (a `reset()`, `remove()` or a family rebuilt for
 * new buckets sends the next request back through the public path); where prom-client's internals
 * do not look as expected the recorder always uses the public path.
 */

/** prom-client 15's series record for a counter (mutated in place by `inc`). */
interface CounterSeries {
  value: number;
}
/** prom-client 15's series record for a histogram (mutated in place by `observe`). */
interface HistogramSeries {
  sum: number;
  count: number;
  bucketValues: Record<string, number>;
}
interface CounterInternals {
  hashMap?: Record<string, CounterSeries | undefined>;
}
interface HistogramInternals {
  hashMap?: Record<string, HistogramSeries | undefined>;
  upperBounds?: readonly number[];
}

type Labels = "method" | "route" | "status_code" | "tenant";

/** One label set's two series, as long as prom-client still holds them under `hash`. */
interface Bound {
  hash: string;
  counterMap: Record<string, CounterSeries | undefined>;
  counter: CounterSeries;
  histogramMap: Record<string, HistogramSeries | undefined>;
  histogram: HistogramSeries;
}

export interface HttpRecorder {
  /** Counts one finished request and observes its duration; `status` is the status label. */
  record(method: string, route: string, status: string, tenant: string, seconds: number): void;
}

function isCounterSeries(value: unknown): value is CounterSeries {
  return typeof value === "object" && value !== null && typeof (value as CounterSeries).value === "number";
}

function isHistogramSeries(value: unknown): value is HistogramSeries {
  const series = value as HistogramSeries | null;
  return typeof series === "object" && series !== null && typeof series.sum === "number" && typeof series.count === "number" && typeof series.bucketValues === "object";
}

/**
 * Builds the recorder over the two families, read through `families()` on every call so that a
 * histogram rebuilt for new buckets is picked up.
 */
export function createHttpRecorder(families: () => { requests: Counter<Labels>; duration: Histogram<Labels> }): HttpRecorder {
  // method → route → status → tenant → series.
  let cache = new Map<string, Map<string, Map<string, Map<string, Bound>>>>();
  let cachedFor: { requests: object; duration: object } | undefined;
  /** The histogram's bounds and their property keys in `bucketValues` (a number's key is its string form). */
  let bounds: readonly number[] = [];
  let boundKeys: string[] = [];

  function slow(method: string, route: string, status: string, tenant: string, seconds: number, requests: Counter<Labels>, duration: Histogram<Labels>): Bound | undefined {
    const labels = { method, route, status_code: status, tenant };
    const result = requests.inc(labels) as unknown as { labelHash?: unknown } | undefined;
    duration.observe(labels, seconds);
    const hash = result?.labelHash;
    const counterMap = (requests as unknown as CounterInternals).hashMap;
    const histogramInternals = duration as unknown as HistogramInternals;
    const histogramMap = histogramInternals.hashMap;
    if (typeof hash !== "string" || !counterMap || !histogramMap || !Array.isArray(histogramInternals.upperBounds)) return undefined;
    const counter = counterMap[hash];
    const histogram = histogramMap[hash];
    if (!isCounterSeries(counter) || !isHistogramSeries(histogram)) return undefined;
    if (bounds !== histogramInternals.upperBounds) {
      bounds = histogramInternals.upperBounds;
      boundKeys = bounds.map(String);
    }
    return { hash, counterMap, counter, histogramMap, histogram };
  }

  return {
    record(method, route, status, tenant, seconds) {
      const { requests, duration } = families();
      if (cachedFor?.requests !== requests || cachedFor.duration !== duration) {
        cache = new Map();
        cachedFor = { requests, duration };
      }
      let byRoute = cache.get(method);
      if (byRoute === undefined) cache.set(method, (byRoute = new Map()));
      let byStatus = byRoute.get(route);
      if (byStatus === undefined) byRoute.set(route, (byStatus = new Map()));
      let byTenant = byStatus.get(status);
      if (byTenant === undefined) byStatus.set(status, (byTenant = new Map()));
      const bound = byTenant.get(tenant);
      const counterMap = (requests as unknown as CounterInternals).hashMap;
      const histogramMap = (duration as unknown as HistogramInternals).hashMap;
      if (
        bound === undefined || !Number.isFinite(seconds) ||
        bound.counterMap !== counterMap || bound.histogramMap !== histogramMap ||
        counterMap[bound.hash] !== bound.counter || histogramMap[bound.hash] !== bound.histogram
      ) {
        const fresh = slow(method, route, status, tenant, seconds, requests, duration);
        if (fresh) byTenant.set(tenant, fresh);
        else byTenant.delete(tenant);
        return;
      }
      bound.counter.value += 1;
      const histogram = bound.histogram;
      histogram.sum += seconds;
      histogram.count += 1;
      // prom-client's findBound: the first upper bound the value does not exceed; above all of
      // them only the count (the +Inf bucket) grows.
      for (let i = 0; i < bounds.length; i++) {
        if (seconds <= (bounds[i] as number)) {
          histogram.bucketValues[boundKeys[i] as string]! += 1;
          break;
        }
      }
    },
  };
}
