import type { MonwireConfig } from "../config/schema.js";
import { renderAlertTests } from "../metrics/alert-tests.js";
import { renderAlertmanagerConfig } from "../metrics/alertmanager.js";
import { renderRunbooks } from "../metrics/runbooks.js";
import { renderDashboard } from "../metrics/dashboard.js";
import { renderAlertRules } from "../metrics/rules.js";
import { renderTemplate, type RenderedFile } from "./templates.js";

/**
 * Operations files under monitoring/: scrape config, alert rules with their promtool tests, a
 * Grafana dashboard, and a Vector pipeline for the audit trail. Rules and dashboard are generated
 * from the metric catalog (src/metrics), the rest from templates/ops.
 */
export const OPS_DIR = "monitoring";

/** Prometheus job names and label values may hold `@` and `/` (npm scopes): always quote them. */
const quoted = (value: string) => JSON.stringify(value);

export function renderOpsFiles(config: MonwireConfig, options: { port: number; tenants: string[] }): RenderedFile[] {
  const job = config.service;
  const files: RenderedFile[] = [];
  if (config.metrics.enabled) {
    const rulesOptions = { job, buckets: config.metrics.buckets };
    files.push(
      {
        path: `${OPS_DIR}/prometheus.yml`,
        reason: "Prometheus scrape config",
        content: renderTemplate("ops/prometheus.yml", {
          service: job,
          job: quoted(job),
          metricsPath: quoted(config.metrics.path),
          port: String(config.metrics.port ?? options.port),
          tokenEnv: config.metrics.tokenEnv ?? "MONWIRE_METRICS_TOKEN",
          tokenFile: `${job.replace(/[^A-Za-z0-9_-]/g, "-").replace(/^-+/, "")}-metrics-token`,
        }),
      },
      {
        path: `${OPS_DIR}/targets.json`,
        reason: "the instances Prometheus scrapes (file_sd_configs; add one line per instance)",
        content: `${JSON.stringify([{ targets: [`127.0.0.1:${config.metrics.port ?? options.port}`], labels: { service: job } }], null, 2)}\n`,
      },
      { path: `${OPS_DIR}/alerts.yml`, reason: "alert rules (burn rate per tenant, target/database down, event-loop lag)", content: renderAlertRules(rulesOptions) },
      { path: `${OPS_DIR}/alerts.test.yml`, reason: "promtool test rules cases", content: renderAlertTests(rulesOptions, options.tenants) },
      { path: `${OPS_DIR}/runbooks.md`, reason: "what to check and do for each alert (runbook_url)", content: renderRunbooks(rulesOptions) },
      { path: `${OPS_DIR}/alertmanager.yml`, reason: "Alertmanager routing by severity and tenant (placeholder receivers)", content: renderAlertmanagerConfig({ tenants: options.tenants }) },
      { path: `${OPS_DIR}/grafana-dashboard.json`, reason: "Grafana dashboard over the metric catalog", content: renderDashboard({ job }) },
    );
  }
  if (config.audit.enabled) {
    files.push({
      path: `${OPS_DIR}/vector.toml`,
      reason: "Vector: audit trail → Elasticsearch (ECS) or Loki",
      content: renderTemplate("ops/vector.toml", {
        service: job,
        serviceSlug: job.replace(/[^A-Za-z0-9_-]/g, "-").replace(/^-+/, ""),
        auditDir: config.audit.dir,
      }),
    });
  }
  return files;
}
