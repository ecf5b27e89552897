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

export type Durability = "write" | "fsync";

export interface AuditConfig {
  enabled: boolean;
  dir: string;
  retentionDays: number;
  durability: Durability;
  /** Name of the env var holding the HMAC key; the trail is keyed when it is set. */
  keyEnv: string;
}

export interface SentryConfig {
  enabled: boolean;
  dsnEnv: string;
  environment?: string;
  release?: string;
  sampleRate: number;
  tracesSampleRate: number;
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
};

export const DEFAULT_ACTOR_FROM = ["req.user", "res.locals.user", "req.session.user"];

/** Seven years, the compliance minimum for the reference shop's financial records. */
export const COMPLIANCE_MIN_RETENTION_DAYS = 2555;

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
    },
    sentry: {
      enabled: true,
      dsnEnv: "SENTRY_DSN",
      sampleRate: 1,
      tracesSampleRate: 0,
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
