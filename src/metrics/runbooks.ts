import { buildAlertRules, type RulesOptions } from "./rules.js";

/**
 * monitoring/runbooks.md: one section per alert, anchored by the lowercased alert name that every
 * rule's `runbook_url` points to. The summary comes from the rule itself; the checks and fixes
 * are written here, per alert.
 */
export const RUNBOOK_STEPS: Readonly<Record<string, { check: string[]; fix: string[] }>> = {
  MonwireErrorBudgetBurnFast: {
    check: ["Dashboard: error ratio by tenant and route — which routes return 5xx?", "Sentry: new issues for this tenant in the last hour.", "Recent deploys or config changes."],
    fix: ["Roll back the last deploy if the errors started with it.", "If one dependency fails (database, payment provider), follow its runbook."],
  },
  MonwireErrorBudgetBurnSlow: {
    check: ["Dashboard: the 5xx ratio over the last days, per route.", "Sentry: recurring issues for this tenant."],
    fix: ["Open a ticket for the failing route; the budget lasts days, not hours."],
  },
  MonwireLatencyBudgetBurnFast: {
    check: ["Dashboard: p99 latency per route and instance.", "Event-loop lag and CPU of the instances.", "Database latency."],
    fix: ["Scale out or shed load; find the slow route and its dependency."],
  },
  MonwireLatencyBudgetBurnSlow: {
    check: ["Dashboard: latency trend per route over days."],
    fix: ["Open a ticket: profile the slow routes."],
  },
  MonwireTargetDown: {
    check: ["Is the process running (systemctl, pm2 list, kubectl get pods)?", "Prometheus → Status → Targets: the scrape error.", "A token mismatch answers 401: compare MONWIRE_METRICS_TOKEN with Prometheus' credentials file."],
    fix: ["Restart the instance; fix the scrape error shown by Prometheus."],
  },
  MonwireDatabaseDown: {
    check: ["Can the host reach the database (`psql`, `mysql`)?", "Database server health, connections, disk.", "The probe's timeout: metrics.databaseProbeTimeoutMs."],
    fix: ["Restore the database or the network path; the alert resolves at the next scrape."],
  },
  MonwireDbQueryErrorRatioHigh: {
    check: ["Dashboard: db_query_errors_total by code (SQLSTATE class) and operation for the tenant.", "Sentry: errors and `db.slow_query` breadcrumbs of the tenant's requests.", "Recent migrations or schema changes (class 42: syntax or missing object)."],
    fix: ["Class 08 or 53: restore the connection or the server's resources; class 23: fix the write that violates a constraint; class 42: roll back the migration or the code that expects it."],
  },
  MonwireDbQueryLatencyHigh: {
    check: ["Dashboard: query latency p95 by tenant, and the pool gauges (waiting callers mean the time is spent waiting for a connection).", "Slow statements: `db.slow_query` breadcrumbs in Sentry; the database's own statistics (pg_stat_statements)."],
    fix: ["Add the missing index or rewrite the slow statement; raise the pool size only when callers wait while the server is idle."],
  },
  MonwireDbPoolExhausted: {
    check: ["Dashboard: db_pool_connections by state and db_pool_pending_acquires per instance.", "Long transactions or connections not released (a client from pool.connect() without release())."],
    fix: ["Release connections in a finally block; raise the pool's max together with the server's max_connections; scale out."],
  },
  MonwireEventLoopLagHigh: {
    check: ["CPU profile of the instance (`node --cpu-prof`).", "Synchronous work in hot routes (JSON of large bodies, crypto, regexes)."],
    fix: ["Move the blocking work off the event loop or scale out."],
  },
  MonwireAuditWriteErrors: {
    check: ["Disk space and permissions of audit.dir on the instance.", "The app's stderr: the writer names the failing path and errno."],
    fix: ["Free disk space or fix permissions; then run `mon verify` over the trail."],
  },
  MonwireSentryDeliveryFailing: {
    check: ["SENTRY_DSN of the instance (`mon check --only sentry`).", "Sentry quota and rate limits for the project.", "Outbound network to the Sentry host."],
    fix: ["Fix the DSN or raise the quota; errors are lost while this fires."],
  },
  MonwireWalletFailureRatioHigh: {
    check: ["Dashboard: wallet transactions by type and outcome for the tenant.", "Audit trail: `mon tail --tenant <tenant> --category financial --outcome failure`.", "The payment provider's status page."],
    fix: ["Fix the failing provider or validation; tell the tenant if money movements failed."],
  },
  MonwireAuthenticationFailureSpike: {
    check: ["Audit trail: `mon tail --category authentication --outcome failure` — many users or one, many IPs or one?", "The login page and the identity provider."],
    fix: ["Credential stuffing: rate-limit or block the sources; a broken login: roll back."],
  },
  MonwireKeyGenerationStalled: {
    check: ["Audit trail: purchases without `license_key.generated` for the tenant.", "The key generator's dependency (HSM, key service) and its errors in Sentry."],
    fix: ["Restore key generation, then generate the missing keys for the paid purchases."],
  },
};

export function renderRunbooks(options: RulesOptions): string {
  const lines = [
    `# Runbooks for ${options.job}`,
    "",
    "Generated by `mon init`; every alert in alerts.yml links here (`runbook_url`). Edit freely below each heading.",
    "",
  ];
  for (const rule of buildAlertRules(options)) {
    const steps = RUNBOOK_STEPS[rule.alert];
    lines.push(`## ${rule.alert.toLowerCase()}`, "", `**${rule.alert}** (severity ${rule.labels.severity}): ${rule.annotations.summary}`, "", rule.annotations.description ?? "", "");
    if (steps) {
      lines.push("Check:", "", ...steps.check.map((s) => `- ${s}`), "", "Fix:", "", ...steps.fix.map((s) => `- ${s}`), "");
    }
  }
  return `${lines.join("\n").trimEnd()}\n`;
}
