import { escapeTerminalDeep } from "../terminal-safe.js";
import { formatSummaryLine } from "./verify-summary.js";
import type { AnchorVerdict, FileVerdict, VerifyReport } from "./verify-types.js";

/** How a verdict word is shown (the CLI colours it on a TTY). */
export type VerdictStyle = (status: "valid" | "torn" | "invalid" | "missing", text: string) => string;

const plain: VerdictStyle = (_status, text) => text;

/**
 * The human rendering of a report: one line per file and per anchor in day order (the issues
 * of a failing file indented below it, at most `maxIssues`), notes, then the summary line.
 * Issues quote corrupt lines, so every string is escaped for the terminal first: `ESC[8m` in a
 * line must not hide the verdict after it.
 */
export function formatVerifyReport(untrusted: VerifyReport, options: { style?: VerdictStyle; maxIssues?: number } = {}): string[] {
  const report = escapeTerminalDeep(untrusted);
  const style = options.style ?? plain;
  const maxIssues = options.maxIssues ?? 5;
  const rows: { day: string; order: number; item: FileVerdict | AnchorVerdict }[] = [
    ...report.files.map((item) => ({ day: item.day, order: 0, item })),
    ...report.anchors.map((item) => ({ day: item.day, order: 1, item })),
  ].sort((a, b) => (a.day === b.day ? a.order - b.order : a.day < b.day ? -1 : 1));
  const width = Math.max(report.witness ? "witness".length : 0, ...rows.map((r) => r.item.name.length)) + 2;
  const lines: string[] = [];
  for (const { item } of rows) {
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
  for (const note of report.notes) lines.push(`note: ${note}`);
  if (report.hint) lines.push(`hint: ${report.hint}`);
  lines.push(formatSummaryLine(report));
  return lines;
}

function describeFile(file: FileVerdict): string {
  const writers = `${file.writers} writer${file.writers === 1 ? "" : "s"}`;
  return `${file.entries} entries, ${writers}, ${file.sealed ? "sealed" : "not sealed yet"}`;
}
