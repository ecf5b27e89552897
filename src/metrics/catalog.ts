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
