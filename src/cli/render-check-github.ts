import { isFailing, type CheckReport, type CheckResult, type Finding } from "../probe/findings.js";
import { escapeTerminalDeep } from "../terminal-safe.js";

/**
 * `--format github`: workflow-command annotations within GitHub's per-step limits (10 error and
 * 10 warning annotations per step; more are dropped silently), most important first, and the
 * complete list as Markdown for `$GITHUB_STEP_SUMMARY` (capped at GitHub's 1 MiB per step).
 */
export const ANNOTATIONS_PER_LEVEL = 10;
export const STEP_SUMMARY_MAX_BYTES = 1024 * 1024;

interface Annotation {
  level: "error" | "warning";
  title: string;
  message: string;
  file?: string;
  line?: number;
}

/** Escaping of workflow-command data (the message). */
export const escapeData = (text: string) => text.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
/** Escaping of workflow-command properties (title, file). */
export const escapeProperty = (text: string) => escapeData(text).replace(/:/g, "%3A").replace(/,/g, "%2C");

function annotationsOf(check: CheckResult, strict: boolean): Annotation[] {
  const level = (severity: Finding["severity"]): Annotation["level"] => (severity === "error" || strict ? "error" : "warning");
  const title = `mon check: ${check.title}`;
  const relevant = check.findings.filter((f) => f.severity !== "info");
  if (relevant.length === 0) {
    if (!isFailing(check, strict) && check.status !== "warn") return [];
    return [{ level: check.status === "warn" && !strict ? "warning" : "error", title, message: [check.summary, check.hint && `Fix: ${check.hint}`].filter(Boolean).join("\n") }];
  }
  return relevant.map((f) => ({
    level: level(f.severity),
    title,
    message: [`${f.family ? `${f.family}: ` : ""}${f.message}`, f.hint && `Fix: ${f.hint}`].filter(Boolean).join("\n"),
    ...(f.file ? { file: f.file } : {}),
    ...(f.file && f.line ? { line: f.line } : {}),
  }));
}

function command(a: Annotation): string {
  const props = [`title=${escapeProperty(a.title)}`];
  if (a.file) props.push(`file=${escapeProperty(a.file)}`);
  if (a.line) props.push(`line=${a.line}`);
  return `::${a.level} ${props.join(",")}::${escapeData(a.message)}`;
}

const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, "<br>");

export function renderGithub(untrusted: CheckReport, strict: boolean): { annotations: string; summary: string; dropped: number } {
  // Escaped for the log viewer first (a workflow log renders ANSI), then for the command syntax.
  const report = escapeTerminalDeep(untrusted, { keepLines: true });
  const all = report.checks.flatMap((c) => annotationsOf(c, strict));
  const kept: Annotation[] = [];
  let dropped = 0;
  for (const level of ["error", "warning"] as const) {
    const ofLevel = all.filter((a) => a.level === level);
    kept.push(...ofLevel.slice(0, ANNOTATIONS_PER_LEVEL));
    dropped += Math.max(0, ofLevel.length - ANNOTATIONS_PER_LEVEL);
  }
  const rows = report.checks.map((c) => `| ${{ pass: "✅", fail: "❌", warn: "⚠️", skip: "⏭️" }[c.status]} | \`${c.id}\` | ${cell(c.summary)} |`);
  const details = report.checks.flatMap((c) => c.findings.filter((f) => f.severity !== "info").map((f) =>
    `| ${f.severity} | \`${c.id}\` | ${cell(`${f.family ? `${f.family}: ` : ""}${f.message}`)} | ${cell(f.hint ?? c.hint ?? "")} |`));
  const { pass, fail, warn, skip } = report.counts;
  let summary = [
    "## mon check", "", `${pass} passed, ${fail} failed, ${warn} warnings, ${skip} skipped${strict ? " (--strict)" : ""}`, "",
    "| | check | result |", "|---|---|---|", ...rows, "",
    ...(details.length > 0 ? ["### Findings", "", "| severity | check | finding | fix |", "|---|---|---|---|", ...details, ""] : []),
  ].join("\n");
  if (Buffer.byteLength(summary) > STEP_SUMMARY_MAX_BYTES) {
    const note = "\n\n_Summary truncated at GitHub's 1 MiB limit; run `mon check --json` for everything._\n";
    summary = Buffer.from(summary).subarray(0, STEP_SUMMARY_MAX_BYTES - Buffer.byteLength(note) - 4).toString("utf8").replace(/\uFFFD*$/, "") + note;
  }
  return { annotations: kept.map(command).join("\n") + (kept.length > 0 ? "\n" : ""), summary, dropped };
}
