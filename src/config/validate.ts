import { MonwireError, type ConfigIssue } from "../errors.js";
import { DATABASE_CLIENTS, defaultConfig, SENTRY_PII_VALUES, type MonwireConfig, type MonwireConfigInput } from "./schema.js";

type Check = (value: unknown) => string | undefined;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const string: Check = (v) => (typeof v === "string" && v.length > 0 ? undefined : "expected a non-empty string");
const boolean: Check = (v) => (typeof v === "boolean" ? undefined : "expected true or false");
const envName: Check = (v) =>
  typeof v === "string" && /^[A-Za-z_][A-Za-z0-9_]*$/.test(v) ? undefined : "expected an environment variable name like SENTRY_DSN";
const intAtLeast = (min: number): Check => (v) =>
  Number.isInteger(v) && (v as number) >= min ? undefined : `expected integer ≥ ${min}`;
const rate: Check = (v) =>
  typeof v === "number" && v >= 0 && v <= 1 ? undefined : "expected a number from 0 to 1";
const oneOf = (...allowed: string[]): Check => (v) =>
  typeof v === "string" && allowed.includes(v) ? undefined : `expected one of ${allowed.map((a) => `"${a}"`).join(", ")}`;
const stringList: Check = (v) =>
  Array.isArray(v) && v.every((s) => typeof s === "string" && s.length > 0) ? undefined : "expected an array of non-empty strings";
const path: Check = (v) => (typeof v === "string" && v.startsWith("/") ? undefined : 'expected a path starting with "/"');
const httpUrl: Check = (v) => {
  if (typeof v !== "string") return "expected a URL string";
  try {
    const url = new URL(v);
    return url.protocol === "http:" || url.protocol === "https:" ? undefined : "expected an http(s) URL";
  } catch {
    return "expected a URL like http://127.0.0.1:5000/metrics";
  }
};
const tenantSource: Check = (v) =>
  typeof v === "string" && /^(header:[A-Za-z0-9-]+|param:\w+|query:\w+|subdomain)$/.test(v)
    ? undefined
    : 'expected "header:NAME", "param:NAME", "query:NAME" or "subdomain"';
const currencyMap: Check = (v) =>
  isRecord(v) && Object.values(v).every((c) => typeof c === "string" && /^[A-Z]{3}$/.test(c))
    ? undefined
    : "expected an object mapping tenant ids to ISO 4217 codes, e.g. {\"KM\": \"BAM\"}";
const buckets: Check = (v) =>
  Array.isArray(v) && v.length > 0 && v.every((b, i) => typeof b === "number" && b > 0 && (i === 0 || b > (v[i - 1] as number)))
    ? undefined
    : "expected a non-empty, strictly increasing array of positive seconds";
/**
 * An octal permission string. The owner must keep read and write (and search, for a directory);
 * the group may read, never write; others get nothing (the trail holds personal data, and
 * `mon check` flags a world-accessible trail as an error).
 */
const mode = (kind: "file" | "directory"): Check => (v) => {
  const example = kind === "file" ? "0640" : "0750";
  if (typeof v !== "string" || !/^0?[0-7]{3}$/.test(v)) return `expected an octal permission string like "${example}"`;
  const bits = Number.parseInt(v, 8);
  const owner = kind === "file" ? 0o600 : 0o700;
  if ((bits & owner) !== owner) return `expected the owner to keep ${kind === "file" ? "read and write" : "read, write and search"} (e.g. "${example}")`;
  if (bits & 0o027) return `expected no group write and no permissions for others (e.g. "${example}")`;
  return undefined;
};
const rateMap: Check = (v) =>
  isRecord(v) && Object.values(v).every((r) => rate(r) === undefined)
    ? undefined
    : 'expected an object mapping environment names to rates from 0 to 1, e.g. {"production": 0.1}';
const pathList: Check = (v) =>
  Array.isArray(v) && v.every((p) => path(p) === undefined) ? undefined : 'expected an array of paths starting with "/"';
const port: Check = (v) => (Number.isInteger(v) && (v as number) > 0 && (v as number) < 65536 ? undefined : "expected a port from 1 to 65535");

const FIELD_PATH = /^[A-Za-z_$][\w$-]*(?:\.[A-Za-z_$][\w$-]*)*$/;
const fieldPath: Check = (v) => (typeof v === "string" && FIELD_PATH.test(v) ? undefined : 'expected a field path like "id" or "profile.role"');
const actorSources: Check = (v) =>
  Array.isArray(v) && v.length > 0 && v.every((s) => typeof s === "string" && /^(req|res)\.[A-Za-z_$][\w$-]*(?:\.[A-Za-z_$][\w$-]*)*$/.test(s))
    ? undefined
    : 'expected a non-empty array of paths like "req.user" or "res.locals.user"';

/** A section's field rules; a nested record is a sub-object validated the same way. */
interface Rules {
  [field: string]: Check | Rules;
}

/** Field rules per section; unknown keys are reported so typos never pass silently. */
const RULES: Record<string, Rules> = {
  tenants: { values: stringList, from: tenantSource, currency: currencyMap },
  metrics: {
    enabled: boolean, path, url: httpUrl, tokenEnv: envName, port, products: stringList, buckets,
    defaultMetrics: boolean, databaseProbe: boolean, databaseProbeTimeoutMs: intAtLeast(1),
  },
  audit: {
    enabled: boolean, dir: string, retentionDays: intAtLeast(1), durability: oneOf("write", "fsync"), keyEnv: envName, sealGraceSeconds: intAtLeast(0),
    fileMode: mode("file"), dirMode: mode("directory"),
  },
  database: {
    client: oneOf(...DATABASE_CLIENTS), probe: boolean, slowQueryMs: intAtLeast(0), probeTimeoutMs: intAtLeast(1),
  },
  sentry: {
    enabled: boolean, dsnEnv: envName, loadEnvFile: boolean, environment: string, release: string, sampleRate: rate,
    tracesSampleRate: rate, tracesSampleRates: rateMap, tracesIgnorePaths: pathList, dedupe: oneOf("tenant", "global", "off"),
    pii: oneOf(...SENTRY_PII_VALUES), sendUserAgent: boolean, profiling: boolean, profilesSampleRate: rate,
  },
  actor: { from: actorSources, id: fieldPath, role: fieldPath, segment: fieldPath, branch: fieldPath, branchParents: fieldPath },
  security: {
    enabled: boolean,
    bruteForce: { windowSeconds: intAtLeast(1), perIp: intAtLeast(1), perAccount: intAtLeast(1) },
    accessDenied: { windowSeconds: intAtLeast(1), perActor: intAtLeast(1) },
    maxTracked: intAtLeast(1),
  },
  sessions: { source: oneOf("auto", "store", "events"), idleTimeoutSeconds: intAtLeast(1), tenantField: fieldPath },
};

export const DEFAULT_SLOW_QUERY_MS = 200;

/** Sections checked elsewhere: a bad route rule turns only that rule off (see event-rules.ts). */
const LENIENT_SECTIONS = new Set(["events"]);

function checkFields(value: Record<string, unknown>, rules: Rules, prefix: string, issues: ConfigIssue[]): void {
  for (const [field, fieldValue] of Object.entries(value)) {
    const rule = rules[field];
    const at = `${prefix}.${field}`;
    if (!rule) {
      issues.push({ path: at, message: `unknown field (allowed: ${Object.keys(rules).join(", ")})` });
    } else if (typeof rule === "function") {
      const problem = rule(fieldValue);
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
      const problem = string(value);
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
 * Validates and fills defaults. Throws one MonwireError listing every problem at once, so a
 * user fixes a config in one pass rather than one field per run.
 */
export function resolveConfig(input: MonwireConfigInput | unknown, source = "mon.config.json"): MonwireConfig {
  const issues = collectConfigIssues(input);
  if (issues.length > 0) {
    throw new MonwireError("E_CONFIG_INVALID", `${source} is invalid: ${issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`, {
      exitCode: 2,
      issues,
      hint: `Correct the field${issues.length > 1 ? "s" : ""} above in ${source} (see docs/configuration.md).`,
    });
  }
  const raw = input as MonwireConfigInput;
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
