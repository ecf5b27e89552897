import { getMetricDefinition } from "./catalog.js";
import type { AlertRule, RulesOptions } from "./rules.js";
import type { YamlValue } from "./yaml.js";

/**
 * Alert rules over the database families (database down lives with the other availability
 * rules): query error ratio and p95 query latency per tenant, and a pool with every connection
 * in use while callers wait. Each has `promtool test rules` cases below that fire and stay quiet.
 */
export const DB_ERROR_RATIO = 0.05;
export const DB_LATENCY_P95_SECONDS = 0.25;

for (const name of ["db_query_duration_seconds", "db_query_errors_total", "db_pool_connections", "db_pool_pending_acquires", "db_pool_max_connections"]) {
  if (!getMetricDefinition(name)) throw new Error(`db-rules.ts refers to ${name}, which is not in the metric catalog`);
}

export function buildDatabaseAlertRules(options: RulesOptions): AlertRule[] {
  const job = `job="${options.job}"`;
  return [
    {
      alert: "MonwireDbQueryErrorRatioHigh",
      expr: `sum by (tenant) (rate(db_query_errors_total{${job}}[5m]))\n/\nsum by (tenant) (rate(db_query_duration_seconds_count{${job}}[5m]))\n> ${DB_ERROR_RATIO}`,
      for: "5m",
      labels: { severity: "warning" },
      annotations: {
        summary: `${options.job}: more than ${DB_ERROR_RATIO * 100} % of tenant {{ $labels.tenant }}'s database queries fail`,
        description: "See db_query_errors_total by code (SQLSTATE class): 08 connection, 23 constraint, 40 rollback/deadlock, 42 syntax or missing object, 53 resources, 57 operator intervention.",
      },
    },
    {
      alert: "MonwireDbQueryLatencyHigh",
      expr: `histogram_quantile(0.95, sum by (tenant, le) (rate(db_query_duration_seconds_bucket{${job}}[5m])))\n> ${DB_LATENCY_P95_SECONDS}`,
      for: "10m",
      labels: { severity: "warning" },
      annotations: {
        summary: `${options.job}: p95 database query time for tenant {{ $labels.tenant }} is above ${DB_LATENCY_P95_SECONDS}s`,
        description: "Slow queries leave Sentry breadcrumbs (category db.slow_query) with the statement shape; the pool gauges show whether the time is spent waiting for a connection.",
      },
    },
    {
      alert: "MonwireDbPoolExhausted",
      expr: `db_pool_pending_acquires{${job}} > 0\nand on (job, instance)\nsum by (job, instance) (db_pool_connections{${job},state="in_use"}) >= on (job, instance) db_pool_max_connections{${job}}`,
      for: "5m",
      labels: { severity: "warning" },
      annotations: {
        summary: `${options.job} instance {{ $labels.instance }}: every database connection is in use and callers wait`,
        description: "Raise the pool's max (and the server's max_connections), or find the queries or transactions that hold connections long.",
      },
    },
  ];
}

type Expected = (rule: string, labels: Record<string, string>) => never;
type Selector = (name: string, labels: Record<string, string>) => string;
type AlertTest = (alertname: string, evalTime: string, alerts: never[]) => unknown;

/** promtool cases for the rules above (merged into alerts.test.yml). */
export function buildDatabaseAlertTests(options: RulesOptions, tenants: string[], helpers: { expected: Expected; selector: Selector; alertTest: AlertTest }): YamlValue[] {
  const { expected, selector, alertTest } = helpers;
  const [bad = "tenant-a", good = "tenant-b"] = tenants;
  const target = { job: options.job, instance: "app:5000" };
  const q = (tenant: string, operation = "select") => ({ ...target, operation, tenant });
  const bucket = (tenant: string, le: string) => selector("db_query_duration_seconds_bucket", { ...q(tenant), le });
  return [
    {
      name: `failing queries for ${bad} (10 %) warn after 5 minutes; ${good} stays quiet`,
      interval: "1m",
      input_series: [
        { series: selector("db_query_duration_seconds_count", q(bad)), values: "0+60x30" },
        { series: selector("db_query_errors_total", { ...q(bad), code: "23" }), values: "0+6x30" },
        { series: selector("db_query_duration_seconds_count", q(good)), values: "0+60x30" },
        { series: selector("db_query_errors_total", { ...q(good), code: "23" }), values: "0+1x30" },
      ],
      alert_rule_test: [
        alertTest("MonwireDbQueryErrorRatioHigh", "3m", []),
        alertTest("MonwireDbQueryErrorRatioHigh", "15m", [expected("MonwireDbQueryErrorRatioHigh", { tenant: bad })]),
      ],
    } as unknown as YamlValue,
    {
      name: `p95 query time of ${bad} near 0.5s warns after 10 minutes; ${good} at 0.1s stays quiet`,
      interval: "1m",
      input_series: [
        { series: bucket(bad, "0.1"), values: "0x40" },
        { series: bucket(bad, "0.25"), values: "0x40" },
        { series: bucket(bad, "0.5"), values: "0+10x40" },
        { series: bucket(bad, "+Inf"), values: "0+10x40" },
        { series: bucket(good, "0.1"), values: "0+10x40" },
        { series: bucket(good, "0.25"), values: "0+10x40" },
        { series: bucket(good, "0.5"), values: "0+10x40" },
        { series: bucket(good, "+Inf"), values: "0+10x40" },
      ],
      alert_rule_test: [
        alertTest("MonwireDbQueryLatencyHigh", "5m", []),
        alertTest("MonwireDbQueryLatencyHigh", "20m", [expected("MonwireDbQueryLatencyHigh", { tenant: bad })]),
      ],
    } as unknown as YamlValue,
    {
      name: "a pool with every connection in use and callers waiting warns; a busy pool with room does not",
      interval: "1m",
      input_series: [
        { series: selector("db_pool_connections", { ...target, state: "in_use" }), values: "3 3 5 5 5 5 5 5 5 5 5 5" },
        { series: selector("db_pool_connections", { ...target, state: "idle" }), values: "2 2 0 0 0 0 0 0 0 0 0 0" },
        { series: selector("db_pool_pending_acquires", target), values: "2 2 4 4 4 4 4 4 4 4 4 4" },
        { series: selector("db_pool_max_connections", target), values: "5x12" },
      ],
      alert_rule_test: [
        alertTest("MonwireDbPoolExhausted", "1m", []),
        alertTest("MonwireDbPoolExhausted", "5m", []),
        alertTest("MonwireDbPoolExhausted", "10m", [expected("MonwireDbPoolExhausted", target)]),
      ],
    } as unknown as YamlValue,
  ];
}
