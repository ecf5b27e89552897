import { diffStats, unifiedDiff } from "../scaffold/diff.js";
import type { InitResult } from "../scaffold/init.js";
import type { UninstallResult } from "../scaffold/uninstall.js";
import { describeProposal } from "../scaffold/rules-propose.js";
import type { FileChange, ProjectInfo } from "../scaffold/types.js";

/**
 * Text for humans: detection, the plan preview, and the closing summary with next steps. Pure
 * functions returning strings; the commands decide where they go. `paint` colours a label.
 */
export type Paint = (kind: "create" | "update" | "delete" | "skip" | "conflict" | "heading" | "dim" | "warn", text: string) => string;

export const plainPaint: Paint = (_kind, text) => text;

const LABEL: Record<FileChange["kind"], string> = {
  create: "CREATE",
  update: "UPDATE",
  delete: "DELETE",
  skip: "SKIP",
  conflict: "CONFLICT",
};

export function formatDetection(project: ProjectInfo, paint: Paint = plainPaint): string {
  const lines = [paint("heading", "Detected")];
  for (const item of project.evidence) lines.push(`  ${item.fact.padEnd(32)} ${paint("dim", `(${item.source})`)}`);
  for (const warning of project.warnings) lines.push(`  ${paint("warn", "warning:")} ${warning}`);
  return lines.join("\n");
}

export function formatChange(change: FileChange, paint: Paint = plainPaint): string {
  const label = paint(change.kind, LABEL[change.kind].padEnd(8));
  const stats = change.kind === "update" || change.kind === "conflict" ? (() => {
    const { added, removed } = diffStats(change);
    return ` ${paint("dim", `(+${added} -${removed})`)}`;
  })() : "";
  const why = change.kind === "skip" ? "identical" : change.reason;
  return `  ${label} ${change.path}${stats}  ${paint("dim", `— ${why}`)}`;
}

/** Created files longer than this are listed, not shown, in the preview. */
const MAX_CREATE_DIFF_LINES = 80;

/**
 * The preview: one line per file, then unified diffs. Edits to existing files are always shown;
 * new files only in "all" mode (dry runs), and long generated ones only by size.
 */
export function formatPlan(changes: FileChange[], options: { diffs: "all" | "edits"; paint?: Paint }): string {
  const paint = options.paint ?? plainPaint;
  const lines = [paint("heading", "Plan"), ...changes.map((c) => formatChange(c, paint))];
  for (const change of changes) {
    if (change.kind === "skip" || change.kind === "delete") continue;
    if (change.kind === "create" && options.diffs !== "all") continue;
    const length = (change.after ?? "").split("\n").length;
    if (change.kind === "create" && length > MAX_CREATE_DIFF_LINES) {
      lines.push("", paint("dim", `+++ b/${change.path} (new, ${length} lines, not shown)`));
      continue;
    }
    lines.push("", unifiedDiff(change).trimEnd());
  }
  return lines.join("\n");
}

export function nextSteps(result: InitResult): string[] {
  const steps: string[] = [];
  const { answers, project } = result;
  if (result.install === undefined && result.status === "applied" && result.plan.changes.some((c) => c.path === "package.json" && c.kind === "update")) {
    steps.push(`install the new dependencies: ${project.packageManager} install`);
  }
  const build = buildBeforeStart(project);
  if (build) steps.push(build);
  steps.push(...ruleSteps(result));
  if (answers.sentry) steps.push("set SENTRY_DSN in the app's environment (see .env.example) to turn Sentry on");
  if (answers.metrics) steps.push(`start the app, then run \`mon check\` to prove ${answers.metricsPath} serves the catalog`);
  if (answers.audit) steps.push("set MONWIRE_AUDIT_KEY to chain the audit trail with HMAC; `mon verify` proves it intact");
  steps.push("review the alert rules and dashboard in monitoring/ (promtool test rules monitoring/alerts.test.yml)");
  return steps;
}

/** A start script that runs built files (dist/…) needs the build first, or it runs the old code. */
function buildBeforeStart(project: InitResult["project"]): string | undefined {
  const start = project.scripts.find((s) => s.script === "start");
  if (!start?.file || !/^(dist|build|out)\//.test(start.file) || !project.scripts.some((s) => s.script === "build")) return undefined;
  const run = project.packageManager === "npm" ? "npm run" : project.packageManager;
  return `build before you start: \`${run} build\`, then \`${run} start\` (start runs ${start.file}, built from ${project.entry}; without a build it runs code without monwire)`;
}

/** What remains about route rules: review the proposals, the guesses, the product list. */
function ruleSteps(result: InitResult): string[] {
  const rules = result.plan.rules;
  if (!rules) return [];
  const steps: string[] = [];
  const added = rules.proposed.filter((p) => rules.added.includes(p.key));
  if (added.length > 0) {
    const events = [...new Set(added.map((p) => p.event))].join(", ");
    steps.push(`review the ${added.length} route rule${added.length === 1 ? "" : "s"} init proposed (${events}) in mon.config.json "events"; docs/tracking.md explains each field`);
    const guessed = added.filter((p) => p.guessed.length > 0);
    if (guessed.length > 0) steps.push(`check the values init could not see in the code: ${guessed.map((p) => `${p.key} ${p.guessed.join(", ")}`).join("; ")}`);
    const licenses = added.some((p) => p.event === "license.generated" || (p.rule.also as Array<{ event: string }> | undefined)?.some((a) => a.event === "license.generated"));
    if (licenses && rules.products.length === 0) steps.push('list your products in mon.config.json "metrics.products" (license_keys_generated_total counts any other product as "other")');
  } else if (rules.proposed.length === 0) {
    steps.push('no route matched a business event: add rules to mon.config.json "events" by hand (docs/tracking.md), or call track.* in the handlers');
  }
  if (rules.actor) steps.push('the request\'s user is read from the places and fields in mon.config.json "actor"; change them if your app keeps the user elsewhere');
  return steps;
}

/** The proposals, one per line, marked taken or left out. */
export function formatRules(plan: InitResult["plan"], paint: Paint = plainPaint): string[] {
  const rules = plan.rules;
  if (!rules || (rules.proposed.length === 0 && rules.products.length === 0)) return [];
  const lines = [paint("heading", "Route rules")];
  for (const proposal of rules.proposed) {
    const taken = rules.added.includes(proposal.key);
    lines.push(`  ${taken ? paint("create", "+") : paint("dim", "-")} ${escapeControl(describeProposal(proposal))}  ${paint("dim", `(${proposal.file}:${proposal.line})`)}`);
  }
  if (rules.products.length > 0) lines.push(`  products: ${escapeControl(rules.products.join(", "))}`);
  return lines;
}

const escapeControl = (text: string) => text.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);

export function formatInitSummary(result: InitResult, paint: Paint = plainPaint): string {
  const lines: string[] = [];
  for (const warning of result.plan.warnings) lines.push(`${paint("warn", "warning:")} ${warning}`);
  const counts = (kind: FileChange["kind"]) => result.plan.changes.filter((c) => c.kind === kind).length;
  switch (result.status) {
    case "nothing-to-do":
      lines.push("already set up — nothing to do");
      return lines.join("\n");
    case "dry-run":
      lines.push(...formatRules(result.plan, paint));
      lines.push(`dry run: ${counts("create")} to create, ${counts("update")} to update, ${counts("conflict")} conflict(s); nothing was written`);
      return lines.join("\n");
    case "declined":
      lines.push("nothing was written (you answered no); `mon init --dry-run` shows every diff, `mon init` asks again");
      return lines.join("\n");
    case "rolled-back":
      lines.push(...formatRollback(result, paint));
      return lines.join("\n");
    case "conflicts":
      lines.push(`${counts("conflict")} file(s) changed since monwire wrote them (CONFLICT above): nothing was written.`);
      lines.push("Fix: keep your version and move it aside, or rerun with --force to overwrite (your edits are lost).");
      return lines.join("\n");
    default:
      break;
  }
  lines.push(...formatRules(result.plan, paint));
  lines.push(`done: ${counts("create")} created, ${counts("update")} updated, ${counts("delete") > 0 ? `${counts("delete")} removed, ` : ""}${counts("skip")} unchanged`);
  if (result.install) lines.push(result.install.ok ? `installed with \`${result.install.command}\`` : `${paint("warn", "install failed:")} \`${result.install.command}\` exited ${result.install.exitCode} — run it yourself`);
  for (const note of result.plan.notes) lines.push(`note: ${note}`);
  lines.push(paint("heading", "Next steps"), ...nextSteps(result).map((step, i) => `  ${i + 1}. ${step}`));
  return lines.join("\n");
}

/** The uninstall plan: one line per file, what stays and why, and the diffs of edited files. */
/** A failed install: what failed, what was put back, and the commands that finish the job. */
function formatRollback(result: InitResult, paint: Paint): string[] {
  const install = result.install!;
  const files = (result.applied?.written.length ?? 0) + (result.applied?.deleted.length ?? 0);
  const lines = [`${paint("warn", "install failed:")} \`${install.command}\` exited ${install.exitCode ?? "abnormally"} in ${install.cwd} (its output is above)`];
  const unrestored = result.unrestored ?? [];
  if (unrestored.length === 0) lines.push(`rolled back: all ${files} file(s) init wrote were put back; the app is as it was before \`mon init\`.`);
  else lines.push(`rolled back, except: ${unrestored.join("; ")} — restore these from version control.`);
  const pm = result.project.packageManager;
  lines.push("Fix the cause the package manager printed (network, registry, the monwire version), then run the same `mon init` again.");
  lines.push(`Or keep the files and install yourself: the same \`mon init\` with --skip-install, then \`${pm} install\` in ${install.cwd}.`);
  if (!result.plan.changes.some((c) => c.path === "package.json" && /file:/.test(c.after ?? ""))) {
    lines.push("If monwire is not on your registry yet: `mon init --monwire-from <path to a monwire checkout or .tgz>`.");
  }
  return lines;
}

export function formatUninstallPlan(result: Pick<UninstallResult, "plan">, paint: Paint = plainPaint, diffs = false): string {
  const lines = [diffs ? formatPlan(result.plan.changes, { diffs: "edits", paint }) : [paint("heading", "Plan"), ...result.plan.changes.map((c) => formatChange(c, paint))].join("\n")];
  for (const item of result.plan.left) lines.push(`  ${paint("warn", "LEFT    ")} ${item}`);
  return lines.join("\n");
}

/** `planShown`: the plan was printed before the question, so the summary does not repeat it. */
export function formatUninstallSummary(result: UninstallResult, dryRun: boolean, paint: Paint = plainPaint, planShown = false): string {
  const lines = planShown ? [] : [formatUninstallPlan(result, paint)];
  const conflicts = result.plan.changes.filter((c) => c.kind === "conflict");
  if (conflicts.length > 0) {
    lines.push(`${conflicts.length} file(s) conflict (CONFLICT above): ${dryRun ? "nothing would be removed" : "nothing was removed"}, so the app keeps working as it is.`);
    if (conflicts.some((c) => c.reason.startsWith("imported by"))) {
      lines.push("Fix: a file your code imports: remove that import, or copy the file under another name and import the copy, then run again; --force deletes it anyway (the import then fails).");
    }
    if (conflicts.some((c) => !c.reason.startsWith("imported by"))) {
      lines.push("Fix: a region you changed: undo your change inside the region (or move it below the `monwire:end` line) and run again, or rerun with --force to remove monwire's regions including your change.");
    }
    return lines.join("\n");
  }
  if (result.declined) lines.push("nothing was changed (you answered no)");
  else if (dryRun) lines.push("dry run: nothing was changed");
  else lines.push(`removed monwire: ${result.plan.changes.length} file(s) changed${result.plan.left.length > 0 ? `, ${result.plan.left.length} item(s) left in place (LEFT above)` : ""}`);
  if (result.install && !result.install.ok) lines.push(`${paint("warn", "install failed:")} \`${result.install.command}\` — run it yourself`);
  return lines.join("\n");
}
