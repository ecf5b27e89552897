import type { ChalkInstance } from "chalk";
import { REPORT_GROUPS, isFailing, type CheckReport, type CheckResult, type Finding } from "../probe/findings.js";
import { escapeTerminalDeep } from "../terminal-safe.js";

/**
 * The terminal report: one line per check (`✓` passed, `✗` failed, `!` warning, `-` skipped),
 * the findings behind a failure or warning (capped, `--json` has them all) and a one-line fix.
 */
export const FINDINGS_SHOWN = 10;

const SYMBOLS = { pass: "✓", fail: "✗", warn: "!", skip: "-" } as const;

function where(finding: Finding): string {
  const subject = finding.family ?? finding.file;
  if (!subject) return finding.line ? `line ${finding.line}: ` : "";
  return `${subject}${finding.line && finding.file ? `:${finding.line}` : ""}: `;
}

function renderCheck(check: CheckResult, color: ChalkInstance, strict: boolean): string[] {
  const paint = { pass: color.green, fail: color.red, warn: color.yellow, skip: color.dim }[check.status];
  const symbol = isFailing(check, strict) && check.status !== "fail" ? color.red(SYMBOLS[check.status]) : paint(SYMBOLS[check.status]);
  const lines = [`  ${symbol} ${check.title} ${color.dim("—")} ${check.status === "skip" ? color.dim(`skipped: ${check.summary}`) : check.summary}`];
  if (check.status === "pass") return lines;
  if (check.status === "skip") return check.hint ? [...lines, `    ${color.cyan("fix:")} ${check.hint}`] : lines;
  // A finding that is the check's summary already (a single problem) is not repeated.
  const shown = check.findings.filter((f) => f.severity !== "info" && !check.summary.endsWith(f.message));
  const hinted = new Set(check.hint ? [check.hint] : []);
  for (const finding of shown.slice(0, FINDINGS_SHOWN)) {
    lines.push(`      ${where(finding)}${finding.message}`);
    if (finding.hint && !hinted.has(finding.hint)) lines.push(color.dim(`        → ${finding.hint}`));
    if (finding.hint) hinted.add(finding.hint);
  }
  if (shown.length > FINDINGS_SHOWN) lines.push(color.dim(`      … and ${shown.length - FINDINGS_SHOWN} more (mon check --json lists all)`));
  if (check.hint) lines.push(`    ${color.cyan("fix:")} ${check.hint}`);
  return lines;
}

export function renderHuman(untrusted: CheckReport, options: { color: ChalkInstance; strict: boolean }): string {
  // Findings quote scraped label values, file contents and tool output: escape them for the terminal.
  const report = escapeTerminalDeep(untrusted);
  const { color, strict } = options;
  const lines: string[] = [];
  const defaults = report.config?.defaults;
  if (report.config && report.config.file === null && defaults) {
    const used = Object.entries(defaults).map(([key, value]) => `${key} ${value}`).join(", ");
    lines.push(color.yellow(`no mon.config.json found in ${report.config.searchedFrom ?? "this directory"} or above: using the defaults (${used})`));
    lines.push(color.dim("  run `mon init` to write one for your app, or pass --config PATH"), "");
  }
  for (const group of REPORT_GROUPS) {
    const checks = report.checks.filter((c) => c.group === group);
    if (checks.length === 0) continue;
    lines.push(color.bold(group));
    for (const check of checks) lines.push(...renderCheck(check, color, strict));
  }
  const { pass, fail, warn, skip } = report.counts;
  const failed = report.checks.some((c) => isFailing(c, strict));
  const tally = `${pass} passed, ${fail} failed, ${warn} warning${warn === 1 ? "" : "s"}, ${skip} skipped${strict ? " (--strict)" : ""}`;
  lines.push("", failed ? color.red(tally) : color.green(tally));
  return `${lines.join("\n")}\n`;
}
