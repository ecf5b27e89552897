import { maskDsn, parseDsn, type ParsedDsn } from "../runtime/sentry/dsn.js";
import type { CheckContext } from "./check-context.js";
import { readSetting } from "./env-file.js";
import { skipped, statusOf, type CheckResult, type Finding } from "./findings.js";
import { sendTestEnvelope } from "./sentry-online.js";
import { analyzeStart } from "./sentry-static.js";
import { mixedVersionsHint, sentryTree } from "./sentry-versions.js";

/**
 * The Sentry half of `mon check`: the DSN (from the environment or .env, validated with the
 * SDK's exact rules, never printed unmasked), optionally one real envelope to it, and the two
 * static mistakes that silently break Sentry in Express apps.
 */
const IDS = {
  dsn: ["sentry.dsn", "DSN valid"],
  online: ["sentry.online", "Sentry accepts an envelope"],
  order: ["sentry.instrument", "instrument file loaded before express"],
  versions: ["sentry.versions", "@sentry/* versions aligned"],
} as const;

function dsnCheck(ctx: CheckContext): { check: CheckResult; dsn?: ParsedDsn } {
  const [id, title] = IDS.dsn;
  const name = ctx.config.sentry.dsnEnv;
  const setting = readSetting(name, ctx.options.env, ctx.root);
  if (!setting) {
    const summary = `${name} is not set (environment or .env): the SDK stays disabled and reports nothing`;
    const hint = `Export ${name}=https://<key>@<host>/<project-id> or add it to .env.`;
    return { check: { id, group: "sentry", title, status: "fail", summary, hint, findings: [{ rule: "monwire/sentry-dsn", severity: "error", message: summary, hint }] } };
  }
  const from = setting.from === "env" ? `$${name}` : `${name} in .env`;
  const result = parseDsn(setting.value);
  if (!result.ok) {
    const summary = `${from} (${maskDsn(setting.value)}): ${result.problem}`;
    return { check: { id, group: "sentry", title, status: "fail", summary, hint: result.hint, findings: [{ rule: `monwire/sentry-dsn-${result.code}`, severity: "error", message: summary, hint: result.hint }] } };
  }
  const findings: Finding[] = result.warnings.map((w) => ({ rule: `monwire/sentry-dsn-${w.code}`, severity: "warning", message: w.message }));
  const summary = `${maskDsn(setting.value)} from ${from}: project ${result.dsn.projectId} on ${result.dsn.host}`;
  return { check: { id, group: "sentry", title, status: statusOf(findings), summary, findings }, dsn: result.dsn };
}

async function onlineCheck(ctx: CheckContext, dsn: ParsedDsn | undefined): Promise<CheckResult> {
  const [id, title] = IDS.online;
  if (ctx.options.offline) return skipped(id, "sentry", title, "--offline: no envelope sent", "requested");
  if (!ctx.options.online) return skipped(id, "sentry", title, "not asked for: pass --online to send one test envelope", "requested");
  if (!dsn) return skipped(id, "sentry", title, "not run: no valid DSN", "unavailable");
  const result = await sendTestEnvelope(dsn, { timeoutMs: ctx.options.timeoutMs, now: ctx.options.now, client: ctx.userAgent });
  return { id, group: "sentry", title, status: result.status, summary: result.summary, ...(result.hint ? { hint: result.hint } : {}), findings: result.finding ? [result.finding] : [] };
}

function orderCheck(ctx: CheckContext): CheckResult {
  const [id, title] = IDS.order;
  const analysis = analyzeStart(ctx.root);
  const status = statusOf(analysis.findings);
  const first = analysis.findings[0];
  const summary = first?.message ?? `loaded by ${analysis.loadedBy}`;
  return { id, group: "sentry", title, status, summary, ...(first?.hint ? { hint: first.hint } : {}), findings: analysis.findings };
}

function versionsCheck(ctx: CheckContext): CheckResult {
  const [id, title] = IDS.versions;
  const tree = sentryTree(ctx.root);
  const { source, versions } = tree;
  if (!source) return skipped(id, "sentry", title, "no node_modules, package-lock.json, pnpm-lock.yaml or yarn.lock in the project root", "unavailable", "Install the dependencies (npm install writes node_modules and package-lock.json).");
  if (!versions.has("@sentry/node")) {
    const summary = `@sentry/node is not in ${source}`;
    const hint = "npm install @sentry/node (monwire supports SDK 10 and 11).";
    return { id, group: "sentry", title, status: "fail", summary, hint, findings: [{ rule: "monwire/sentry-versions", severity: "error", file: source, message: summary, hint }] };
  }
  const all = new Set([...versions.values()].flatMap((v) => [...v]));
  if (all.size <= 1) return { id, group: "sentry", title, status: "pass", summary: `${versions.size} @sentry/* packages at ${[...all][0]} (${source})`, findings: [] };
  const listing = [...versions].map(([name, v]) => `${name} ${[...v].join("/")}`).join(", ");
  const summary = `mixed versions in ${source}: ${listing}`;
  const hint = mixedVersionsHint(ctx.root, tree);
  return { id, group: "sentry", title, status: "fail", summary, hint, findings: [{ rule: "monwire/sentry-versions", severity: "error", file: source, message: summary, hint }] };
}

export async function checkSentry(ctx: CheckContext): Promise<CheckResult[]> {
  if (!ctx.config.sentry.enabled) {
    return Object.values(IDS).map(([id, title]) => skipped(id, "sentry", title, "sentry.enabled is false in mon.config.json", "requested"));
  }
  const { check, dsn } = dsnCheck(ctx);
  return [check, await onlineCheck(ctx, dsn), orderCheck(ctx), versionsCheck(ctx)];
}
