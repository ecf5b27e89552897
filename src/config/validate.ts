import { MonwireError, type ConfigIssue } from "../errors.js";
import { validateEventRules } from "./event-rules.js";
import { isField, isRecord, LENIENT_SECTIONS, RULES, string, type Rules } from "./fields.js";
import { DATABASE_CLIENTS, defaultConfig, type MonwireConfig, type MonwireConfigInput } from "./schema.js";

export const DEFAULT_SLOW_QUERY_MS = 200;

function checkFields(value: Record<string, unknown>, rules: Rules, prefix: string, issues: ConfigIssue[]): void {
  for (const [field, fieldValue] of Object.entries(value)) {
    const rule = rules[field];
    const at = `${prefix}.${field}`;
    if (!rule) {
      issues.push({ path: at, message: `unknown field (allowed: ${Object.keys(rules).join(", ")})` });
    } else if (isField(rule)) {
      const problem = rule.check(fieldValue);
      if (problem) issues.push({ path: at, message: problem });
    } else if (!isRecord(fieldValue)) {
      issues.push({ path: at, message: "expected an object" });
    } else {
      checkFields(fieldValue, rule, at, issues);
    }
  }
}

/** Validates raw input and returns the issues, each with the exact field path. */
export function collectConfigIssues(input: unknown): ConfigIssue[] {
  if (!isRecord(input)) return [{ path: "(root)", message: "expected a JSON object" }];
  const issues: ConfigIssue[] = [];
  for (const [key, value] of Object.entries(input)) {
    if (key === "$schema") continue;
    if (key === "service") {
      const problem = string.check(value);
      if (problem) issues.push({ path: "service", message: problem });
      continue;
    }
    if (LENIENT_SECTIONS.has(key)) continue;
    const rules = RULES[key];
    if (!rules) {
      issues.push({ path: key, message: `unknown section (allowed: service, ${[...Object.keys(RULES), ...LENIENT_SECTIONS].join(", ")})` });
      continue;
    }
    if (!isRecord(value)) {
      issues.push({ path: key, message: "expected an object" });
      continue;
    }
    checkFields(value, rules, key, issues);
  }
  if (isRecord(input.database) && input.database.client === undefined) {
    issues.push({ path: "database.client", message: `required when a database section is present (one of ${DATABASE_CLIENTS.join(", ")})` });
  }
  const tenants = isRecord(input.tenants) ? input.tenants : {};
  if (Array.isArray(tenants.values) && isRecord(tenants.currency)) {
    for (const tenant of Object.keys(tenants.currency)) {
      if (!tenants.values.includes(tenant)) {
        issues.push({ path: `tenants.currency.${tenant}`, message: `"${tenant}" is not listed in tenants.values` });
      }
    }
  }
  return issues;
}

/**
 * What checking a config found: the config with defaults filled (undefined when there are
 * errors), the errors that make it unusable, and the warnings about parts that will be off
 * (a route rule with a problem is skipped; the rest of the config works). Nothing throws: the
 * caller decides (`mon check` reports the errors as findings, the other commands exit 2).
 */
export interface ConfigResult {
  config: MonwireConfig | undefined;
  errors: ConfigIssue[];
  warnings: ConfigIssue[];
}

export function checkConfig(input: MonwireConfigInput | unknown): ConfigResult {
  const errors = collectConfigIssues(input);
  if (errors.length > 0) return { config: undefined, errors, warnings: [] };
  const config = fillDefaults(input as MonwireConfigInput);
  return { config, errors, warnings: validateEventRules(config.events).problems };
}

/** The MonwireError listing every error of a config at once, so a user fixes it in one pass. */
export function configError(errors: readonly ConfigIssue[], source: string): MonwireError {
  return new MonwireError("E_CONFIG_INVALID", `${source} is invalid: ${errors.map((i) => `${i.path}: ${i.message}`).join("; ")}`, {
    exitCode: 2,
    issues: [...errors],
    hint: `Correct the field${errors.length > 1 ? "s" : ""} above in ${source} (see docs/configuration.md).`,
  });
}

/**
 * Validates and fills defaults, throwing configError() on errors: for callers that cannot go on
 * without a valid config (the runtime's constructors, init's plan).
 */
export function resolveConfig(input: MonwireConfigInput | unknown, source = "mon.config.json"): MonwireConfig {
  const { config, errors } = checkConfig(input);
  if (!config) throw configError(errors, source);
  return config;
}

function fillDefaults(raw: MonwireConfigInput): MonwireConfig {
  const base = defaultConfig();
  return {
    ...(raw.$schema ? { $schema: raw.$schema } : {}),
    service: raw.service ?? base.service,
    tenants: { ...base.tenants, ...raw.tenants },
    metrics: { ...base.metrics, ...raw.metrics },
    audit: { ...base.audit, ...raw.audit },
    sentry: { ...base.sentry, ...raw.sentry },
    ...(raw.database ? { database: { client: "pg" as const, probe: true, slowQueryMs: DEFAULT_SLOW_QUERY_MS, ...raw.database } } : {}),

    actor: { ...base.actor, ...raw.actor },
    // Kept as written: validateEventRules() reports what is wrong with it, rule by rule.
    events: (raw.events ?? {}) as Record<string, unknown>,
    security: {
      ...base.security,
      ...raw.security,
      bruteForce: { ...base.security.bruteForce, ...raw.security?.bruteForce },
      accessDenied: { ...base.security.accessDenied, ...raw.security?.accessDenied },
    },
    sessions: { ...base.sessions, ...raw.sessions },
  };
}
