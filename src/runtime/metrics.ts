import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics, type Metric } from "prom-client";
import { CATALOG, type CatalogMetricName } from "../metrics/catalog.js";
import { DEFAULT_BUCKETS } from "../config/schema.js";

type CatalogEntry = (typeof CATALOG)[number];
type EntryOf<N extends CatalogMetricName> = Extract<CatalogEntry, { name: N }>;
type LabelsOf<N extends CatalogMetricName> = EntryOf<N>["labels"][number];
/** The prom-client class matching a catalog entry's type, with the entry's label names. */
type MetricOf<N extends CatalogMetricName> = EntryOf<N>["type"] extends "counter"
  ? Counter<LabelsOf<N>>
  : EntryOf<N>["type"] extends "gauge"
    ? Gauge<LabelsOf<N>>
    : Histogram<LabelsOf<N>>;

/** Accessor name → catalog family. The names are the only hand-written part; help and labels come from the catalog. */
const ACCESSORS = {
  httpRequests: "http_requests_total",
  httpDuration: "http_request_duration_seconds",
  apiErrors: "api_errors_total",
  authAttempts: "authentication_attempts_total",
  licenseKeys: "license_keys_generated_total",
  walletTx: "wallet_transactions_total",
  branches: "branches_created_total",
  activeSessions: "active_user_sessions",
  databaseUp: "database_up",
  databaseProbeDuration: "database_probe_duration_seconds",
  dbQueryDuration: "db_query_duration_seconds",
  dbQueryErrors: "db_query_errors_total",
  dbPoolConnections: "db_pool_connections",
  dbPoolPending: "db_pool_pending_acquires",
  dbPoolMax: "db_pool_max_connections",
  auditEvents: "audit_events_total",
  auditWriteErrors: "audit_write_errors_total",
  auditChainHead: "audit_chain_head_seq",
  sentryEnvelopes: "sentry_envelopes_total",
  ruleErrors: "event_rule_errors_total",
  securitySignals: "security_signals_total",
} as const satisfies Record<string, CatalogMetricName>;

type Accessors = { readonly [K in keyof typeof ACCESSORS]: MetricOf<(typeof ACCESSORS)[K]> };

export interface MetricsSettings {
  /** Buckets (seconds) of http_request_duration_seconds. */
  buckets?: readonly number[];
  /** Register prom-client's default process/nodejs metrics (unprefixed). */
  defaultMetrics?: boolean;
}

/** monwire's metric families on their own Registry (never prom-client's global one). */
export interface MonwireMetrics extends Accessors {
  readonly registry: Registry;
  /** Every catalog family by name. */
  readonly families: ReadonlyMap<CatalogMetricName, Metric>;
  /** Applies config; safe to call again (buckets are rebuilt only when they change). */
  configure(settings: MetricsSettings): void;
}

function createFamily(entry: CatalogEntry, registry: Registry, buckets: readonly number[]): Metric {
  const base = { name: entry.name, help: entry.help, labelNames: [...entry.labels], registers: [registry] };
  switch (entry.type) {
    case "counter":
      return new Counter(base);
    case "gauge":
      return new Gauge(base);
    case "histogram":
      return new Histogram({ ...base, buckets: [...("buckets" in entry ? entry.buckets : buckets)] });
  }
}

/**
 * Families whose labels all have a closed set of values start at zero for every combination, so
 * `rate()` and absence alerts work before the first event. Families with tenant/route labels do
 * not: their values are only known at runtime.
 */
function zeroClosedSeries(entry: CatalogEntry, metric: Metric): void {
  if (entry.type !== "counter" || entry.labels.length !== 1 || !("allowed" in entry)) return;
  const label = entry.labels[0] as string;
  const values = (entry.allowed as Record<string, readonly string[] | undefined>)[label];
  if (!values) return;
  for (const value of values) (metric as Counter<string>).inc({ [label]: value }, 0);
}

function buildMetrics(): MonwireMetrics {
  const registry = new Registry();
  const families = new Map<CatalogMetricName, Metric>();
  let buckets: readonly number[] = DEFAULT_BUCKETS;
  /** prom-client's default metrics, kept so that disabling and re-enabling never registers them twice. */
  let defaults: Metric[] | undefined;

  for (const entry of CATALOG) {
    const metric = createFamily(entry, registry, buckets);
    zeroClosedSeries(entry, metric);
    families.set(entry.name, metric);
  }

  const rebuildHistograms = (next: readonly number[]) => {
    if (next.length === buckets.length && next.every((b, i) => b === buckets[i])) return;
    buckets = [...next];
    for (const entry of CATALOG) {
      if (entry.type !== "histogram" || "buckets" in entry) continue;
      registry.removeSingleMetric(entry.name);
      families.set(entry.name, createFamily(entry, registry, buckets));
    }
    exposeFamilies();
  };

  const setDefaultMetrics = (enabled: boolean) => {
    if (enabled && !defaults) {
      const before = new Set(registry.getMetricsAsArray());
      collectDefaultMetrics({ register: registry });
      // prom-client types the array as plain objects, but it holds the metric instances it registered.
      defaults = registry.getMetricsAsArray().filter((m) => !before.has(m)) as unknown as Metric[];
    } else if (enabled && defaults) {
      for (const metric of defaults) registry.registerMetric(metric);
    } else if (!enabled && defaults) {
      for (const metric of defaults) registry.removeSingleMetric((metric as unknown as { name: string }).name);
    }
  };

  const metrics = {
    registry,
    families,
    configure(settings: MetricsSettings) {
      if (settings.buckets) rebuildHistograms(settings.buckets);
      if (settings.defaultMetrics !== undefined) setDefaultMetrics(settings.defaultMetrics);
    },
  };
  // Data properties, re-pointed whenever a histogram is rebuilt for new buckets: every holder of
  // `metrics` sees the new family, and reading one on the request and query paths is a field load
  // (a getter cost a call and a Map look-up per request and per query).
  function exposeFamilies(): void {
    for (const [accessor, name] of Object.entries(ACCESSORS)) {
      Object.defineProperty(metrics, accessor, { value: families.get(name), enumerable: true, configurable: true, writable: false });
    }
  }
  exposeFamilies();
  return metrics as unknown as MonwireMetrics;
}

let current: MonwireMetrics | undefined;

/**
 * The process-wide monwire metrics, created on first use. Usable before `createMonitoring()`
 * (the Sentry instrument file counts envelopes with it); `createMonitoring()` then applies the
 * config's buckets and default-metrics switch through `configure()`.
 */
export function getMetrics(): MonwireMetrics {
  current ??= buildMetrics();
  return current;
}

/**
 * Forgets the process-wide metrics so the next `getMetrics()` starts from zero. For tests; a
 * running app keeps references to the old families.
 */
export function resetMetrics(): void {
  current = undefined;
}
