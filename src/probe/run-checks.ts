import { resolve } from "node:path";
import { loadConfig } from "../config/load.js";
import { defaultConfig } from "../config/schema.js";
import { getVersion } from "../version.js";
import { checkAudit } from "./check-audit.js";
import type { CheckContext, CheckOptions } from "./check-context.js";
import { checkMetrics } from "./check-metrics.js";
import { checkSentry } from "./check-sentry.js";
import { checkSentryRuntime } from "./check-sentry-runtime.js";
import { buildReport, CHECK_GROUPS, type CheckGroup, type CheckReport, type CheckResult } from "./findings.js";

/**
 * The `mon check` core: loads the project's config (defaults when there is none), runs the
 * requested groups in a fixed order and returns the report. It prints nothing and never exits;
 * a broken config throws MonwireError (exit 2) before any check runs.
 */
const RUNNERS: Record<CheckGroup, (ctx: CheckContext) => Promise<CheckResult[]>> = {
  metrics: checkMetrics,
  sentry: async (ctx) => [...(await checkSentry(ctx)), ...(await checkSentryRuntime(ctx))],
  audit: checkAudit,
};

export async function runChecks(options: CheckOptions): Promise<CheckReport> {
  const loaded = loadConfig({ cwd: options.cwd, ...(options.configPath ? { configPath: options.configPath } : {}) });
  const ctx: CheckContext = {
    options,
    config: loaded?.config ?? defaultConfig(),
    root: loaded?.root ?? resolve(options.cwd),
    userAgent: `monwire-check/${getVersion()}`,
    ...(loaded ? { configFile: loaded.path } : {}),
  };
  const checks: CheckResult[] = [];
  for (const group of CHECK_GROUPS) {
    if (options.only.includes(group)) checks.push(...(await RUNNERS[group](ctx)));
  }
  // Without a config the run checks guesses; saying which ones keeps a ✓ from meaning "your app".
  const source = loaded ? { file: loaded.path } : {
    file: null,
    searchedFrom: resolve(options.cwd),
    defaults: { "metrics.url": ctx.config.metrics.url, "audit.dir": ctx.config.audit.dir, "sentry.dsnEnv": ctx.config.sentry.dsnEnv },
  };
  return buildReport(checks, source);
}
