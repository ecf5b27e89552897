import type { IncomingMessage, ServerResponse } from "node:http";
import { resolve } from "node:path";
import type { Registry } from "prom-client";
import { MonwireError } from "../errors.js";
import { loadConfig } from "../config/load.js";
import { DEFAULT_SEAL_GRACE_SECONDS, defaultConfig, type MonwireConfig, type MonwireConfigInput } from "../config/schema.js";
import { resolveConfig } from "../config/validate.js";
import { validateEventRules, type RouteRule } from "../config/event-rules.js";
import type { ConfigIssue } from "../errors.js";
import { createActorLookup, type ActorResolverFn } from "./actor.js";
import { runWithContext } from "./context.js";
import { reportMonitoringFailure } from "./report-failure.js";
import { createRequestHooks } from "./rules/engine.js";
import { createSecuritySignals, type SignalReport } from "./security-signals.js";
import { createSessionStoreCollector, isSessionSource, type SessionSource } from "./session-store.js";
import { SessionCounter } from "./sessions.js";
import { createAuditSink } from "./audit/sink.js";
import { createAuditTrail, type AuditTrail } from "./audit/trail.js";
import type { AuditEntry } from "../audit/entry.js";
import { createProbeGate } from "./probe.js";
import { createErrorHandler } from "./error-handler.js";
import { getMetrics, type MonwireMetrics } from "./metrics.js";
import { createMetricsCollector, createMetricsHandler, type DatabaseProbe } from "./metrics-handler.js";
import { excludedDatabaseFamilies, scrapeDatabases } from "./db/monitor.js";
import { configureQueryRecorder } from "./db/recorder.js";
import { startMetricsServer, type MetricsServer } from "./metrics-server.js";
import { createMiddleware } from "./middleware.js";
import { installShutdown, type ClosableServer, type ShutdownHandle, type ShutdownHook, type ShutdownOptions } from "./shutdown.js";
import { createTenantResolution, type TenantResolverFn } from "./tenant.js";
import { createTracker, setActiveTracker, type Tracker } from "./track.js";

export interface MonitoringOptions {
  /** The config itself; when absent mon.config.json is searched upward from `cwd` (defaults if none). */
  config?: MonwireConfigInput;
  /** An explicit config file (relative to `cwd`); it must exist. */
  configPath?: string;
  /** Where the config search starts and relative config paths resolve when `config` is given. Default process.cwd(). */
  cwd?: string;
  /** Resolves the tenant in code instead of `tenants.from`; the answer is still bounded to `tenants.values`. */
  tenantResolver?: TenantResolverFn;
  /** Answers whether the database is up; run at each scrape, bounded by `metrics.databaseProbeTimeoutMs`. */
  databaseProbe?: DatabaseProbe;
  /** Time source for business events (tests freeze it). */
  clock?: () => Date;
  /** Interface of the separate metrics server (`metrics.port`). Default 127.0.0.1. */
  metricsHost?: string;
  /**
   * Where active_user_sessions comes from at each scrape: an express-session store, a Map of
   * sessions, or a function answering (possibly async) one of them or a count (total or per
   * tenant) — the form `mon init` writes, a lazy import of the app's store. Without it, sessions are
   * counted from login/logout events with `sessions.idleTimeoutSeconds`.
   */
  sessionSource?: SessionSource;
  /** Finds the request's user in code instead of `actor.from`; fields are still read by `actor.id`, `actor.role`, … */
  actorResolver?: ActorResolverFn;
  /** The audit trail's `onWritten`: written entries, batch by batch, e.g. for the host's own winston logger. */
  onAuditWritten?: (entries: readonly AuditEntry[]) => void;
}

/** What the route rules and session counting are doing, for `mon check` and tests. */
export interface RulesStatus {
  /** Rules that are on. */
  active: readonly RouteRule[];
  /** Problems found in `events`; each one's rule is off. */
  problems: readonly ConfigIssue[];
  /** Where active_user_sessions comes from. */
  sessions: "store" | "events";
  /** Rule keys whose route template no request has matched yet in this process. */
  unseen(): string[];
}

/** Anything with Express's `app.get(path, handler)`. */
export interface RouteTarget {
  get(path: string, handler: (req: IncomingMessage, res: ServerResponse) => void): unknown;
}

export interface Monitoring {
  config: MonwireConfig;
  /** Directory that relative config paths (audit.dir) resolve against: the config file's, else cwd. */
  root: string;
  registry: Registry;
  metrics: MonwireMetrics;
  /** Express 4/5 middleware; mount it first, before the routes. */
  middleware: ReturnType<typeof createMiddleware>;
  /** This process's metrics as JSON, database probe included: what cluster aggregation collects. */
  collectMetrics: ReturnType<typeof createMetricsCollector>;
  /** GET handler for the scrape endpoint (bearer token when the token env var is set). */
  metricsHandler: ReturnType<typeof createMetricsHandler>;
  /** 4-arity Express error middleware; mount it after the routes, before your own error handler. */
  errorHandler: ReturnType<typeof createErrorHandler>;
  /** Mounts the scrape endpoint at `metrics.path`, or starts the separate server when `metrics.port` is set. */
  mountMetrics(app: RouteTarget): void;
  /** Starts a metrics server on its own port (default: `metrics.port`); closed by `close()`. */
  startMetricsServer(options?: { port?: number; host?: string }): Promise<MetricsServer>;
  track: Tracker;
  /**
   * The audit trail (`audit.dir` resolved against `root`, HMAC key from the `audit.keyEnv` env var);
   * the track helpers also write to it. Undefined when `audit.enabled` is false.
   */
  audit: AuditTrail | undefined;
  /** Graceful shutdown on SIGTERM/SIGINT; `close()` runs as one of its hooks. */
  installShutdown(server: ClosableServer, options?: ShutdownOptions): ShutdownHandle;
  /** Stops what this monitoring started (metrics server, writers). Idempotent. */
  close(): Promise<void>;
  /** Route rules in effect and the problems that turned some off. */
  rules: RulesStatus;
}

const OPTION_KEYS = new Set(["config", "configPath", "cwd", "tenantResolver", "databaseProbe", "clock", "metricsHost", "sessionSource", "actorResolver", "onAuditWritten"]);
const FUNCTION_OPTIONS = ["tenantResolver", "databaseProbe", "clock", "actorResolver", "onAuditWritten"] as const;

function optionError(option: string, message: string): MonwireError {
  return new MonwireError("E_OPTION_INVALID", `createMonitoring: option "${option}" ${message}`, {
    hint: "See the createMonitoring() options in the monwire README.",
  });
}

/** Options are checked when monitoring is built, never per request. */
function validateOptions(options: MonitoringOptions): void {
  if (typeof options !== "object" || options === null) throw optionError("options", "must be an object");
  for (const key of Object.keys(options)) {
    if (!OPTION_KEYS.has(key)) throw optionError(key, `is unknown (allowed: ${[...OPTION_KEYS].join(", ")})`);
  }
  for (const key of FUNCTION_OPTIONS) {
    if (options[key] !== undefined && typeof options[key] !== "function") throw optionError(key, "must be a function");
  }
  if (options.sessionSource !== undefined && !isSessionSource(options.sessionSource)) {
    throw optionError("sessionSource", "must be a session store (with all() or length()), a Map, or a function answering one of them or a count");
  }
  for (const key of ["configPath", "cwd", "metricsHost"] as const) {
    if (options[key] !== undefined && (typeof options[key] !== "string" || options[key] === "")) throw optionError(key, "must be a non-empty string");
  }
}

function resolveOptionsConfig(options: MonitoringOptions, cwd: string): { config: MonwireConfig; root: string } {
  if (options.config !== undefined) {
    if (options.configPath !== undefined) throw optionError("configPath", 'cannot be combined with "config"');
    return { config: resolveConfig(options.config, "createMonitoring({ config })"), root: cwd };
  }
  const loaded = loadConfig({ cwd, ...(options.configPath ? { configPath: options.configPath } : {}) });
  return loaded ? { config: loaded.config, root: loaded.root } : { config: defaultConfig(), root: cwd };
}

/**
 * Wires monwire into an app: metrics (catalog families on monwire's registry), the request
 * middleware and context, the scrape handler, the error handler, the track helpers and graceful
 * shutdown. Throws MonwireError naming the option or config field that is wrong.
 */
export function createMonitoring(options: MonitoringOptions = {}): Monitoring {
  validateOptions(options);
  const cwd = options.cwd ?? process.cwd();
  const { config, root } = resolveOptionsConfig(options, cwd);

  const metrics = getMetrics();
  metrics.configure({ buckets: config.metrics.buckets, defaultMetrics: config.metrics.enabled && config.metrics.defaultMetrics });
  const tenants = createTenantResolution(config.tenants, options.tenantResolver);
  const tokenEnv = config.metrics.tokenEnv;
  const token = tokenEnv ? process.env[tokenEnv] : undefined;

  // Databases registered with monitorDatabase() (by the line `mon init` adds where the pool is
  // created) are probed at each scrape together with a databaseProbe passed here.
  const probeTimeoutMs = config.database?.probeTimeoutMs ?? config.metrics.databaseProbeTimeoutMs;
  if (config.database) configureQueryRecorder({ slowQueryMs: config.database.slowQueryMs });
  const explicitProbe = options.databaseProbe;

  // Sessions: the store when one is given (or required), else login/logout events with expiry.
  const useStore = options.sessionSource !== undefined && config.sessions.source !== "events";
  if (config.sessions.source === "store" && !options.sessionSource) {
    process.stderr.write('monwire: sessions.source is "store" but no sessionSource was passed to createMonitoring(); counting sessions from login/logout events.\n');
  }
  const sessionCounter = useStore
    ? undefined
    : new SessionCounter({ metrics, idleTimeoutMs: config.sessions.idleTimeoutSeconds * 1000, maxTracked: config.security.maxTracked });
  const collectSessions = options.sessionSource && useStore
    ? createSessionStoreCollector({ metrics, source: options.sessionSource, tenantField: config.sessions.tenantField, tenants: config.tenants.values, timeoutMs: config.metrics.databaseProbeTimeoutMs })
    : () => sessionCounter?.collect();

  const scrapeOptions = {
    metrics,
    probeTimeoutMs,
    beforeRender: () => scrapeDatabases(metrics, probeTimeoutMs, explicitProbe),
    exclude: () => excludedDatabaseFamilies(explicitProbe !== undefined),
    collect: collectSessions,
  };
  const metricsHandler = createMetricsHandler({ ...scrapeOptions, ...(token ? { token } : {}) });
  // The same scrape as plain JSON, for a cluster primary or PM2 siblings to aggregate.
  const collectMetrics = createMetricsCollector(scrapeOptions);
  const tracker = createTracker({
    config, metrics, ...(options.clock ? { clock: options.clock } : {}),
    sessions: sessionCounter ?? { name: "sessions", handle: () => undefined },
  });
  setActiveTracker(tracker);

  const report: SignalReport = (signal, details, context) => {
    const entry = {
      category: "security", action: `security.${signal}`, outcome: "failure" as const,
      ...(details.scope === "account" ? { target: { type: "user", id: details.key } } : {}),
      data: { scope: details.scope, key: details.key, count: details.count, window_seconds: details.windowSeconds },
    };
    const emit = () => void tracker.emit({ kind: "audit", entry });
    if (context) runWithContext(context, emit);
    else emit();
  };
  const security = config.security.enabled ? createSecuritySignals(config.security, metrics, report) : undefined;
  if (security) tracker.addSink(security);

  const { rules, problems } = validateEventRules(config.events);
  if (problems.length > 0) {
    const list = problems.map((p) => `${p.path}: ${p.message}`).join("; ");
    process.stderr.write(`monwire: ${problems.length} problem${problems.length > 1 ? "s" : ""} in route rules; the rule${problems.length > 1 ? "s" : ""} concerned ${problems.length > 1 ? "are" : "is"} off (run \`mon check\`): ${list}\n`);
  }
  const hooks = createRequestHooks({
    rules, tracker, metrics, config, actor: createActorLookup(config.actor, options.actorResolver),
    ...(security ? { security } : {}), ...(sessionCounter ? { sessions: sessionCounter } : {}),
  });
  const middleware = createMiddleware({ metrics, tenants, metricsPath: config.metrics.path, measure: config.metrics.enabled, isProbe: createProbeGate(token), hooks });

  // Things close() stops, in order. Writers added later (the audit trail) append their close here.
  const closers: ShutdownHook[] = [];
  const servers = new Set<MetricsServer>();
  closers.push(async () => {
    await Promise.all([...servers].map((s) => s.close()));
    servers.clear();
  });

  const audit = config.audit.enabled
    ? createAuditTrail({
        dir: resolve(root, config.audit.dir),
        durability: config.audit.durability,
        keyEnv: config.audit.keyEnv,
        ...(config.audit.fileMode ? { fileMode: Number.parseInt(config.audit.fileMode, 8) } : {}),
        ...(config.audit.dirMode ? { dirMode: Number.parseInt(config.audit.dirMode, 8) } : {}),
        sealGraceMs: (config.audit.sealGraceSeconds ?? DEFAULT_SEAL_GRACE_SECONDS) * 1000,
        tenants: config.tenants,
        ...(options.clock ? { clock: options.clock } : {}),
        ...(options.onAuditWritten ? { onWritten: options.onAuditWritten } : {}),
      })
    : undefined;
  if (audit) {
    tracker.addSink(createAuditSink(audit));
    closers.push(() => audit.close());
    // A fresh install has its day file and chain start from the first second, not from the first
    // business event; a directory that cannot be written says so now, and the app runs on.
    audit.open().catch((error: unknown) => reportMonitoringFailure(`opening the audit trail in ${audit.dir}`, error));
  }

  const startServer = async (serverOptions: { port?: number; host?: string } = {}) => {
    const port = serverOptions.port ?? config.metrics.port;
    if (port === undefined) throw optionError("port", "is required when metrics.port is not configured");
    const host = serverOptions.host ?? options.metricsHost ?? "127.0.0.1";
    const server = await startMetricsServer(metricsHandler, { port, host, path: config.metrics.path });
    servers.add(server);
    return server;
  };

  let closing: Promise<void> | undefined;
  const monitoring: Monitoring = {
    config,
    root,
    registry: metrics.registry,
    metrics,
    middleware,
    metricsHandler,
    collectMetrics,
    errorHandler: createErrorHandler(),
    mountMetrics(app) {
      if (!config.metrics.enabled) return;
      if (config.metrics.port === undefined) {
        app.get(config.metrics.path, metricsHandler);
        return;
      }
      startServer().catch((error: Error) => {
        process.stderr.write(`monwire: cannot serve metrics on port ${config.metrics.port}: ${error.message}\n`);
      });
    },
    startMetricsServer: startServer,
    track: tracker,
    audit,
    installShutdown: (server, shutdownOptions = {}) =>
      installShutdown(server, { ...shutdownOptions, onShutdown: [...(shutdownOptions.onShutdown ?? []), () => monitoring.close()] }),
    rules: {
      active: rules,
      problems,
      sessions: useStore ? "store" : "events",
      unseen: () => rules.filter((rule) => !hooks.seen.has(rule.key)).map((rule) => rule.key),
    },
    close() {
      closing ??= (async () => {
        for (const closer of closers) await closer();
      })();
      return closing;
    },
  };
  return monitoring;
}
