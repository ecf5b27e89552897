/**
 * Contract 3: the metric catalog. One typed source read by the runtime (registration), by
 * `mon check` (catalog diff), and by the alert-rule and dashboard generators.
 */
export type MetricType = "counter" | "gauge" | "histogram";

export interface MetricDefinition {
  name: string;
  type: MetricType;
  help: string;
  labels: readonly string[];
  /** Fixed label values where the set is closed; tenant/route/product are bounded by config. */
  allowed?: Readonly<Record<string, readonly string[]>>;
  /** Fixed histogram buckets (seconds); without them a histogram uses `metrics.buckets` from the config. */
  buckets?: readonly number[];
  /** Served only when the app has a database wired (`database` in mon.config.json, monitorDatabase()). */
  requires?: "database";
}

export const HTTP_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "_OTHER"] as const;
export const ERROR_KINDS = ["client_error", "server_error", "exception"] as const;
export const BINARY_OUTCOMES = ["success", "failure"] as const;
export const AUDIT_OUTCOMES = ["success", "failure", "unknown"] as const;
/** Login methods for authentication_attempts_total; anything else is counted as "other". */
export const LOGIN_METHODS = ["password", "sso", "oauth", "api_key", "magic_link", "passkey", "mfa", "other"] as const;
export const WALLET_TYPES = ["deposit", "purchase", "refund", "withdrawal", "adjustment"] as const;
export const SECURITY_SIGNALS = ["brute_force", "access_denied_burst"] as const;
export const SENTRY_STATUSES = ["delivered", "rejected", "rate_limited", "network_error"] as const;
export const AUDIT_CATEGORIES = [
  "user_management",
  "financial",
  "license",
  "security",
  "admin",
  "authentication",
] as const;

/** SQL verbs of db_query_* (anything else, e.g. DDL or SET, is "other"). */
export const DB_OPERATIONS = ["select", "insert", "update", "delete", "begin", "commit", "rollback", "other"] as const;
/** Connection states of db_pool_connections. */
export const DB_POOL_STATES = ["idle", "in_use"] as const;
/** Buckets of db_query_duration_seconds: queries are mostly sub-millisecond to a few ms. */
export const DB_QUERY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5] as const;

/** Tenant label values outside the configured list. */
export const TENANT_UNKNOWN = "unknown";
export const TENANT_NONE = "none";
export const ROUTE_UNMATCHED = "unmatched";
export const PRODUCT_OTHER = "other";

export const CATALOG = [
  {
    name: "http_requests_total",
    type: "counter",
    help: "HTTP requests handled, by method, matched route template, status code and tenant.",
    labels: ["method", "route", "status_code", "tenant"],
    allowed: { method: HTTP_METHODS },
  },
  {
    name: "http_request_duration_seconds",
    type: "histogram",
    help: "HTTP request duration in seconds, from arrival to the end of the response.",
    labels: ["method", "route", "status_code", "tenant"],
    allowed: { method: HTTP_METHODS },
  },
  {
    name: "api_errors_total",
    type: "counter",
    help: "Requests that ended in a 4xx (client_error), a 5xx (server_error) or a thrown error (exception).",
    labels: ["method", "route", "kind", "tenant"],
    allowed: { method: HTTP_METHODS, kind: ERROR_KINDS },
  },
  {
    name: "authentication_attempts_total",
    type: "counter",
    help: "Login attempts by authentication method and outcome.",
    labels: ["method", "outcome", "tenant"],
    allowed: { method: LOGIN_METHODS, outcome: BINARY_OUTCOMES },
  },
  {
    name: "license_keys_generated_total",
    type: "counter",
    help: "License keys generated, by product.",
    labels: ["product", "tenant"],
  },
  {
    name: "wallet_transactions_total",
    type: "counter",
    help: "Wallet transactions by type and outcome.",
    labels: ["type", "outcome", "tenant"],
    allowed: { type: WALLET_TYPES, outcome: BINARY_OUTCOMES },
  },
  {
    name: "branches_created_total",
    type: "counter",
    help: "Branch accounts created.",
    labels: ["tenant"],
  },
  {
    name: "active_user_sessions",
    type: "gauge",
    help: "User sessions currently active.",
    labels: ["tenant"],
  },
  {
    name: "database_up",
    type: "gauge",
    help: "1 when the database probe answered within its timeout at scrape time, else 0.",
    labels: [],
    requires: "database",
  },
  {
    name: "database_probe_duration_seconds",
    type: "gauge",
    help: "How long the last scrape's database probe took (the probe timeout when it did not answer).",
    labels: [],
    requires: "database",
  },
  {
    name: "db_query_duration_seconds",
    type: "histogram",
    help: "Database query duration in seconds as the app's client sees it, by SQL verb and tenant of the calling request.",
    labels: ["operation", "tenant"],
    allowed: { operation: DB_OPERATIONS },
    buckets: DB_QUERY_BUCKETS,
    requires: "database",
  },
  {
    name: "db_query_errors_total",
    type: "counter",
    help: "Database queries that failed, by SQL verb, tenant and error code (SQLSTATE class for PostgreSQL and MySQL).",
    labels: ["operation", "tenant", "code"],
    allowed: { operation: DB_OPERATIONS },
    requires: "database",
  },
  {
    name: "db_pool_connections",
    type: "gauge",
    help: "Open connections of the app's database pool, idle or in use, at scrape time.",
    labels: ["state"],
    allowed: { state: DB_POOL_STATES },
    requires: "database",
  },
  {
    name: "db_pool_pending_acquires",
    type: "gauge",
    help: "Callers waiting for a connection from the database pool at scrape time.",
    labels: [],
    requires: "database",
  },
  {
    name: "db_pool_max_connections",
    type: "gauge",
    help: "The database pool's configured maximum number of connections.",
    labels: [],
    requires: "database",
  },
  {
    name: "audit_events_total",
    type: "counter",
    help: "Audit entries durably written, by category and outcome.",
    labels: ["category", "outcome", "tenant"],
    allowed: { category: AUDIT_CATEGORIES, outcome: AUDIT_OUTCOMES },
  },
  {
    name: "audit_write_errors_total",
    type: "counter",
    help: "Audit writes that failed (the entry was rejected to its caller).",
    labels: [],
  },
  {
    // One series per writer process (a process has one writer id): bounded by restarts, and it is
    // what `mon verify --witness prometheus=URL` reads as the witness of each chain's head.
    name: "audit_chain_head_seq",
    type: "gauge",
    help: "Seq of the last audit entry this process's writer chained (its chain head), by writer id.",
    labels: ["writer"],
  },
  {
    name: "event_rule_errors_total",
    type: "counter",
    help: "Values a route rule names that were missing or unusable at run time (the event was recorded without them).",
    labels: ["rule", "field"],
  },
  {
    name: "security_signals_total",
    type: "counter",
    help: "Security signals raised: repeated failed logins (brute_force) and bursts of 401/403 (access_denied_burst).",
    labels: ["signal", "tenant"],
    allowed: { signal: SECURITY_SIGNALS },
  },
  {
    name: "sentry_envelopes_total",
    type: "counter",
    help: "Sentry envelopes sent, by delivery outcome as answered by the server.",
    labels: ["status"],
    allowed: { status: SENTRY_STATUSES },
  },
] as const satisfies readonly MetricDefinition[];

export type CatalogMetricName = (typeof CATALOG)[number]["name"];

export function getMetricDefinition(name: string): MetricDefinition | undefined {
  return (CATALOG as readonly MetricDefinition[]).find((m) => m.name === name);
}

/**
 * prom-client's default metrics that promtool flags (gauges ending in `_total`). They are the
 * documented exception in docs/metrics.md.
 */
export const PROMLINT_ALLOWLIST = [
  "nodejs_active_handles_total",
  "nodejs_active_requests_total",
  "nodejs_active_resources_total",
] as const;
