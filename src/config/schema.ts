/**
 * Contract 1: the shape of `mon.config.json`. Secrets never live here, only the names of the
 * environment variables that hold them.
 */
export type TenantSource = `header:${string}` | `param:${string}` | `query:${string}` | "subdomain";

export interface TenantsConfig {
  /** The bounded set of tenant ids, e.g. ["EUR", "KM"]. */
  values: string[];
  /** Where a request's tenant comes from. A function can be passed to the runtime instead. */
  from: TenantSource;
  /** Tenant → ISO 4217 currency of its amounts (KM prices in BAM). */
  currency: Record<string, string>;
}

export interface MetricsConfig {
  enabled: boolean;
  /** Path of the scrape endpoint on the app. */
  path: string;
  /** Where `mon check` scrapes. */
  url: string;
  /** Name of the env var holding the bearer token; unset means no auth. */
  tokenEnv?: string;
  /** Serve /metrics on a separate port instead of the app's. */
  port?: number;
  /** Bounded product label values for license_keys_generated_total. */
  products: string[];
  /** Histogram buckets (seconds) for http_request_duration_seconds. */
  buckets: number[];
  /** Register prom-client's default process/nodejs metrics. */
  defaultMetrics: boolean;
  /** The app passes a database probe to the runtime, so `database_up` must be exposed. */
  databaseProbe: boolean;
  /** Milliseconds the database probe may take at scrape time. */
  databaseProbeTimeoutMs: number;
}

/** Ten minutes: far above normal NTP skew (milliseconds), and short enough to seal promptly. */
export const DEFAULT_SEAL_GRACE_SECONDS = 600;

export type Durability = "write" | "fsync";

export interface AuditConfig {
  enabled: boolean;
  dir: string;
  retentionDays: number;
  durability: Durability;
  /** Name of the env var holding the HMAC key; the trail is keyed when it is set. */
  keyEnv: string;
  /** Permissions of new day files, as an octal string ("0640"). */
  fileMode: string;
  /** Permissions of the audit directory when the writer creates it, as an octal string ("0750"). */
  dirMode: string;
  /**
   * Seconds after UTC midnight before a day is sealed (by the runtime or `mon seal`), so writers
   * whose clocks lag still land their last entries of the day first. Keep it above clock skew.
   */
  sealGraceSeconds: number;
}

/** What personal data Sentry may keep in messages and in the event's user: nothing, IPs, emails, or both. */
export const SENTRY_PII_VALUES = ["none", "ip", "email", "ip+email"] as const;
export type SentryPii = (typeof SENTRY_PII_VALUES)[number];

/** How the SDK's "drop an event identical to the previous one" works: per tenant, as the SDK does it, or not at all. */
export type SentryDedupe = "tenant" | "global" | "off";

export interface SentryConfig {
  enabled: boolean;
  dsnEnv: string;
  /** Load the project's `.env` (without overriding the real environment) before reading the DSN. */
  loadEnvFile: boolean;
  /** Default: SENTRY_ENVIRONMENT, else this, else NODE_ENV, else "production". */
  environment?: string;
  /** Default: SENTRY_RELEASE, else this, else `<package name>@<version>[+<commit>]`. */
  release?: string;
  sampleRate: number;
  /** One trace sample rate for every environment; unset, `tracesSampleRates` decides. */
  tracesSampleRate?: number;
  /** Trace sample rate per environment; environments not listed are not traced. */
  tracesSampleRates: Record<string, number>;
  /** Extra paths never traced, besides the metrics path and health checks. */
  tracesIgnorePaths: string[];
  dedupe: SentryDedupe;
  /**
   * Personal data Sentry may keep; secrets are removed whatever this says. With "ip" (or
   * "ip+email") the client's address is also sent as the Sentry user's `ip_address`.
   */
  pii: SentryPii;
  /** Send the client's User-Agent header (personal data, weaker than the IP). */
  sendUserAgent: boolean;
  /** Profile sampled transactions with @sentry/profiling-node (an optional peer). */
  profiling: boolean;
  /** Share of traced transactions that are profiled when `profiling` is on. */
  profilesSampleRate: number;
}

/** Database clients `mon init` recognises (informational: the runtime detects the instance it is given). */
export const DATABASE_CLIENTS = ["pg", "neon", "drizzle-pg", "mysql2", "better-sqlite3", "drizzle-better-sqlite3", "prisma"] as const;
export type DatabaseClient = (typeof DATABASE_CLIENTS)[number];

export interface DatabaseConfig {
  /** The client the app uses, as detected by `mon init`. */
  client: DatabaseClient;
  /** A scrape-time probe is wired (monitorDatabase()), so `database_up` is expected. */
  probe: boolean;
  /** Queries slower than this (ms) leave a Sentry breadcrumb with the statement's shape; 0 = off. */
  slowQueryMs: number;
  /** Milliseconds the probe may take; defaults to metrics.databaseProbeTimeoutMs. */
  probeTimeoutMs?: number;
}

/** Where the request's user lives, read at the end of the request (and when an error is handled). */
export interface ActorConfig {
  /** Places tried in order: `req.<path>` or `res.<path>` (e.g. "req.user", "res.locals.user"). */
  from: string[];
  /** Field paths inside the user object. */
  id: string;
  role?: string;
  /** Sentry user segment, e.g. "b2b" vs "regular". */
  segment?: string;
  branch?: string;
  /** Array of ancestor branch ids, root first. */
  branchParents?: string;
}

export interface SecurityConfig {
  enabled: boolean;
  bruteForce: { windowSeconds: number; perIp: number; perAccount: number };
  accessDenied: { windowSeconds: number; perActor: number };
  /** Most keys (IPs, accounts, actors) remembered per detector; the least recently seen go first. */
  maxTracked: number;
}

export type SessionSourceKind = "auto" | "store" | "events";

export interface SessionsConfig {
  /** "store": a session store given to createMonitoring; "events": login/logout; "auto": store when given. */
  source: SessionSourceKind;
  /** Events mode: a session nobody used for this long is no longer counted. */
  idleTimeoutSeconds: number;
  /** Store mode: path inside a stored session that holds its tenant. */
  tenantField: string;
}

export interface MonwireConfig {
  $schema?: string;
  service: string;
  tenants: TenantsConfig;
  metrics: MetricsConfig;
  audit: AuditConfig;
  sentry: SentryConfig;
  actor: ActorConfig;
  /**
   * Route rules, `"<METHOD> <route template>"` → rule. Kept as written: validateEventRules()
   * compiles them and reports bad ones without failing the whole config.
   */
  events: Record<string, unknown>;
  security: SecurityConfig;
  sessions: SessionsConfig;
  /** Absent when the app has no database monwire knows of. */
  database?: DatabaseConfig;
}

/** What a user may write: every section and field is optional except where validation says. */
export type MonwireConfigInput = {
  $schema?: string;
  service?: string;
  tenants?: Partial<TenantsConfig>;
  metrics?: Partial<MetricsConfig>;
  audit?: Partial<AuditConfig>;
  sentry?: Partial<SentryConfig>;
  actor?: Partial<ActorConfig>;
  events?: Record<string, unknown>;
  security?: { enabled?: boolean; bruteForce?: Partial<SecurityConfig["bruteForce"]>; accessDenied?: Partial<SecurityConfig["accessDenied"]>; maxTracked?: number };
  sessions?: Partial<SessionsConfig>;
  database?: Partial<DatabaseConfig>;
};

export const DEFAULT_ACTOR_FROM = ["req.user", "res.locals.user", "req.session.user"];

/** Seven years, the compliance minimum for the reference shop's financial records. */
export const COMPLIANCE_MIN_RETENTION_DAYS = 2555;

/** Tracing costs quota and a little CPU per request: all of development, a tenth of production. */
export const DEFAULT_TRACES_SAMPLE_RATES: Readonly<Record<string, number>> = { production: 0.1, staging: 0.5, development: 1 };

export const DEFAULT_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export function defaultConfig(): MonwireConfig {
  return {
    service: "app",
    tenants: { values: [], from: "header:x-tenant", currency: {} },
    metrics: {
      enabled: true,
      path: "/metrics",
      url: "http://127.0.0.1:5000/metrics",
      tokenEnv: "MONWIRE_METRICS_TOKEN",
      products: [],
      buckets: [...DEFAULT_BUCKETS],
      defaultMetrics: true,
      databaseProbe: false,
      databaseProbeTimeoutMs: 1000,
    },
    audit: {
      enabled: true,
      dir: "logs",
      retentionDays: COMPLIANCE_MIN_RETENTION_DAYS,
      durability: "write",
      keyEnv: "MONWIRE_AUDIT_KEY",
      fileMode: "0640",
      dirMode: "0750",
      sealGraceSeconds: DEFAULT_SEAL_GRACE_SECONDS,
    },
    sentry: {
      enabled: true,
      dsnEnv: "SENTRY_DSN",
      loadEnvFile: true,
      sampleRate: 1,
      tracesSampleRates: { ...DEFAULT_TRACES_SAMPLE_RATES },
      tracesIgnorePaths: [],
      dedupe: "tenant",
      pii: "none",
      sendUserAgent: true,
      profiling: false,
      profilesSampleRate: 1,
    },
    actor: { from: [...DEFAULT_ACTOR_FROM], id: "id", role: "role" },
    events: {},
    security: {
      enabled: true,
      bruteForce: { windowSeconds: 300, perIp: 10, perAccount: 5 },
      accessDenied: { windowSeconds: 60, perActor: 20 },
      maxTracked: 10000,
    },
    sessions: { source: "auto", idleTimeoutSeconds: 1800, tenantField: "tenant" },
  };
}
