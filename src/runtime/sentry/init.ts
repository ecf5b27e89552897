import { defaultConfig, type MonwireConfig, type MonwireConfigInput } from "../../config/schema.js";
import { loadConfig } from "../../config/load.js";
import { resolveConfig } from "../../config/validate.js";
import { isMonwireError } from "../../errors.js";
import { addErrorObserver } from "../error-handler.js";
import { addShutdownHook } from "../shutdown.js";
import { addBusinessEventSink } from "../track.js";
import { createBreadcrumbSink } from "./breadcrumbs.js";
import { captureRequestError } from "./capture.js";
import { maskDsn, parseDsn } from "./dsn.js";
import { buildInitOptions } from "./options.js";
import { loadEnvFileInto } from "../../config/env-file.js";
import { addRequestObserver } from "../request-observers.js";
import { createScopeObserver } from "./scope.js";
import { loadProfiler } from "./profiling.js";
import { resolveEnvironment, resolveRelease, resolveTracesRate } from "./settings.js";
import { join } from "node:path";
import { getActiveSentry, loadSentrySdk, setActiveSentry, type SentrySdk } from "./sdk.js";

export interface InitSentryOptions {
  /** Config to use instead of mon.config.json. */
  config?: MonwireConfigInput;
  /** Path of mon.config.json (default: found by walking up from `cwd`). */
  configPath?: string;
  cwd?: string;
  /** Environment to read the DSN from (default process.env), by the name in `sentry.dsnEnv`. */
  env?: Record<string, string | undefined>;
  /** More Sentry.init options (integrations, debug, …). monwire's scrubber still runs last. */
  sentryOptions?: Record<string, unknown>;
  /** Where the one status line goes (default: stderr). */
  log?: (line: string) => void;
  /** How long graceful shutdown waits for queued events to be sent. Default 2000 ms. */
  flushTimeoutMs?: number;
  /**
   * The @sentry/node module, required by a CommonJS instrument file. Given, Sentry starts
   * synchronously inside initSentry() — before the app's next `require` and its first request —
   * instead of after a dynamic import.
   */
  sdk?: object;
  /** The @sentry/profiling-node module, when the instrument file requires it itself. */
  profiler?: object;
}

export type SentryState = "active" | "no-dsn" | "invalid-dsn" | "disabled" | "sdk-missing" | "sdk-error" | "config-invalid";

export interface SentryStatus {
  state: SentryState;
  active: boolean;
  /** Name of the env var the DSN is read from. */
  dsnEnv: string;
  /** Version of the loaded @sentry/node, when it was loaded. */
  sdkVersion?: string;
  /** Where the DSN came from: "env" (the real environment) or the `.env` file's path. */
  dsnSource?: string;
  environment?: string;
  release?: string;
  tracesSampleRate?: number;
  /** Problems that did not stop Sentry (deprecated secret key, plain http, …). */
  warnings: string[];
  /** The line that was logged, if any. */
  message?: string;
}

const SUPPORTED_MAJORS = [10, 11];
const DEFAULT_FLUSH_TIMEOUT_MS = 2000;

let pending: Promise<SentryStatus> | undefined;

/** The SDK module a CommonJS instrument passed in (already loaded, so no await is needed). */
function givenSdk(module: object): { sdk: SentrySdk; major: number } {
  const sdk = module as SentrySdk;
  const major = Number.parseInt(String(sdk.SDK_VERSION).split(".")[0] ?? "", 10);
  return { sdk, major: Number.isFinite(major) ? major : 0 };
}

/** The config and the project root (where mon.config.json lives, else the working directory). */
function resolveSettings(options: InitSentryOptions): { config: MonwireConfig; root: string } {
  const cwd = options.cwd ?? process.cwd();
  if (options.config) return { config: resolveConfig(options.config, "initSentry({ config })"), root: cwd };
  const loaded = loadConfig(options.configPath ? { cwd, configPath: options.configPath } : { cwd });
  return loaded ? { config: loaded.config, root: loaded.root } : { config: defaultConfig(), root: cwd };
}

async function start(options: InitSentryOptions): Promise<SentryStatus> {
  const log = options.log ?? ((line: string) => void process.stderr.write(`${line}\n`));
  const off = (state: SentryState, dsnEnv: string, message?: string): SentryStatus => {
    if (message) log(message);
    return { state, active: false, dsnEnv, warnings: [], ...(message ? { message } : {}) };
  };

  let config: MonwireConfig;
  let root: string;
  try {
    ({ config, root } = resolveSettings(options));
  } catch (error) {
    // The instrument file runs before the app: a config mistake must not stop the app from starting.
    if (!isMonwireError(error)) throw error;
    return off("config-invalid", "SENTRY_DSN", `monwire: Sentry error tracking is off: ${error.message}.${error.hint ? ` Fix: ${error.hint}` : ""}`);
  }
  const { dsnEnv } = config.sentry;
  if (!config.sentry.enabled) return off("disabled", dsnEnv);

  // The shop's activation step is "add SENTRY_DSN to .env", and the instrument file runs before
  // the app gets to load .env itself: load it here, never overriding the real environment.
  const env = options.env ?? process.env;
  const envFile = join(root, ".env");
  const fromFile = config.sentry.loadEnvFile ? loadEnvFileInto(envFile, env) : undefined;
  const raw = env[dsnEnv];
  if (raw === undefined || raw.trim() === "") {
    return off("no-dsn", dsnEnv,
      `monwire: Sentry error tracking is off because ${dsnEnv} is not set. To activate it, set ${dsnEnv}=https://<key>@<host>/<project-id> (Sentry → Project Settings → Client Keys).`);
  }
  const parsed = parseDsn(raw);
  if (!parsed.ok) {
    return off("invalid-dsn", dsnEnv,
      `monwire: Sentry error tracking is off: ${dsnEnv} (${maskDsn(raw)}) is invalid: ${parsed.problem}. Fix: ${parsed.hint}`);
  }

  let loaded: Awaited<ReturnType<typeof loadSentrySdk>>;
  try {
    loaded = options.sdk !== undefined ? givenSdk(options.sdk) : await loadSentrySdk();
  } catch (error) {
    return off("sdk-error", dsnEnv, `monwire: Sentry error tracking is off: @sentry/node could not be loaded: ${(error as Error).message}`);
  }
  if ("missing" in loaded) {
    return off("sdk-missing", dsnEnv,
      `monwire: Sentry error tracking is off: ${dsnEnv} is set but @sentry/node is not installed. Fix: npm install @sentry/node@^11`);
  }
  const { sdk, major } = loaded;
  const warnings = parsed.warnings.map((w) => w.message);
  if (!SUPPORTED_MAJORS.includes(major)) {
    warnings.push(`@sentry/node ${sdk.SDK_VERSION} is not a supported major (monwire supports 10 and 11)`);
  }
  const environment = resolveEnvironment(env, config.sentry);
  // The entry script's directory is where the build stamped the release (node --import ./instrument.mjs dist/server.mjs);
  // under PM2 argv[1] is PM2's own container and the app's script is in pm_exec_path.
  const release = resolveRelease(env, config.sentry, root, process.env.pm_exec_path || process.argv[1]);
  const tracesSampleRate = resolveTracesRate(config.sentry, environment);
  const profiling = config.sentry.profiling ? loadProfiler(root, options.profiler) : undefined;
  if (profiling && "off" in profiling) warnings.push(`profiling is off: ${profiling.off}`);
  const resolved = {
    environment, ...(release ? { release } : {}), tracesRate: tracesSampleRate, metricsPath: config.metrics.path,
    ...(profiling && "integration" in profiling ? { integrations: [profiling.integration], profilesSampleRate: config.sentry.profilesSampleRate } : {}),
  };
  try {
    sdk.init(buildInitOptions(sdk, major, raw, config.sentry, options.sentryOptions, resolved));
  } catch (error) {
    return off("sdk-error", dsnEnv, `monwire: Sentry error tracking is off: Sentry.init failed: ${(error as Error).message}`);
  }
  setActiveSentry({ sdk, major });
  // Hook into monwire's other parts: createMonitoring's errorHandler reports through Sentry, and
  // every track.* call leaves a breadcrumb.
  addErrorObserver((error, req) => void captureRequestError(error, req));
  addBusinessEventSink(createBreadcrumbSink());
  addRequestObserver(createScopeObserver(sdk));
  const flushTimeoutMs = options.flushTimeoutMs ?? DEFAULT_FLUSH_TIMEOUT_MS;
  addShutdownHook("sentry", async () => {
    // A slow Sentry must not fail the shutdown: say so and let the process end.
    if (!(await flushSentry(flushTimeoutMs))) log(`monwire: Sentry did not confirm sending queued events within ${flushTimeoutMs} ms; some may be lost.`);
  });
  const message = warnings.length > 0 ? `monwire: Sentry is on, with warnings: ${warnings.join("; ")}.` : undefined;
  if (message) log(message);
  const dsnSource = fromFile?.includes(dsnEnv) ? envFile : "env";
  return {
    state: "active", active: true, dsnEnv, sdkVersion: sdk.SDK_VERSION, dsnSource, environment, ...(release ? { release } : {}), tracesSampleRate,
    warnings, ...(message ? { message } : {}),
  };
}

/**
 * Starts Sentry error tracking for the host's instrument file, loaded before the app with
 * `node --import ./instrument.mjs app.mjs`. Reads mon.config.json and the DSN from the env var
 * it names (SENTRY_DSN by default). Never throws for a monitoring reason: with no DSN it logs one
 * line saying how to activate it, with an invalid DSN it says what is wrong and how to fix it, and
 * the app runs on either way. Calling it again returns the first call's status.
 */
export function initSentry(options: InitSentryOptions = {}): Promise<SentryStatus> {
  pending ??= start(options);
  return pending;
}

/** Whether initSentry() turned Sentry on in this process. */
export function isSentryActive(): boolean {
  return getActiveSentry() !== undefined;
}

/**
 * Sends what is queued, waiting at most `timeoutMs`. Resolves false when Sentry is off or the
 * time ran out; never rejects (it runs during shutdown).
 */
export async function flushSentry(timeoutMs = DEFAULT_FLUSH_TIMEOUT_MS): Promise<boolean> {
  const active = getActiveSentry();
  if (!active) return false;
  try {
    return await active.sdk.flush(timeoutMs);
  } catch {
    return false;
  }
}
