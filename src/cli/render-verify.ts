import type { ChalkInstance } from "chalk";
import { plural } from "../human-format.js";
import { escapeTerminal, escapeTerminalDeep } from "../terminal-safe.js";
import type { HostsVerifyReport } from "../audit/verify-hosts.js";
import { formatSummaryLine } from "../audit/verify-summary.js";
import type { AnchorVerdict, FileVerdict, VerifyReport } from "../audit/verify-types.js";

/** How a verdict word is shown (the CLI colours it on a TTY). */
export type VerdictStyle = (status: "valid" | "torn" | "invalid" | "missing", text: string) => string;

const plain: VerdictStyle = (_status, text) => text;

/**
 * The human rendering of a report: one line per file and per anchor in day order (the issues
 * of a failing file indented below it, at most `maxIssues`), notes, then the summary line. A run
 * of valid anchors of days without events is one line unless `detail` is "verbose"; "quiet" keeps
 * only verdicts that are not valid, the hint and the summary.
 * Issues quote corrupt lines, so every string is escaped for the terminal first: `ESC[8m` in a
 * line must not hide the verdict after it.
 */
/** Runs of at least this many valid anchors of days without events are shown as one line. */
export const EMPTY_RUN_MIN = 3;

export function formatVerifyReport(untrusted: VerifyReport, options: { style?: VerdictStyle; maxIssues?: number; detail?: "quiet" | "normal" | "verbose" } = {}): string[] {
  const report = escapeTerminalDeep(untrusted);
  const style = options.style ?? plain;
  const maxIssues = options.maxIssues ?? 5;
  const rows: { day: string; order: number; item: FileVerdict | AnchorVerdict }[] = [
    ...report.files.map((item) => ({ day: item.day, order: 0, item })),
    ...report.anchors.map((item) => ({ day: item.day, order: 1, item })),
  ].sort((a, b) => (a.day === b.day ? a.order - b.order : a.day < b.day ? -1 : 1));
  const width = Math.max(report.witness ? "witness".length : 0, ...rows.map((r) => r.item.name.length)) + 2;
  const lines: string[] = [];
  // A long quiet stretch (a shop closed for a season, sealed every day) is one line unless --verbose.
  const fileDays = new Set(report.files.map((f) => f.day));
  const quiet = (row: (typeof rows)[number]) => row.order === 1 && row.item.status === "valid" && !fileDays.has(row.day);
  for (let i = 0; i < rows.length; i++) {
    let end = i;
    while (options.detail !== "verbose" && end < rows.length && quiet(rows[end] as (typeof rows)[number])) end += 1;
    if (end - i >= EMPTY_RUN_MIN) {
      const first = rows[i] as (typeof rows)[number];
      const last = rows[end - 1] as (typeof rows)[number];
      if (options.detail === "quiet") {
        i = end - 1;
        continue;
      }
      const label = `anchors ${first.day} … ${last.day}`;
      lines.push(`${label.length >= width ? `${label}  ` : label.padEnd(width)}${style("valid", "valid")} — ${end - i} days without events (--verbose lists each)`);
      i = end - 1;
      continue;
    }
    const { item } = rows[i] as (typeof rows)[number];
    // Quiet: only what needs attention; the summary line still counts everything.
    if (options.detail === "quiet" && item.status === "valid") continue;
    const details = "entries" in item && item.status !== "missing" ? ` — ${describeFile(item)}` : "";
    lines.push(`${item.name.padEnd(width)}${style(item.status, item.verdict)}${item.status === "valid" ? details : ""}`);
    if (item.status === "valid") continue;
    const shown = item.issues.filter((i) => i.severity !== "note").slice(0, maxIssues);
    if (shown.length < 2 && item.issues.length < 2) continue;
    for (const issue of shown) lines.push(`    ${issue.message}`);
    const total = "issueCount" in item ? item.issueCount : item.issues.length;
    if (total > shown.length) lines.push(`    … ${total - shown.length} more (see --json)`);
  }
  if (report.witness) {
    const w = report.witness;
    lines.push(`${"witness".padEnd(width)}${style(w.status, w.verdict)} (${w.source})`);
    const shown = w.issues.filter((i) => i.severity !== "note" || w.status === "valid").slice(0, maxIssues);
    if (shown.length > 1 || (w.status === "valid" && shown.length > 0)) for (const issue of shown) lines.push(`    ${issue.message}`);
  }
  if (report.checkpoint) lines.push(`${"audit-pruned.json".padEnd(width)}${style(report.checkpoint.status, report.checkpoint.verdict)}`);
  if (options.detail !== "quiet") for (const note of report.notes) lines.push(`note: ${note}`);
  if (report.hint) lines.push(`hint: ${report.hint}`);
  lines.push(formatSummaryLine(report));
  return lines;
}

function describeFile(file: FileVerdict): string {
  const writers = plural(file.writers, "writer");
  return `${plural(file.entries, "entry", "entries")}, ${writers}, ${file.sealed ? "sealed" : "not sealed yet"}`;
}

/** Every line of each host's report, prefixed with the host, then one line over all hosts. */
export function formatHostsReport(report: HostsVerifyReport, options: { style?: VerdictStyle } = {}): string[] {
  const lines: string[] = [];
  for (const { host, report: hostReport } of report.hosts) {
    const shown = escapeTerminal(host);
    for (const line of formatVerifyReport(hostReport, options)) lines.push(`[${shown}] ${line}`);
  }
  const tampered = report.hosts.filter((h) => h.report.status === "tampered").map((h) => h.host);
  lines.push(
    tampered.length > 0
      ? `${report.hosts.length} hosts: TAMPERED on ${escapeTerminal(tampered.join(", "))}`
      : `${report.hosts.length} hosts: ${report.status === "empty" ? "no audit entries" : "all intact"}`,
  );
  return lines;
}

/** Verdict colours of `mon verify` (plain when colour is off). */
export function paintVerdicts(color: ChalkInstance): VerdictStyle {
  const paint = { valid: color.green, torn: color.yellow, invalid: color.red.bold, missing: color.red.bold };
  return (status, text) => paint[status](text);
}
