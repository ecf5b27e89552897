import { buildDatabaseAlertTests } from "./db-rules.js";
import { buildBusinessAlertTests } from "./business-alert-tests.js";
import { buildAlertRules, latencyThreshold, type AlertRule, type RulesOptions } from "./rules.js";
import { toYaml, type YamlValue } from "./yaml.js";

/**
 * monitoring/alerts.test.yml: `promtool test rules` cases that prove each alert fires when it
 * should and stays quiet when it should not. Expected annotations are rendered from the same rule
 * objects, so a changed description cannot silently desynchronise the tests.
 */
type ExpectedAlert = {
  exp_labels: Record<string, string>;
  exp_annotations: Record<string, string>;
};

function render(template: string, labels: Record<string, string>): string {
  return template.replace(/\{\{ \$labels\.(\w+) \}\}/g, (_, name: string) => labels[name] ?? "");
}

function expected(rule: AlertRule, labels: Record<string, string>): ExpectedAlert {
  const all = { ...labels, ...rule.labels };
  return {
    exp_labels: all,
    exp_annotations: Object.fromEntries(Object.entries(rule.annotations).map(([k, v]) => [k, render(v, all)])),
  };
}

const selector = (name: string, labels: Record<string, string>) =>
  `${name}{${Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(",")}}`;

export function buildAlertTests(options: RulesOptions, tenants: string[]): YamlValue {
  const rules = new Map(buildAlertRules(options).map((r) => [r.alert, r]));
  const rule = (name: string) => rules.get(name)!;
  const [bad = "tenant-a", good = "tenant-b"] = tenants;
  const job = options.job;
  const target = { job, instance: "app:5000" };
  const http = (tenant: string, status: string) => ({ ...target, method: "GET", route: "/api/licenses/:id", status_code: status, tenant });
  const le = String(latencyThreshold(options));
  const alertTest = (alertname: string, evalTime: string, alerts: ExpectedAlert[]) => ({ eval_time: evalTime, alertname, exp_alerts: alerts });

  return {
    rule_files: ["alerts.yml"],
    evaluation_interval: "1m",
    tests: [
      {
        name: `a 5xx storm for ${bad} pages (fast and slow burn); ${good} stays quiet`,
        interval: "1m",
        input_series: [
          { series: selector("http_requests_total", http(bad, "200")), values: "0+60x100" },
          { series: selector("http_requests_total", http(bad, "500")), values: "0+6x100" },
          { series: selector("http_requests_total", http(good, "200")), values: "0+60x100" },
        ],
        alert_rule_test: [
          alertTest("MonwireErrorBudgetBurnFast", "1m", []),
          alertTest("MonwireErrorBudgetBurnFast", "90m", [expected(rule("MonwireErrorBudgetBurnFast"), { tenant: bad })]),
          alertTest("MonwireErrorBudgetBurnSlow", "90m", [expected(rule("MonwireErrorBudgetBurnSlow"), { tenant: bad })]),
        ],
      },
      {
        name: "an error ratio inside the budget never alerts",
        interval: "1m",
        input_series: [
          { series: selector("http_requests_total", http(bad, "200")), values: "0+2000x400" },
          { series: selector("http_requests_total", http(bad, "500")), values: "0+1x400" },
        ],
        alert_rule_test: [
          alertTest("MonwireErrorBudgetBurnFast", "90m", []),
          alertTest("MonwireErrorBudgetBurnSlow", "6h", []),
        ],
      },
      {
        name: `requests slower than ${le}s for ${bad} burn the latency budget`,
        interval: "1m",
        input_series: [
          { series: selector("http_request_duration_seconds_bucket", { ...http(bad, "200"), le }), values: "0+70x100" },
          { series: selector("http_request_duration_seconds_count", http(bad, "200")), values: "0+100x100" },
          { series: selector("http_request_duration_seconds_bucket", { ...http(good, "200"), le }), values: "0+100x100" },
          { series: selector("http_request_duration_seconds_count", http(good, "200")), values: "0+100x100" },
        ],
        alert_rule_test: [
          alertTest("MonwireLatencyBudgetBurnFast", "90m", [expected(rule("MonwireLatencyBudgetBurnFast"), { tenant: bad })]),
          alertTest("MonwireLatencyBudgetBurnSlow", "90m", [expected(rule("MonwireLatencyBudgetBurnSlow"), { tenant: bad })]),
        ],
      },
      {
        name: "target down, database down, event-loop lag",
        interval: "1m",
        input_series: [
          { series: selector("up", target), values: "1 1 1 0 0 0 0 0 0 0" },
          { series: selector("database_up", target), values: "1 1 1 1 1 0 0 0 0 0" },
          { series: selector("nodejs_eventloop_lag_p99_seconds", target), values: "0.01 0.01 0.9 0.9 0.9 0.9 0.9 0.9 0.9 0.9" },
        ],
        alert_rule_test: [
          alertTest("MonwireTargetDown", "2m", []),
          alertTest("MonwireTargetDown", "8m", [expected(rule("MonwireTargetDown"), target)]),
          alertTest("MonwireDatabaseDown", "4m", []),
          alertTest("MonwireDatabaseDown", "8m", [expected(rule("MonwireDatabaseDown"), target)]),
          alertTest("MonwireEventLoopLagHigh", "4m", []),
          alertTest("MonwireEventLoopLagHigh", "8m", [expected(rule("MonwireEventLoopLagHigh"), target)]),
        ],
      },
      {
        name: "audit write errors page at once and clear when writes recover",
        interval: "1m",
        input_series: [{ series: selector("audit_write_errors_total", target), values: "0 0 0 2 2 2 2 2 2 2 2 2 2" }],
        alert_rule_test: [
          alertTest("MonwireAuditWriteErrors", "2m", []),
          alertTest("MonwireAuditWriteErrors", "4m", [expected(rule("MonwireAuditWriteErrors"), target)]),
          alertTest("MonwireAuditWriteErrors", "12m", []),
        ],
      },
      {
        name: "rejected Sentry envelopes warn after 15 minutes",
        interval: "1m",
        input_series: [
          { series: selector("sentry_envelopes_total", { ...target, status: "rejected" }), values: "0+1x40" },
          { series: selector("sentry_envelopes_total", { ...target, status: "delivered" }), values: "0+5x40" },
        ],
        alert_rule_test: [
          alertTest("MonwireSentryDeliveryFailing", "5m", []),
          alertTest("MonwireSentryDeliveryFailing", "30m", [expected(rule("MonwireSentryDeliveryFailing"), { ...target, status: "rejected" })]),
        ],
      },
      ...buildDatabaseAlertTests(options, tenants, { expected: (name, labels) => expected(rule(name), labels) as never, selector, alertTest }),
      ...buildBusinessAlertTests(rule, expected as (r: AlertRule, l: Record<string, string>) => YamlValue, { job, bad, good }),
    ],
  };
}

/** monitoring/alerts.test.yml */
export function renderAlertTests(options: RulesOptions, tenants: string[]): string {
  return toYaml(buildAlertTests(options, tenants), ["Generated by `mon init`. Run: promtool test rules alerts.test.yml"]);
}
