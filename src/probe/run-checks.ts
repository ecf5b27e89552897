import { resolve } from "node:path";
import { inspectConfigFile, locateConfigFile, type ConfigFileResult } from "../config/load.js";
import { defaultConfig } from "../config/schema.js";
import { getVersion } from "../version.js";
import { checkAudit } from "./check-audit.js";
import type { CheckContext, CheckOptions } from "./check-context.js";
import { checkMetrics } from "./check-metrics.js";
import { checkSentry } from "./check-sentry.js";
import { checkSentryRuntime } from "./check-sentry-runtime.js";
import { readTargetsFile } from "./check-targets.js";
import { buildReport, CHECK_GROUPS, type CheckReport, type CheckResult, type SelectableGroup } from "./findings.js";

/**
 * The `mon check` core: loads the project's config (defaults when there is none), runs the
 * requested groups in a fixed order and returns the report. It prints nothing and never exits.
 * An unusable config is the report's one failing check, each error a finding with its field path:
 * the other checks would only test guesses.
 */
const RUNNERS: Record<SelectableGroup, (ctx: CheckContext) => Promise<CheckResult[]>> = {
  metrics: checkMetrics,
  sentry: async (ctx) => [...(await checkSentry(ctx)), ...(await checkSentryRuntime(ctx))],
  audit: checkAudit,
};

/** The metrics checks once per instance; ids and titles name the instance so reports tell them apart. */
async function checkEachTarget(ctx: CheckContext, urls: readonly string[]): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const url of urls) {
    const host = new URL(url).host;
    for (const check of await checkMetrics({ ...ctx, options: { ...ctx.options, url } })) {
      // One app not running locally is a skip; an instance listed as a target that does not answer is a finding.
      const down = check.id === "metrics.scrape" && check.status === "skip" && check.skipReason === "unavailable";
      const judged: CheckResult = down
        ? {
            ...check,
            status: "fail",
            findings: [{ rule: "monwire/target-down", severity: "error", message: `${url}: ${check.summary}`, hint: "Start the instance, or remove it from the targets." }],
          }
        : check;
      results.push({ ...judged, id: `${check.id}@${host}`, title: `${check.title} (${host})` });
    }
  }
  return results;
}

/** The config's errors as one failing check. */
function configCheck(inspected: ConfigFileResult): CheckResult {
  const n = inspected.errors.length;
  return {
    id: "config.valid",
    group: "config",
    title: "mon.config.json",
    status: "fail",
    summary: `${n} error${n === 1 ? "" : "s"}; nothing else was checked`,
    hint: "Correct the fields listed (docs/configuration.md; editors check the file as you type through its \"$schema\").",
    findings: inspected.errors.map((e) => ({ rule: "monwire/config", severity: "error" as const, message: `${e.path}: ${e.message}`, file: inspected.path })),
  };
}

export async function runChecks(options: CheckOptions): Promise<CheckReport> {
  const file = locateConfigFile({ cwd: options.cwd, ...(options.configPath ? { configPath: options.configPath } : {}) });
  const inspected = file ? inspectConfigFile(file) : undefined;
  if (inspected && !inspected.config) return buildReport([configCheck(inspected)], { file: inspected.path });
  const loaded = inspected?.config ? { config: inspected.config, root: inspected.root, path: inspected.path } : undefined;
  const ctx: CheckContext = {
    options,
    config: loaded?.config ?? defaultConfig(),
    root: loaded?.root ?? resolve(options.cwd),
    userAgent: `monwire-check/${getVersion()}`,
    ...(loaded ? { configFile: loaded.path } : {}),
  };
  const targets = options.targetsFile ? readTargetsFile(options.targetsFile, options.cwd, ctx.config.metrics.path) : options.urls;
  const checks: CheckResult[] = [];
  for (const group of CHECK_GROUPS) {
    if (!options.only.includes(group)) continue;
    if (group === "metrics" && targets && targets.length > 1) checks.push(...(await checkEachTarget(ctx, targets)));
    else if (group === "metrics" && targets?.length === 1) checks.push(...(await checkMetrics({ ...ctx, options: { ...options, url: targets[0]! } })));
    else checks.push(...(await RUNNERS[group](ctx)));
  }
  // Without a config the run checks guesses; saying which ones keeps a ✓ from meaning "your app".
  const source = loaded ? { file: loaded.path } : {
    file: null,
    searchedFrom: resolve(options.cwd),
    defaults: { "metrics.url": ctx.config.metrics.url, "audit.dir": ctx.config.audit.dir, "sentry.dsnEnv": ctx.config.sentry.dsnEnv },
  };
  return buildReport(checks, source);
}
