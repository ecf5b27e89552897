import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { CONFIG_SCHEMA_REF } from "../config/json-schema.js";
import { CONFIG_FILE } from "../config/load.js";
import { COMPLIANCE_MIN_RETENTION_DAYS, type MonwireConfigInput, type SentryPii } from "../config/schema.js";
import { resolveConfig } from "../config/validate.js";
import { EXIT, MonwireError } from "../errors.js";
import type { InitAnswers, ProjectInfo } from "./types.js";

/**
 * Answers to init's questions, from flags, an existing mon.config.json, detection, and defaults.
 * Which answers may be defaulted silently and which need a flag (or --yes) is data in ANSWER_FLAGS.
 */
export type AnswerFlags = Partial<InitAnswers>;

/** Flag per answer; `required` ones need a flag, a prompt, an existing config or --yes. */
export const ANSWER_FLAGS: Record<keyof InitAnswers, { flag: string; required: boolean }> = {
  tenants: { flag: "--tenants EUR,KM", required: true },
  tenantFrom: { flag: "--tenant-from header:x-shop|param:shop|subdomain", required: true },
  currency: { flag: "--currencies EUR=EUR,KM=BAM", required: false },
  port: { flag: "--port", required: true },
  metricsPath: { flag: "--metrics-path", required: false },
  auditDir: { flag: "--audit-dir", required: false },
  retentionDays: { flag: "--retention-days", required: false },
  sentry: { flag: "--no-sentry", required: false },
  metrics: { flag: "--no-metrics", required: false },
  audit: { flag: "--no-audit", required: false },
  userIp: { flag: "--no-user-ip", required: false },
  userAgent: { flag: "--no-user-agent", required: false },
  profiling: { flag: "--profiling", required: false },
};

/** Well-known tenant ids that are currency symbols rather than ISO 4217 codes. */
const CURRENCY_SYMBOLS: Record<string, string> = { KM: "BAM" };

/** Tenant → currency: given explicitly, an ISO-looking tenant id, or a known symbol (KM → BAM). */
export function inferCurrencies(tenants: string[], given: Record<string, string> = {}): Record<string, string> {
  const result: Record<string, string> = {};
  for (const tenant of tenants) {
    const currency = given[tenant] ?? CURRENCY_SYMBOLS[tenant.toUpperCase()] ?? (/^[A-Z]{3}$/.test(tenant) ? tenant : undefined);
    if (currency) result[tenant] = currency;
  }
  return result;
}

export function readExistingConfig(root: string): MonwireConfigInput | undefined {
  const file = join(root, CONFIG_FILE);
  if (!existsSync(file)) return undefined;
  const raw = JSON.parse(readFileSync(file, "utf8")) as MonwireConfigInput;
  resolveConfig(raw, file);
  return raw;
}

/** Answers an existing config already gives (so a re-run changes nothing). */
export function answersFromConfig(config: MonwireConfigInput | undefined): AnswerFlags {
  if (!config) return {};
  const resolved = resolveConfig(config);
  const port = Number(new URL(resolved.metrics.url).port || 80);
  return {
    tenants: resolved.tenants.values,
    tenantFrom: resolved.tenants.from,
    currency: resolved.tenants.currency,
    ...(config.metrics?.url ? { port } : {}),
    metricsPath: resolved.metrics.path,
    auditDir: resolved.audit.dir,
    retentionDays: resolved.audit.retentionDays,
    sentry: resolved.sentry.enabled,
    metrics: resolved.metrics.enabled,
    audit: resolved.audit.enabled,
    userIp: resolved.sentry.pii === "ip" || resolved.sentry.pii === "ip+email",
    userAgent: resolved.sentry.sendUserAgent,
    profiling: resolved.sentry.profiling,
  };
}

export function defaultAnswers(project: Pick<ProjectInfo, "port">): InitAnswers {
  return {
    tenants: [],
    tenantFrom: "header:x-tenant",
    currency: {},
    port: project.port ?? 3000,
    metricsPath: "/metrics",
    auditDir: "logs",
    retentionDays: COMPLIANCE_MIN_RETENTION_DAYS,
    sentry: true,
    metrics: true,
    audit: true,
    // The shop's error context names IP address and user agent; init asks, naming them personal data.
    userIp: true,
    userAgent: true,
    profiling: false,
  };
}

/** Required answers nobody gave: these are prompted for, or are an error without --yes. */
export function missingAnswers(given: AnswerFlags, project: Pick<ProjectInfo, "port">): Array<keyof InitAnswers> {
  return (Object.keys(ANSWER_FLAGS) as Array<keyof InitAnswers>).filter((key) => {
    if (!ANSWER_FLAGS[key].required || given[key] !== undefined) return false;
    if (key === "port" && project.port !== undefined) return false;
    if (key === "tenantFrom" && given.tenants !== undefined && given.tenants.length === 0) return false;
    return true;
  });
}

export function missingAnswerError(missing: Array<keyof InitAnswers>): MonwireError {
  const flags = missing.map((key) => ANSWER_FLAGS[key].flag);
  return new MonwireError("E_USAGE", `missing answer${missing.length > 1 ? "s" : ""}: ${flags.join(", ")}`, {
    exitCode: EXIT.usage,
    hint: `Pass ${flags.join(" and ")}, run in a terminal to be asked, or add --yes to accept the defaults.`,
  });
}

/** `sentry.pii` with the IP answer applied, keeping whether emails were allowed. */
function piiWith(current: SentryPii | undefined, ip: boolean): SentryPii {
  const email = current === "email" || current === "ip+email";
  if (ip) return email ? "ip+email" : "ip";
  return email ? "email" : "none";
}

/** Merges answers over an existing config (keeping fields the user added) and validates the result. */
export function buildConfig(existing: MonwireConfigInput | undefined, answers: InitAnswers, service: string): MonwireConfigInput {
  const base = existing ?? {};
  const config: MonwireConfigInput = {
    // First, so editors find it: completion and validation of every field from the shipped schema.
    $schema: base.$schema ?? CONFIG_SCHEMA_REF,
    ...base,
    service: base.service ?? service,
    tenants: { ...base.tenants, values: answers.tenants, from: answers.tenantFrom as never, currency: inferCurrencies(answers.tenants, answers.currency) },
    metrics: {
      ...base.metrics,
      enabled: answers.metrics,
      path: answers.metricsPath,
      url: `http://127.0.0.1:${answers.port}${answers.metricsPath}`,
      tokenEnv: base.metrics?.tokenEnv ?? "MONWIRE_METRICS_TOKEN",
    },
    audit: {
      ...base.audit,
      enabled: answers.audit,
      dir: answers.auditDir,
      retentionDays: answers.retentionDays,
      keyEnv: base.audit?.keyEnv ?? "MONWIRE_AUDIT_KEY",
    },
    sentry: {
      ...base.sentry, enabled: answers.sentry, dsnEnv: base.sentry?.dsnEnv ?? "SENTRY_DSN",
      pii: piiWith(base.sentry?.pii, answers.userIp), sendUserAgent: answers.userAgent,
      ...(answers.profiling || base.sentry?.profiling !== undefined ? { profiling: answers.profiling } : {}),
    },
  };
  resolveConfig(config, "the answers");
  return config;
}
