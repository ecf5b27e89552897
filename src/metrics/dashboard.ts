import { CATALOG, type MetricDefinition } from "./catalog.js";
import { instanceRoutePanels, instanceVariable } from "./dashboard-views.js";

/**
 * A Grafana dashboard over the metric catalog: RED per tenant, business metrics, monitoring
 * health and the Node.js runtime. Every catalog metric gets a panel (new ones land in their
 * section automatically, or "Other"), so the dashboard cannot fall behind the catalog.
 */
export interface DashboardOptions {
  job: string;
  title?: string;
}

interface Query {
  expr: string;
  legend: string;
}

interface PanelSpec {
  title: string;
  unit: string;
  queries: Query[];
  description?: string;
  kind?: "timeseries" | "stat";
}

type Section = "RED per tenant" | "Per instance and route" | "Business" | "Database" | "Monitoring health" | "Node.js runtime" | "Other";

const SECTION_OF: Record<string, Section> = {
  http_requests_total: "RED per tenant",
  http_request_duration_seconds: "RED per tenant",
  api_errors_total: "RED per tenant",
  authentication_attempts_total: "Business",
  license_keys_generated_total: "Business",
  wallet_transactions_total: "Business",
  branches_created_total: "Business",
  active_user_sessions: "Business",
  database_up: "Database",
  database_probe_duration_seconds: "Database",
  db_query_duration_seconds: "Database",
  db_query_errors_total: "Database",
  db_pool_connections: "Database",
  db_pool_pending_acquires: "Database",
  db_pool_max_connections: "Database",
  audit_events_total: "Monitoring health",
  audit_write_errors_total: "Monitoring health",
  audit_chain_head_seq: "Monitoring health",
  sentry_envelopes_total: "Monitoring health",
  event_rule_errors_total: "Monitoring health",
  security_signals_total: "Business",
};

const SECTIONS: Section[] = ["RED per tenant", "Per instance and route", "Business", "Database", "Monitoring health", "Node.js runtime", "Other"];

function selector(metric: MetricDefinition, job: string, suffix = ""): string {
  const tenant = metric.labels.includes("tenant") ? `,tenant=~"$tenant"` : "";
  return `${metric.name}${suffix}{job="${job}"${tenant}}`;
}

const legendOf = (labels: string[]) => (labels.length === 0 ? "{{instance}}" : labels.map((l) => `{{${l}}}`).join(" "));

/** Panels for one catalog metric, by type; the RED metrics get the classic views. */
export function panelsFor(metric: MetricDefinition, job: string): PanelSpec[] {
  const rate = `[$__rate_interval]`;
  if (metric.name === "http_requests_total") {
    return [
      { title: "Requests per second by tenant", unit: "reqps", queries: [{ expr: `sum by (tenant) (rate(${selector(metric, job)}${rate}))`, legend: "{{tenant}}" }] },
      {
        title: "5xx error ratio by tenant",
        unit: "percentunit",
        queries: [{
          expr: `sum by (tenant) (rate(${selector(metric, job).replace("}", `,status_code=~"5.."}`)}${rate})) / sum by (tenant) (rate(${selector(metric, job)}${rate}))`,
          legend: "{{tenant}}",
        }],
      },
    ];
  }
  if (metric.name === "db_query_duration_seconds") {
    return [
      { title: "Queries per second by operation and tenant", unit: "ops", queries: [{ expr: `sum by (operation, tenant) (rate(${selector(metric, job, "_count")}${rate}))`, legend: "{{operation}} {{tenant}}" }] },
      {
        title: "Query latency p50 / p95 / p99 by tenant",
        unit: "s",
        queries: [0.5, 0.95, 0.99].map((q) => ({ expr: `histogram_quantile(${q}, sum by (tenant, le) (rate(${selector(metric, job, "_bucket")}${rate})))`, legend: `p${q * 100} {{tenant}}` })),
      },
    ];
  }
  if (metric.name === "api_errors_total") {
    // One panel per kind would hide their sum; the title names every kind it plots.
    return [{
      title: "API errors per second by kind (4xx, 5xx, exceptions) and tenant",
      unit: "ops",
      description: metric.help,
      queries: [{ expr: `sum by (kind, tenant) (rate(${selector(metric, job)}${rate}))`, legend: "{{kind}} {{tenant}}" }],
    }];
  }
  if (metric.type === "histogram") {
    return [{
      title: "Latency p50 / p95 / p99 by tenant",
      unit: "s",
      queries: [0.5, 0.95, 0.99].map((q) => ({
        expr: `histogram_quantile(${q}, sum by (tenant, le) (rate(${selector(metric, job, "_bucket")}${rate})))`,
        legend: `p${q * 100} {{tenant}}`,
      })),
    }];
  }
  const by = metric.labels.filter((l) => l !== "tenant" && l !== "route" && l !== "method");
  const groups = metric.labels.includes("tenant") ? [...by, "tenant"] : by;
  const sumBy = groups.length > 0 ? `sum by (${groups.join(", ")})` : "sum";
  if (metric.type === "counter") {
    return [{ title: `${metric.help.replace(/[.,].*$/, "")} (per second)`, unit: "ops", description: metric.help, queries: [{ expr: `${sumBy} (rate(${selector(metric, job)}${rate}))`, legend: legendOf(groups) }] }];
  }
  return [{
    title: metric.help.replace(/[.,].*$/, ""),
    unit: metric.name === "database_up" ? "bool" : "short",
    description: metric.help,
    queries: [{ expr: metric.labels.length === 0 ? `min by (instance) (${selector(metric, job)})` : `${sumBy} (${selector(metric, job)})`, legend: metric.labels.length === 0 ? "{{instance}}" : legendOf(groups) }],
  }];
}

/** prom-client's default metrics worth watching (unprefixed, as monwire registers them). */
export function runtimePanels(job: string): PanelSpec[] {
  const sel = `{job="${job}"}`;
  return [
    { title: "Event-loop lag p99", unit: "s", queries: [{ expr: `max by (instance) (nodejs_eventloop_lag_p99_seconds${sel})`, legend: "{{instance}}" }] },
    { title: "CPU (cores)", unit: "short", queries: [{ expr: `sum by (instance) (rate(process_cpu_seconds_total${sel}[$__rate_interval]))`, legend: "{{instance}}" }] },
    { title: "Resident memory", unit: "bytes", queries: [{ expr: `max by (instance) (process_resident_memory_bytes${sel})`, legend: "{{instance}}" }] },
    { title: "Heap used", unit: "bytes", queries: [{ expr: `sum by (instance) (nodejs_heap_size_used_bytes${sel})`, legend: "{{instance}}" }] },
    { title: "GC time per second", unit: "s", queries: [{ expr: `sum by (instance, kind) (rate(nodejs_gc_duration_seconds_sum${sel}[$__rate_interval]))`, legend: "{{instance}} {{kind}}" }] },
    { title: "Open file descriptors", unit: "short", queries: [{ expr: `max by (instance) (process_open_fds${sel})`, legend: "{{instance}}" }] },
  ];
}

/** All panel queries of the dashboard, for tests (e.g. checking every expression with promtool). */
export function dashboardQueries(options: DashboardOptions): string[] {
  return (buildDashboard(options).panels as Array<{ targets?: Array<{ expr: string }> }>).flatMap((p) => (p.targets ?? []).map((t) => t.expr));
}

export function buildDashboard(options: DashboardOptions): Record<string, unknown> {
  const { job } = options;
  const bySection = new Map<Section, PanelSpec[]>(SECTIONS.map((s) => [s, []]));
  for (const metric of CATALOG as readonly MetricDefinition[]) bySection.get(SECTION_OF[metric.name] ?? "Other")!.push(...panelsFor(metric, job));
  bySection.get("Node.js runtime")!.push(...runtimePanels(job));
  bySection.get("Per instance and route")!.push(...instanceRoutePanels(job));

  const datasource = { type: "prometheus", uid: "${datasource}" };
  const panels: Record<string, unknown>[] = [];
  let id = 1;
  let y = 0;
  for (const [section, specs] of bySection) {
    if (specs.length === 0) continue;
    panels.push({ id: id++, type: "row", title: section, collapsed: false, gridPos: { h: 1, w: 24, x: 0, y }, panels: [] });
    y += 1;
    specs.forEach((spec, index) => {
      panels.push({
        id: id++,
        type: spec.kind ?? "timeseries",
        title: spec.title,
        ...(spec.description ? { description: spec.description } : {}),
        datasource,
        gridPos: { h: 8, w: 12, x: (index % 2) * 12, y: y + Math.floor(index / 2) * 8 },
        fieldConfig: { defaults: { unit: spec.unit }, overrides: [] },
        options: { legend: { displayMode: "list", placement: "bottom", showLegend: true }, tooltip: { mode: "multi", sort: "desc" } },
        targets: spec.queries.map((q, i) => ({ refId: String.fromCharCode(65 + i), datasource, expr: q.expr, legendFormat: q.legend })),
      });
    });
    y += Math.ceil(specs.length / 2) * 8;
  }
  return {
    title: options.title ?? `${job} — monwire`,
    uid: `monwire-${job.replace(/[^A-Za-z0-9-]/g, "-").slice(0, 30)}`,
    tags: ["monwire"],
    timezone: "utc",
    schemaVersion: 39,
    version: 1,
    editable: true,
    refresh: "30s",
    time: { from: "now-6h", to: "now" },
    templating: {
      list: [
        { name: "datasource", label: "Prometheus", type: "datasource", query: "prometheus", current: {}, hide: 0 },
        {
          name: "tenant",
          label: "Tenant",
          type: "query",
          datasource,
          query: { query: `label_values(http_requests_total{job="${job}"}, tenant)`, refId: "tenants" },
          definition: `label_values(http_requests_total{job="${job}"}, tenant)`,
          includeAll: true,
          multi: true,
          allValue: ".*",
          refresh: 2,
          current: {},
        },
        instanceVariable(job, datasource),
      ],
    },
    panels,
  };
}

/** monitoring/grafana-dashboard.json */
export function renderDashboard(options: DashboardOptions): string {
  return `${JSON.stringify(buildDashboard(options), null, 2)}\n`;
}
