import { getMetricDefinition } from "./catalog.js";
import type { AlertRule } from "./rules.js";

/**
 * Business alerts over the catalog's business families, per tenant: the shop can be up and fast
 * while purchases fail, logins are being guessed, or keys stop being generated.
 */
export interface BusinessRulesOptions {
  job: string;
  /** Window of the rates (default 10m); the end-to-end test shortens it. */
  window?: string;
  /** Overrides every business alert's `for` (the end-to-end test sets "0s"). */
  for?: string;
  /** Share of wallet transactions that may fail before paging (default 0.2). */
  walletFailureRatio?: number;
  /** Failed logins per window that count as a spike when they are also most attempts (default 20). */
  authFailures?: number;
}

for (const name of ["wallet_transactions_total", "authentication_attempts_total", "license_keys_generated_total"]) {
  if (!getMetricDefinition(name)) throw new Error(`business-rules.ts refers to ${name}, which is not in the metric catalog`);
}

export function buildBusinessAlertRules(options: BusinessRulesOptions): AlertRule[] {
  const job = `job="${options.job}"`;
  const w = options.window ?? "10m";
  const ratio = options.walletFailureRatio ?? 0.2;
  const authFailures = options.authFailures ?? 20;
  const forOr = (value: string) => options.for ?? value;
  const rate = (selector: string) => `sum by (tenant) (rate(${selector}[${w}]))`;
  const increase = (selector: string) => `sum by (tenant) (increase(${selector}[${w}]))`;
  return [
    {
      alert: "MonwireWalletFailureRatioHigh",
      expr: `${rate(`wallet_transactions_total{${job},outcome="failure"}`)}\n/\n${rate(`wallet_transactions_total{${job}}`)}\n> ${ratio}`,
      for: forOr("10m"),
      labels: { severity: "page", area: "wallet" },
      annotations: {
        summary: `${options.job}: wallet transactions of tenant {{ $labels.tenant }} are failing`,
        description: `More than ${ratio * 100} % of the wallet transactions of tenant {{ $labels.tenant }} failed over ${w}.`,
      },
    },
    {
      alert: "MonwireAuthenticationFailureSpike",
      expr: `${increase(`authentication_attempts_total{${job},outcome="failure"}`)} > ${authFailures}\nand\n${rate(`authentication_attempts_total{${job},outcome="failure"}`)}\n/\n${rate(`authentication_attempts_total{${job}}`)}\n> 0.5`,
      for: forOr("5m"),
      labels: { severity: "warning", area: "security" },
      annotations: {
        summary: `${options.job}: failed logins spike for tenant {{ $labels.tenant }}`,
        description: `More than ${authFailures} failed logins in ${w}, and most attempts fail: credential stuffing, a broken login page or an identity provider outage.`,
      },
    },
    {
      alert: "MonwireKeyGenerationStalled",
      expr: `${increase(`wallet_transactions_total{${job},type="purchase",outcome="success"}`)} > 0\nunless\n${increase(`license_keys_generated_total{${job}}`)} > 0`,
      for: forOr("15m"),
      labels: { severity: "page", area: "license" },
      annotations: {
        summary: `${options.job}: tenant {{ $labels.tenant }} buys but gets no license keys`,
        description: `Purchases of tenant {{ $labels.tenant }} succeeded over ${w} but no license key was generated: customers paid and received nothing.`,
      },
    },
  ];
}

/** Adds `runbook_url` (the generated runbooks file, anchored per alert) to every alert. */
export function withRunbooks(rules: AlertRule[], runbookBase: string): AlertRule[] {
  return rules.map((rule) => ({ ...rule, annotations: { ...rule.annotations, runbook_url: `${runbookBase}#${rule.alert.toLowerCase()}` } }));
}
