import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../helpers/cli.js";
import { resolveConfig } from "../../src/config/validate.js";
import { buildAlertTests } from "../../src/metrics/alert-tests.js";
import { buildDashboard, dashboardQueries } from "../../src/metrics/dashboard.js";
import { CATALOG } from "../../src/metrics/catalog.js";
import { BURN_WINDOWS, buildAlertRules, buildRecordingRules, latencyThreshold } from "../../src/metrics/rules.js";
import { toYaml } from "../../src/metrics/yaml.js";
import { renderOpsFiles } from "../../src/scaffold/ops.js";

describe("YAML writer", () => {
  it.each([
    ["plain", "up", "up"],
    ["reserved word", "yes", '"yes"'],
    ["number-looking", "5m", '"5m"'],
    ["colon-space", "a: b", '"a: b"'],
    ["template braces", "{{ $labels.x }}", '"{{ $labels.x }}"'],
    ["quotes", 'job="x"', '"job=\\"x\\""'],
  ])("%s string %j → %s", (_name, value, written) => {
    expect(toYaml({ k: value })).toBe(`k: ${written}\n`);
  });

  it("writes lists of maps, literal blocks and comments", () => {
    expect(toYaml({ groups: [{ name: "g", rules: [{ expr: "a\nb" }] }], empty: [] }, ["head"])).toBe(
      "# head\ngroups:\n- name: g\n  rules:\n  - expr: |-\n      a\n      b\nempty: []\n",
    );
  });
});

describe("alert rules", () => {
  const rules = buildAlertRules({ job: "shop" });

  it("covers burn rates per tenant, target down, database down, event-loop lag, audit, Sentry and the business alerts", () => {
    expect(rules.map((r) => r.alert)).toEqual([
      "MonwireErrorBudgetBurnFast", "MonwireErrorBudgetBurnSlow", "MonwireLatencyBudgetBurnFast", "MonwireLatencyBudgetBurnSlow",
      "MonwireTargetDown", "MonwireDatabaseDown", "MonwireEventLoopLagHigh", "MonwireAuditWriteErrors", "MonwireSentryDeliveryFailing",
      "MonwireDbQueryErrorRatioHigh", "MonwireDbQueryLatencyHigh", "MonwireDbPoolExhausted",
      "MonwireWalletFailureRatioHigh", "MonwireAuthenticationFailureSpike", "MonwireKeyGenerationStalled",
    ]);
    for (const rule of rules) {
      expect(rule.labels.severity).toMatch(/^(page|ticket|warning)$/);
      expect(rule.annotations.summary).toBeTruthy();
      // SLO alerts read recording rules, which select the job themselves.
      expect(rule.expr.includes('job="shop"') || rule.expr.includes("tenant:http_requests_")).toBe(true);
    }
    expect(rules.find((r) => r.alert === "MonwireEventLoopLagHigh")!.expr).toContain("nodejs_eventloop_lag_p99_seconds");
  });

  it("pairs a long and a short window for every burn factor (multi-window, multi-burn-rate)", () => {
    const fast = rules[0]!.expr;
    for (const [long, short, factor] of BURN_WINDOWS.fast) {
      expect(fast).toContain(`tenant:http_requests_errors:ratio_rate${long} > (${factor} * 0.001)`);
      expect(fast).toContain(`tenant:http_requests_errors:ratio_rate${short} > (${factor} * 0.001)`);
    }
    const recordingRules = buildRecordingRules({ job: "shop" });
    for (const rule of recordingRules) expect(rule.expr).toContain('job="shop"');
    const recorded = recordingRules.map((r) => r.record);
    for (const pair of [...BURN_WINDOWS.fast, ...BURN_WINDOWS.slow]) {
      for (const window of pair.slice(0, 2)) expect(recorded).toContain(`tenant:http_requests_slow:ratio_rate${window}`);
    }
  });

  it("takes the latency threshold from the configured buckets", () => {
    expect(latencyThreshold({ job: "x", buckets: [0.1, 0.3, 1] })).toBe(1);
    expect(latencyThreshold({ job: "x", buckets: [0.1, 0.5, 1] })).toBe(0.5);
    expect(buildRecordingRules({ job: "x", buckets: [0.2, 0.75] })[1]!.expr).toContain('le="0.75"');
  });

  it("renders the expected annotations of the promtool tests from the rules themselves", () => {
    const tests = buildAlertTests({ job: "shop" }, ["EUR", "KM"]) as { tests: Array<{ alert_rule_test: Array<{ alertname: string; exp_alerts: Array<{ exp_labels: Record<string, string>; exp_annotations: Record<string, string> }> }> }> };
    const fast = tests.tests[0]!.alert_rule_test.find((t) => t.exp_alerts.length > 0)!;
    expect(fast.exp_alerts[0]!.exp_labels).toEqual({ tenant: "EUR", severity: "page", slo: "availability" });
    expect(fast.exp_alerts[0]!.exp_annotations.summary).toBe("shop: tenant EUR is burning its availability error budget fast");
    const tested = new Set(tests.tests.flatMap((t) => t.alert_rule_test.map((a) => a.alertname)));
    for (const rule of rules) expect(tested.has(rule.alert), rule.alert).toBe(true);
  });
});

describe("Grafana dashboard", () => {
  it("has a panel for every catalog metric, RED per tenant, and the Node runtime", () => {
    const queries = dashboardQueries({ job: "shop" });
    for (const metric of CATALOG) expect(queries.some((q) => q.includes(metric.name)), metric.name).toBe(true);
    expect(queries.some((q) => q.includes("histogram_quantile(0.95"))).toBe(true);
    expect(queries.some((q) => q.includes("nodejs_eventloop_lag_p99_seconds"))).toBe(true);
    const rows = (buildDashboard({ job: "shop" }).panels as Array<{ type: string; title: string }>).filter((p) => p.type === "row").map((p) => p.title);
    expect(rows).toEqual(["RED per tenant", "Per instance and route", "Business", "Database", "Monitoring health", "Node.js runtime"]);
  });

  it("no panel title names one error kind while its query plots several", () => {
    type Panel = { type: string; title: string; targets?: Array<{ expr: string }> };
    const panels = (buildDashboard({ job: "shop" }).panels as Panel[]).filter((p) => p.targets?.some((t) => t.expr.includes("api_errors_total")));
    expect(panels.length).toBeGreaterThan(0);
    for (const panel of panels) {
      const kindFilter = panel.targets!.some((t) => /kind=~?"/.test(t.expr));
      // Unfiltered by kind: the title must not claim a single kind ("4xx") — it must name all of them, or none.
      if (!kindFilter) expect(/4xx/.test(panel.title) ? /5xx/.test(panel.title) && /exception/.test(panel.title) : true, panel.title).toBe(true);
    }
  });

  it("has per-instance and per-route views filtered by $instance and $tenant", () => {
    type Panel = { title: string; targets?: Array<{ expr: string }> };
    const dashboard = buildDashboard({ job: "shop" });
    const panels = dashboard.panels as Panel[];
    for (const title of ["Requests per second by instance", "5xx error ratio by instance", "Latency p99 by instance", "Requests per second by route (top 10)", "5xx error ratio by route", "Latency p99 by route"]) {
      const panel = panels.find((p) => p.title === title);
      expect(panel, title).toBeDefined();
      expect(panel!.targets![0]!.expr).toContain('instance=~"$instance"');
      expect(panel!.targets![0]!.expr).toContain('tenant=~"$tenant"');
    }
    const variables = (dashboard.templating as { list: Array<{ name: string }> }).list.map((v) => v.name);
    expect(variables).toEqual(["datasource", "tenant", "instance"]);
  });

  it("filters tenant-labelled metrics by the $tenant variable", () => {
    const queries = dashboardQueries({ job: "shop" });
    expect(queries.filter((q) => q.includes("http_requests_total")).every((q) => q.includes('tenant=~"$tenant"'))).toBe(true);
  });
});

describe("ops files", () => {
  const config = resolveConfig({ service: "@acme/shop", metrics: { path: "/internal/metrics" }, audit: { dir: "var/audit" } });

  it("quotes job names with npm scopes and scrapes the app's port and path", () => {
    const files = renderOpsFiles(config, { port: 5000, tenants: ["EUR"] });
    const scrape = files.find((f) => f.path === "monitoring/prometheus.yml")!.content;
    expect(scrape).toContain('job_name: "@acme/shop"');
    expect(scrape).toContain('metrics_path: "/internal/metrics"');
    expect(scrape).toMatch(/file_sd_configs:\n\s+- files:\n\s+- targets\.json/);
    expect(scrape).toContain("# kubernetes_sd_configs:");
    const targets = JSON.parse(files.find((f) => f.path === "monitoring/targets.json")!.content);
    expect(targets).toEqual([{ targets: ["127.0.0.1:5000"], labels: { service: "@acme/shop" } }]);
    // The cluster pointer names a section that exists in the shipped docs.
    expect(scrape).toContain('"Cluster and PM2"');
    expect(readFileSync(join(REPO_ROOT, "docs", "metrics.md"), "utf8")).toMatch(/^## Cluster and PM2$/m);
    const vector = files.find((f) => f.path === "monitoring/vector.toml")!.content;
    expect(vector).toContain("/var/audit}/audit-*.log");
    expect(vector).toContain(".event.original = original");
    expect(vector).not.toMatch(/\{\{\w+\}\}/);
  });

  it("writes only what the enabled features need", () => {
    const noMetrics = renderOpsFiles(resolveConfig({ metrics: { enabled: false } }), { port: 1, tenants: [] }).map((f) => f.path);
    expect(noMetrics).toEqual(["monitoring/vector.toml"]);
    const noAudit = renderOpsFiles(resolveConfig({ audit: { enabled: false } }), { port: 1, tenants: [] }).map((f) => f.path);
    expect(noAudit).not.toContain("monitoring/vector.toml");
  });
});
