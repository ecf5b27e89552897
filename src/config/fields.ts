import { DATABASE_CLIENTS, SENTRY_PII_VALUES } from "./schema.js";

/** A JSON Schema fragment (draft 2020-12), as plain data. */
export type SchemaFragment = { [keyword: string]: unknown };

/**
 * One field's rule: the check the loader runs and the JSON Schema editors get, side by side so
 * they cannot drift. The check is the authority; where JSON Schema cannot say a constraint
 * (strictly increasing buckets, which permission bits), the schema's description says it.
 */
export interface Field {
  check: (value: unknown) => string | undefined;
  schema: SchemaFragment;
}

/** A section's field rules; a nested record is a sub-object checked the same way. */
export interface Rules {
  [field: string]: Field | Rules;
}

export const isField = (rule: Field | Rules): rule is Field => typeof (rule as Field).check === "function";

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const field = (schema: SchemaFragment, check: Field["check"]): Field => ({ check, schema });
const matches = (pattern: RegExp, message: string, schema: SchemaFragment = {}): Field =>
  field({ type: "string", pattern: pattern.source, ...schema }, (v) => (typeof v === "string" && pattern.test(v) ? undefined : message));

export const string = field({ type: "string", minLength: 1 }, (v) => (typeof v === "string" && v.length > 0 ? undefined : "expected a non-empty string"));
const boolean = field({ type: "boolean" }, (v) => (typeof v === "boolean" ? undefined : "expected true or false"));
const envName = matches(/^[A-Za-z_][A-Za-z0-9_]*$/, "expected an environment variable name like SENTRY_DSN");
const intAtLeast = (min: number): Field =>
  field({ type: "integer", minimum: min }, (v) => (Number.isInteger(v) && (v as number) >= min ? undefined : `expected integer ≥ ${min}`));
const rate = field({ type: "number", minimum: 0, maximum: 1 }, (v) => (typeof v === "number" && v >= 0 && v <= 1 ? undefined : "expected a number from 0 to 1"));
const oneOf = (...allowed: string[]): Field =>
  field({ enum: allowed }, (v) => (typeof v === "string" && allowed.includes(v) ? undefined : `expected one of ${allowed.map((a) => `"${a}"`).join(", ")}`));
const stringList = field({ type: "array", items: { type: "string", minLength: 1 } }, (v) =>
  Array.isArray(v) && v.every((s) => typeof s === "string" && s.length > 0) ? undefined : "expected an array of non-empty strings");
const path = matches(/^\//, 'expected a path starting with "/"');
const httpUrl = field({ type: "string", pattern: "^https?://" }, (v) => {
  if (typeof v !== "string") return "expected a URL string";
  try {
    const url = new URL(v);
    return url.protocol === "http:" || url.protocol === "https:" ? undefined : "expected an http(s) URL";
  } catch {
    return "expected a URL like http://127.0.0.1:5000/metrics";
  }
});
const tenantSource = matches(/^(header:[A-Za-z0-9-]+|param:\w+|query:\w+|subdomain)$/, 'expected "header:NAME", "param:NAME", "query:NAME" or "subdomain"');
const CURRENCY = /^[A-Z]{3}$/;
const currencyMap = field(
  { type: "object", additionalProperties: { type: "string", pattern: CURRENCY.source }, description: "Keys must be listed in tenants.values." },
  (v) => (isRecord(v) && Object.values(v).every((c) => typeof c === "string" && CURRENCY.test(c)) ? undefined : "expected an object mapping tenant ids to ISO 4217 codes, e.g. {\"KM\": \"BAM\"}"),
);
const buckets = field(
  { type: "array", minItems: 1, items: { type: "number", exclusiveMinimum: 0 }, description: "Strictly increasing seconds." },
  (v) => (Array.isArray(v) && v.length > 0 && v.every((b, i) => typeof b === "number" && b > 0 && (i === 0 || b > (v[i - 1] as number)))
    ? undefined
    : "expected a non-empty, strictly increasing array of positive seconds"),
);
/**
 * An octal permission string. The owner must keep read and write (and search, for a directory);
 * the group may read, never write; others get nothing (the trail holds personal data, and
 * `mon check` flags a world-accessible trail as an error).
 */
const mode = (kind: "file" | "directory"): Field => {
  const example = kind === "file" ? "0640" : "0750";
  const owner = kind === "file" ? 0o600 : 0o700;
  const description = `Octal permissions like "${example}": the owner keeps ${kind === "file" ? "read and write" : "read, write and search"}, no group write, nothing for others.`;
  return field({ type: "string", pattern: "^0?[0-7]{3}$", description }, (v) => {
    if (typeof v !== "string" || !/^0?[0-7]{3}$/.test(v)) return `expected an octal permission string like "${example}"`;
    const bits = Number.parseInt(v, 8);
    if ((bits & owner) !== owner) return `expected the owner to keep ${kind === "file" ? "read and write" : "read, write and search"} (e.g. "${example}")`;
    if (bits & 0o027) return `expected no group write and no permissions for others (e.g. "${example}")`;
    return undefined;
  });
};
const rateMap = field({ type: "object", additionalProperties: rate.schema }, (v) =>
  isRecord(v) && Object.values(v).every((r) => rate.check(r) === undefined) ? undefined : 'expected an object mapping environment names to rates from 0 to 1, e.g. {"production": 0.1}');
const pathList = field({ type: "array", items: path.schema }, (v) =>
  Array.isArray(v) && v.every((p) => path.check(p) === undefined) ? undefined : 'expected an array of paths starting with "/"');
const port = field({ type: "integer", minimum: 1, maximum: 65535 }, (v) =>
  Number.isInteger(v) && (v as number) > 0 && (v as number) < 65536 ? undefined : "expected a port from 1 to 65535");
const fieldPath = matches(/^[A-Za-z_$][\w$-]*(?:\.[A-Za-z_$][\w$-]*)*$/, 'expected a field path like "id" or "profile.role"');
const ACTOR_SOURCE = /^(req|res)\.[A-Za-z_$][\w$-]*(?:\.[A-Za-z_$][\w$-]*)*$/;
const actorSources = field({ type: "array", minItems: 1, items: { type: "string", pattern: ACTOR_SOURCE.source } }, (v) =>
  Array.isArray(v) && v.length > 0 && v.every((s) => typeof s === "string" && ACTOR_SOURCE.test(s))
    ? undefined
    : 'expected a non-empty array of paths like "req.user" or "res.locals.user"');

/** Field rules per section; unknown keys are reported so typos never pass silently. */
export const RULES: Record<string, Rules> = {
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

/** Sections checked elsewhere: a bad route rule turns only that rule off (see event-rules.ts). */
export const LENIENT_SECTIONS = new Set(["events"]);
