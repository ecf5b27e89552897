import { toYaml, type YamlValue } from "./yaml.js";

/**
 * monitoring/alertmanager.yml: routes by severity (page → on-call, everything else → tickets) and
 * by tenant (each tenant's alerts also go to that tenant's account team), grouped per alert and
 * tenant so one tenant's incident is one notification. Receivers are webhook placeholders on
 * loopback: replace them with PagerDuty, Opsgenie, Slack or e-mail (examples in the comments).
 */
export interface AlertmanagerOptions {
  tenants: string[];
  /** Base URL of the placeholder webhooks; the end-to-end test points it at its receiver. */
  webhookBase?: string;
  /** Timings; the end-to-end test shortens them. */
  groupWait?: string;
  groupInterval?: string;
  repeatInterval?: string;
}

const slug = (tenant: string) => tenant.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "") || "tenant";

export function buildAlertmanagerConfig(options: AlertmanagerOptions): YamlValue {
  const base = (options.webhookBase ?? "http://127.0.0.1:5001/monwire").replace(/\/$/, "");
  const webhook = (name: string) => ({ name, webhook_configs: [{ url: `${base}/${name}`, send_resolved: true }] });
  const used = new Set<string>();
  const tenantReceivers = options.tenants.map((tenant) => {
    // Tenants that differ only in case or punctuation still get receivers of their own.
    let receiver = `tenant-${slug(tenant)}`;
    for (let n = 2; used.has(receiver); n += 1) receiver = `tenant-${slug(tenant)}-${n}`;
    used.add(receiver);
    return { tenant, receiver };
  });
  return {
    route: {
      receiver: "tickets",
      group_by: ["alertname", "tenant"],
      group_wait: options.groupWait ?? "30s",
      group_interval: options.groupInterval ?? "5m",
      repeat_interval: options.repeatInterval ?? "4h",
      routes: [
        // continue: a tenant's alerts reach its team and still fall through to the severity routes.
        ...tenantReceivers.map(({ tenant, receiver }) => ({ receiver, matchers: [`tenant="${tenant}"`], continue: true })),
        { receiver: "oncall-pager", matchers: ['severity="page"'] },
        { receiver: "tickets", matchers: ['severity=~"ticket|warning"'] },
      ],
    },
    inhibit_rules: [
      // When an instance cannot be scraped, its other alerts are noise.
      { source_matchers: ['alertname="MonwireTargetDown"'], target_matchers: ['severity=~"warning|ticket"'], equal: ["instance"] },
    ],
    receivers: [webhook("oncall-pager"), webhook("tickets"), ...tenantReceivers.map(({ receiver }) => webhook(receiver))],
  };
}

export function renderAlertmanagerConfig(options: AlertmanagerOptions): string {
  return toYaml(buildAlertmanagerConfig(options), [
    "Alertmanager routing, written by `mon init`. Check: amtool check-config alertmanager.yml",
    "Receivers are placeholders (loopback webhooks): replace each with a real integration, e.g.",
    "  pagerduty_configs: [{ routing_key_file: /etc/alertmanager/pagerduty.key }]",
    "  slack_configs: [{ api_url_file: /etc/alertmanager/slack.url, channel: '#alerts' }]",
    "  email_configs: [{ to: team@example.com }]  (needs global.smtp_* settings)",
    "Runbooks for every alert: runbooks.md (linked from each alert's runbook_url).",
  ]);
}
