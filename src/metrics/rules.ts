import { DEFAULT_BUCKETS } from "../config/schema.js";
import { buildBusinessAlertRules, withRunbooks, type BusinessRulesOptions } from "./business-rules.js";
import { getMetricDefinition } from "./catalog.js";
import { buildDatabaseAlertRules } from "./db-rules.js";
import { toYaml, type YamlValue } from "./yaml.js";

/**
 * Prometheus alerting rules over the catalog: multi-window, multi-burn-rate SLO alerts on error
 * ratio and latency per tenant (the Google SRE workbook's recipe), plus target down, database
 * down, event-loop lag, audit write errors and failing Sentry delivery.
 */
export interface RulesOptions {
  /** Prometheus job name of the service (the scrape config uses the same). */
  job: string;
  /** Share of requests that must not fail with a 5xx (0.999 → 0.1 % error budget). */
  availabilityObjective?: number;
  /** Share of requests that must finish within `latencyThresholdSeconds`. */
  latencyObjective?: number;
  /** Must be one of the histogram buckets. */
  latencyThresholdSeconds?: number;
  buckets?: number[];
  /** Where `runbook_url` points (default "runbooks.md", the generated monitoring/runbooks.md). */
  runbookBase?: string;
  /** Business alerts' window and `for` (the end-to-end test shortens them). */
  business?: Omit<BusinessRulesOptions, "job">;
}

export interface AlertRule {
  alert: string;
  expr: string;
  for?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface RecordingRule {
  record: string;
  expr: string;
}

/** Burn-rate pairs: [long window, short window, burn factor]; page when fast, ticket when slow. */
export const BURN_WINDOWS = {
  fast: [["1h", "5m", 14.4], ["6h", "30m", 6]],
  slow: [["1d", "2h", 3], ["3d", "6h", 1]],
} as const;

const WINDOWS = ["5m", "30m", "1h", "2h", "6h", "1d", "3d"] as const;

for (const name of ["http_requests_total", "http_request_duration_seconds", "database_up", "audit_write_errors_total", "sentry_envelopes_total"]) {
  // The rules name these metrics: fail at load time, not in production, if the catalog drops one.
  if (!getMetricDefinition(name)) throw new Error(`rules.ts refers to ${name}, which is not in the metric catalog`);
}

/** The latency threshold: the requested bucket, or the nearest bucket at or above it. */
export function latencyThreshold(options: RulesOptions): number {
  const buckets = options.buckets ?? DEFAULT_BUCKETS;
  const wanted = options.latencyThresholdSeconds ?? 0.5;
  return buckets.find((b) => b >= wanted) ?? buckets[buckets.length - 1]!;
}

export function buildRecordingRules(options: RulesOptions): RecordingRule[] {
  const job = `job="${options.job}"`;
  const le = latencyThreshold(options);
  return WINDOWS.flatMap((w) => [
    {
      record: `tenant:http_requests_errors:ratio_rate${w}`,
      expr: `sum by (tenant) (rate(http_requests_total{${job},status_code=~"5.."}[${w}]))\n/\nsum by (tenant) (rate(http_requests_total{${job}}[${w}]))`,
    },
    {
      record: `tenant:http_requests_slow:ratio_rate${w}`,
      expr: `1 - (\n  sum by (tenant) (rate(http_request_duration_seconds_bucket{${job},le="${le}"}[${w}]))\n  /\n  sum by (tenant) (rate(http_request_duration_seconds_count{${job}}[${w}]))\n)`,
    },
  ]);
}

function burnExpr(series: string, budget: number, pairs: ReadonlyArray<readonly [string, string, number]>): string {
  return pairs
    .map(([long, short, factor]) => `(\n  ${series}${long} > (${factor} * ${budget})\nand\n  ${series}${short} > (${factor} * ${budget})\n)`)
    .join("\nor\n");
}

const round = (n: number) => Number(n.toPrecision(6));

export function buildAlertRules(options: RulesOptions): AlertRule[] {
  const job = `job="${options.job}"`;
  const errorBudget = round(1 - (options.availabilityObjective ?? 0.999));
  const latencyBudget = round(1 - (options.latencyObjective ?? 0.99));
  const le = latencyThreshold(options);
  const slo = (kind: "availability" | "latency", speed: "fast" | "slow"): AlertRule => {
    const series = kind === "availability" ? "tenant:http_requests_errors:ratio_rate" : "tenant:http_requests_slow:ratio_rate";
    const budget = kind === "availability" ? errorBudget : latencyBudget;
    const what = kind === "availability" ? "5xx error ratio" : `share of requests slower than ${le}s`;
    return {
      alert: `Monwire${kind === "availability" ? "ErrorBudget" : "LatencyBudget"}Burn${speed === "fast" ? "Fast" : "Slow"}`,
      expr: burnExpr(series, budget, BURN_WINDOWS[speed]),
      for: speed === "fast" ? "2m" : "15m",
      labels: { severity: speed === "fast" ? "page" : "ticket", slo: kind },
      annotations: {
        summary: `${options.job}: tenant {{ $labels.tenant }} is burning its ${kind} error budget ${speed === "fast" ? "fast" : "steadily"}`,
        description: `The ${what} for tenant {{ $labels.tenant }} is above ${speed === "fast" ? "6-14.4x" : "1-3x"} the budget of ${budget} on both a long and a short window.`,
      },
    };
  };
  const core: AlertRule[] = [
    slo("availability", "fast"),
    slo("availability", "slow"),
    slo("latency", "fast"),
    slo("latency", "slow"),
    {
      alert: "MonwireTargetDown",
      expr: `up{${job}} == 0`,
      for: "2m",
      labels: { severity: "page" },
      annotations: { summary: `${options.job} instance {{ $labels.instance }} is down`, description: "Prometheus cannot scrape this instance." },
    },
    {
      alert: "MonwireDatabaseDown",
      expr: `database_up{${job}} == 0`,
      for: "1m",
      labels: { severity: "page" },
      annotations: { summary: `${options.job} instance {{ $labels.instance }} cannot reach its database`, description: "The database probe failed or timed out at scrape time." },
    },
    {
      alert: "MonwireEventLoopLagHigh",
      expr: `nodejs_eventloop_lag_p99_seconds{${job}} > 0.5`,
      for: "5m",
      labels: { severity: "warning" },
      annotations: { summary: `${options.job} instance {{ $labels.instance }} has a blocked event loop`, description: "The 99th percentile event-loop lag has been above 500 ms for 5 minutes." },
    },
    {
      alert: "MonwireAuditWriteErrors",
      expr: `increase(audit_write_errors_total{${job}}[5m]) > 0`,
      labels: { severity: "page" },
      annotations: { summary: `${options.job} instance {{ $labels.instance }} failed to write audit entries`, description: "Audit writes are being rejected: business actions are not being recorded." },
    },
    {
      alert: "MonwireSentryDeliveryFailing",
      expr: `sum by (job, instance, status) (rate(sentry_envelopes_total{${job},status!="delivered"}[15m])) > 0`,
      for: "15m",
      labels: { severity: "warning" },
      annotations: { summary: `${options.job} instance {{ $labels.instance }}: Sentry envelopes {{ $labels.status }}`, description: "Errors are not reaching Sentry: check SENTRY_DSN, quotas and network." },
    },
    ...buildDatabaseAlertRules(options),
  ];
  return withRunbooks([...core, ...buildBusinessAlertRules({ job: options.job, ...options.business })], options.runbookBase ?? "runbooks.md");
}

/** monitoring/alerts.yml */
export function renderAlertRules(options: RulesOptions): string {
  const groups: YamlValue = {
    groups: [
      { name: `${options.job}-slo-recording`, rules: buildRecordingRules(options) as unknown as YamlValue[] },
      { name: `${options.job}-alerts`, rules: buildAlertRules(options) as unknown as YamlValue[] },
    ],
  };
  return toYaml(groups, [
    "Generated by `mon init` from monwire's metric catalog. Check with: promtool check rules alerts.yml",
    "Tests: promtool test rules alerts.test.yml",
  ]);
}
