import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { PROBE_HEADER, PROBE_KIND } from "../runtime/probe.js";
import type { CheckContext } from "./check-context.js";
import { readSetting } from "./env-file.js";
import { skipped, type CheckResult } from "./findings.js";

/**
 * What the running app will actually do with Sentry, beyond the DSN's syntax: where it gets the
 * DSN from (and whether anything loads `.env` before Sentry starts), and whether an error raised
 * in a request reaches monitoring.errorHandler at all (probed at runtime, see runtime/probe.ts).
 */
const IDS = {
  source: ["sentry.dsn-source", "the app sees the DSN"],
  handler: ["sentry.error-handler", "errors reach monitoring.errorHandler"],
} as const;

const fail = (id: string, title: string, summary: string, hint: string, rule: string): CheckResult =>
  ({ id, group: "sentry", title, status: "fail", summary, hint, findings: [{ rule, severity: "error", message: summary, hint }] });

/** Whether the start script loads .env itself (`node --env-file`, `-r dotenv/config`, dotenv-cli). */
function startLoadsEnvFile(root: string): string | undefined {
  try {
    const scripts = (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { scripts?: Record<string, string> }).scripts ?? {};
    for (const name of ["start", "start:prod", "serve"]) {
      const line = scripts[name];
      if (line && /--env-file(?:-if-exists)?[= ]|dotenv\/config|\bdotenv\b/.test(line)) return `the "${name}" script (${line})`;
    }
  } catch {
    // No readable package.json: nothing to learn here.
  }
  return undefined;
}

/** Whether the monwire the app resolves loads .env in initSentry (versions before that did not). */
function runtimeLoadsEnvFile(root: string): boolean | undefined {
  try {
    const pkg = createRequire(join(root, "package.json")).resolve("monwire/package.json");
    const file = join(pkg, "..", "dist", "config", "env-file.js");
    return existsSync(file) && readFileSync(file, "utf8").includes("loadEnvFileInto");
  } catch {
    return undefined;
  }
}

function sourceCheck(ctx: CheckContext): CheckResult {
  const [id, title] = IDS.source;
  const name = ctx.config.sentry.dsnEnv;
  const setting = readSetting(name, ctx.options.env, ctx.root);
  if (!setting) return skipped(id, "sentry", title, `${name} is set nowhere (see sentry.dsn)`, "unavailable");
  if (setting.from === "env") {
    return { id, group: "sentry", title, status: "pass", summary: `${name} comes from the environment of this shell; the app's process must be started with it too`, findings: [] };
  }
  const byScript = startLoadsEnvFile(ctx.root);
  if (byScript) return { id, group: "sentry", title, status: "pass", summary: `${name} comes from ${setting.from}, loaded by ${byScript}`, findings: [] };
  if (!ctx.config.sentry.loadEnvFile) {
    return fail(id, title, `${name} is only in ${setting.from}, and nothing loads that file before Sentry starts: sentry.loadEnvFile is false and the start script does not use node --env-file`,
      `Set sentry.loadEnvFile to true in mon.config.json, start the app with node --env-file=.env, or export ${name} in the app's environment.`, "monwire/sentry-dsn-source");
  }
  const runtime = runtimeLoadsEnvFile(ctx.root);
  if (runtime === false) {
    return fail(id, title, `${name} is only in ${setting.from}, but the installed monwire runtime does not load .env`,
      "Upgrade monwire (npm install monwire@latest), or start the app with node --env-file=.env.", "monwire/sentry-dsn-source");
  }
  const note = runtime === undefined ? " (monwire is not installed here: install it so the app can start)" : "";
  return { id, group: "sentry", title, status: runtime === undefined ? "warn" : "pass", summary: `${name} comes from ${setting.from}, loaded by monwire's instrument file before Sentry starts${note}`,
    findings: runtime === undefined ? [{ rule: "monwire/sentry-dsn-source", severity: "warning", message: `monwire is not resolvable from ${ctx.root}` }] : [] };
}

async function handlerCheck(ctx: CheckContext): Promise<CheckResult> {
  const [id, title] = IDS.handler;
  const { config, options } = ctx;
  if (options.offline) return skipped(id, "sentry", title, "--offline: the app was not probed", "requested");
  if (config.metrics.port !== undefined) return skipped(id, "sentry", title, "metrics are served on their own port, so the probe cannot reach the app's routes", "unavailable");
  const tokenEnv = config.metrics.tokenEnv;
  const token = tokenEnv ? readSetting(tokenEnv, options.env, ctx.root)?.value : undefined;
  if (!token) {
    return skipped(id, "sentry", title, `not run: the probe needs the metrics token (${tokenEnv ?? "metrics.tokenEnv"}) set for the app and for mon check`, "unavailable",
      `Set ${tokenEnv ?? "metrics.tokenEnv"} in the app's environment (or .env) to enable the runtime error-handler probe.`);
  }
  const url = new URL(config.metrics.path, options.url ?? config.metrics.url);
  let response: Response;
  try {
    response = await fetch(url, { method: "POST", headers: { [PROBE_HEADER]: PROBE_KIND, authorization: `Bearer ${token}`, "user-agent": ctx.userAgent }, signal: AbortSignal.timeout(options.timeoutMs) });
    await response.arrayBuffer();
  } catch (error) {
    return skipped(id, "sentry", title, `not run: ${url.origin} is not reachable (${(error as Error).message})`, "unavailable");
  }
  const mark = response.headers.get(PROBE_HEADER);
  if (mark === "reached") return { id, group: "sentry", title, status: "pass", summary: "a probe error passed through the app's error chain to monitoring.errorHandler", findings: [] };
  if (mark === "started") {
    return fail(id, title, `an error raised in a request never reached monitoring.errorHandler: the app's own error middleware answered first (HTTP ${response.status}), so no error reaches Sentry or api_errors_total{kind="exception"}`,
      "Move app.use(monitoring.errorHandler) before your first error-handling middleware (the first app.use whose function takes (err, req, res, next)); `mon init` places it there.", "monwire/error-handler-unreachable");
  }
  return { id, group: "sentry", title, status: "warn", summary: `the app did not recognise the probe (HTTP ${response.status}): monitoring.middleware is not mounted first, the app's token differs, or its monwire predates the probe`,
    hint: "Mount app.use(monitoring.middleware) right after creating the app, and give the app and mon check the same metrics token.",
    findings: [{ rule: "monwire/error-handler-probe", severity: "warning", message: `probe not recognised (HTTP ${response.status})` }] };
}

/** The runtime half of the Sentry checks. */
export async function checkSentryRuntime(ctx: CheckContext): Promise<CheckResult[]> {
  const source = ctx.config.sentry.enabled ? sourceCheck(ctx) : skipped(IDS.source[0], "sentry", IDS.source[1], "sentry.enabled is false in mon.config.json", "requested");
  return [source, await handlerCheck(ctx)];
}
