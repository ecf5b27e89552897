/**
 * Views across many instances: the same RED signals split per instance (which replica is sick?)
 * and per route (which endpoint?), both still filtered by the tenant variable. The per-tenant
 * panels elsewhere sum over every instance.
 */
export interface ViewPanel {
  title: string;
  unit: string;
  queries: Array<{ expr: string; legend: string }>;
  description?: string;
}

export function instanceRoutePanels(job: string): ViewPanel[] {
  const sel = (extra = "") => `{job="${job}",tenant=~"$tenant",instance=~"$instance"${extra}}`;
  const rate = "[$__rate_interval]";
  const ratio = (by: string) =>
    `sum by (${by}) (rate(http_requests_total${sel(',status_code=~"5.."')}${rate})) / sum by (${by}) (rate(http_requests_total${sel()}${rate}))`;
  const p99 = (by: string) => `histogram_quantile(0.99, sum by (${by}, le) (rate(http_request_duration_seconds_bucket${sel()}${rate})))`;
  return [
    { title: "Requests per second by instance", unit: "reqps", queries: [{ expr: `sum by (instance) (rate(http_requests_total${sel()}${rate}))`, legend: "{{instance}}" }] },
    { title: "5xx error ratio by instance", unit: "percentunit", queries: [{ expr: ratio("instance"), legend: "{{instance}}" }] },
    { title: "Latency p99 by instance", unit: "s", queries: [{ expr: p99("instance"), legend: "{{instance}}" }] },
    { title: "Database up by instance", unit: "bool", queries: [{ expr: `min by (instance) (database_up{job="${job}",instance=~"$instance"})`, legend: "{{instance}}" }] },
    {
      title: "Requests per second by route (top 10)",
      unit: "reqps",
      queries: [{ expr: `topk(10, sum by (method, route) (rate(http_requests_total${sel()}${rate})))`, legend: "{{method}} {{route}}" }],
    },
    { title: "5xx error ratio by route", unit: "percentunit", queries: [{ expr: ratio("method, route"), legend: "{{method}} {{route}}" }] },
    { title: "Latency p99 by route", unit: "s", queries: [{ expr: p99("method, route"), legend: "{{method}} {{route}}" }] },
    {
      title: "API errors per second by route and kind",
      unit: "ops",
      description: "client_error = 4xx, server_error = 5xx, exception = an error passed to next(err).",
      queries: [{ expr: `sum by (route, kind) (rate(api_errors_total${sel()}${rate}))`, legend: "{{route}} {{kind}}" }],
    },
  ];
}

/** The `instance` variable of the dashboard (multi-select, all by default). */
export function instanceVariable(job: string, datasource: Record<string, string>): Record<string, unknown> {
  return {
    name: "instance",
    label: "Instance",
    type: "query",
    datasource,
    query: { query: `label_values(up{job="${job}"}, instance)`, refId: "instances" },
    definition: `label_values(up{job="${job}"}, instance)`,
    includeAll: true,
    multi: true,
    allValue: ".*",
    refresh: 2,
    current: {},
  };
}
