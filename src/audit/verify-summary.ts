import { formatCount, plural } from "../human-format.js";
import type { DayVerdict } from "./verify-day.js";
import type { FileStatus, VerifyReport } from "./verify-types.js";

export interface ReportParts {
  dir: string;
  from: string | undefined;
  to: string | undefined;
  keyed: boolean;
  days: DayVerdict[];
  /** Distinct writers with entries in the range. */
  writers: number;
  checkpoint: VerifyReport["checkpoint"];
  notes: string[];
}

/** Collects day verdicts into the report: counts, overall status, and a hint when a key looks wrong. */
export function summarizeReport(parts: ReportParts): VerifyReport {
  const files = parts.days.flatMap((d) => (d.file ? [d.file] : []));
  const anchors = parts.days.flatMap((d) => (d.anchor ? [d.anchor] : []));
  const fileCounts: Record<FileStatus, number> = { valid: 0, torn: 0, invalid: 0, missing: 0 };
  for (const file of files) fileCounts[file.status] += 1;
  const anchorCounts = { valid: 0, invalid: 0, missing: 0 };
  for (const anchor of anchors) anchorCounts[anchor.status] += 1;
  const tampered = fileCounts.invalid + fileCounts.missing + anchorCounts.invalid + anchorCounts.missing > 0 || parts.checkpoint?.status === "invalid";
  const signed = parts.days.reduce((acc, d) => ({ checked: acc.checked + d.signed.checked, failed: acc.failed + d.signed.failed }), { checked: 0, failed: 0 });
  const notes = [...parts.notes];
  for (const file of files) {
    for (const issue of file.issues) if (issue.kind === "file_event") notes.push(`${file.name} line ${issue.line}: ${issue.message}`);
  }
  const unprovenDays = parts.days.filter((d) => d.unproven).map((d) => d.day);
  if (unprovenDays.length > 0) notes.push(`${plural(unprovenDays.length, "day")} without a file or an anchor outside the sealed range: nothing proves ${unprovenDays.length === 1 ? "it" : "they"} had no events (run mon seal)`);
  const report: VerifyReport = {
    dir: parts.dir,
    from: parts.from,
    to: parts.to,
    keyed: parts.keyed,
    status: files.length === 0 && anchors.length === 0 ? "empty" : tampered ? "tampered" : "intact",
    files,
    anchors,
    ...(parts.checkpoint ? { checkpoint: parts.checkpoint } : {}),
    unprovenDays,
    notes,
    summary: {
      days: parts.days.length,
      entries: files.reduce((n, f) => n + f.entries, 0),
      bytes: files.reduce((n, f) => n + f.bytes, 0),
      writers: parts.writers,
      files: fileCounts,
      anchors: anchorCounts,
      unsealed: parts.days.filter((d) => d.unsealed).length,
    },
  };
  if (signed.checked > 0 && signed.failed === signed.checked) {
    report.hint = "Every signed entry failed to verify: the key given is probably not the one this trail was written with.";
  }
  return report;
}

/** The one-line summary printed after the per-file verdicts. */
export function formatSummaryLine(report: VerifyReport): string {
  const { files, anchors } = report.summary;
  const parts = [
    `${plural(report.files.length, "file")}: ${formatCount(files.valid)} valid`,
    files.torn ? `${formatCount(files.torn)} torn` : "",
    files.invalid ? `${formatCount(files.invalid)} INVALID` : "",
    files.missing ? `${formatCount(files.missing)} missing` : "",
  ].filter(Boolean);
  const anchorParts = [`${formatCount(anchors.valid)} valid`, anchors.invalid ? `${formatCount(anchors.invalid)} INVALID` : "", anchors.missing ? `${formatCount(anchors.missing)} missing` : ""].filter(Boolean);
  if (report.wrongKey) return `WRONG KEY: the trail is signed with key id ${report.wrongKey.trail.join(", ")}, not with the given key (key id ${report.wrongKey.given}) — TAMPERED or wrong key`;
  const verdict = report.status === "tampered" ? "TAMPERED" : report.status === "empty" ? "nothing to verify" : "intact";
  return `${parts.join(", ")}; ${plural(report.anchors.length, "anchor")}: ${anchorParts.join(", ")}; ${plural(report.summary.entries, "entry", "entries")} — ${verdict}`;
}
