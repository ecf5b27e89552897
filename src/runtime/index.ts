/**
 * monwire/runtime: what host apps import. Scaffolded files stay thin and call into this module,
 * so upgrading monwire upgrades every host.
 */
export { getRequestContext, runWithContext, setActor, setContextFields, type RequestContext } from "./context.js";
export { MonwireError, isMonwireError } from "../errors.js";
export { redact, maskLicenseKey } from "../audit/redact.js";
export {
  initSentry, isSentryActive, flushSentry, sentryErrorHandler, captureRequestError, setErrorCategory, categorizeError,
  parseDsn, ERROR_CATEGORIES, type InitSentryOptions, type SentryStatus, type SentryState, type ErrorCategory, type DsnResult,
} from "./sentry/index.js";
export {
  createAuditTrail, createAuditSink, MAX_DATA_BYTES, MAX_STRING_BYTES, type AuditTrail, type AuditTrailOptions, type AuditTrailStats, type AuditRecordInput, type AmountInput,
  type CategoryHelpers, type CommonFields, type FinancialAudit, type LicenseAudit, type UserManagementAudit,
  type AuthenticationAudit, type SecurityAudit, type AdminAudit, type WalletInput,
} from "./audit/index.js";
export type { AuditEntry, AuditEvent, AuditActor, AuditTarget, AuditAmount, AuditOutcome } from "../audit/entry.js";
export { createMonitoring, type Monitoring, type MonitoringOptions, type RouteTarget } from "./create-monitoring.js";
export { getMetrics, resetMetrics, type MonwireMetrics, type MetricsSettings } from "./metrics.js";
export { createMiddleware, normalizeMethod, type MiddlewareOptions, type MonitoredRequest } from "./middleware.js";
export {
  createMetricsHandler, negotiateFormat, renderMetrics, probeDatabase, CONTENT_TYPES,
  type DatabaseProbe, type ExpositionFormat, type MetricsHandlerOptions,
} from "./metrics-handler.js";
export { startMetricsServer, type MetricsServer, type MetricsServerOptions } from "./metrics-server.js";
export { createErrorHandler, addErrorObserver, type ErrorObserver } from "./error-handler.js";
export { createTenantResolution, boundTenant, type TenantRequest, type TenantResolverFn, type ResolvedTenant } from "./tenant.js";
export {
  track, createTracker, addBusinessEventSink, setActiveTracker,
  type Tracker, type TrackerOptions, type LoginInput, type WalletTransactionInput, type LicenseKeysInput, type BranchCreatedInput,
} from "./track.js";
export type {
  BusinessEvent, BusinessEventSink, BusinessEventBase, LoginEvent, WalletTransactionEvent, LicenseKeysGeneratedEvent,
  BranchCreatedEvent, SessionEvent, BinaryOutcome, WalletType,
} from "./business-event.js";
export { installShutdown, addShutdownHook, type ShutdownHook, type ShutdownOptions, type ShutdownHandle, type ClosableServer } from "./shutdown.js";
export { monitorDatabase, type DatabaseKind } from "./db/monitor.js";
export { sqlOperation, statementShape, errorCode, type DbOperation } from "./db/statement.js";
export { createClusterMetrics, type ClusterMetrics, type ClusterMetricsOptions } from "./cluster/index.js";
export type { MetricSnapshot } from "./cluster/aggregate.js";
