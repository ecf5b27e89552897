import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { forEachLine, readPlainChunks } from "./lines.js";
import { verifyAuditDir, type VerifyOptions } from "./verify.js";
import type { FileVerdict, VerifyReport } from "./verify-types.js";

/**
 * A trail shipped elsewhere (Vector → Elasticsearch or Loki) and exported back as NDJSON, in any
 * order: each export line is an audit line, or a document carrying it in `event.original` (the
 * generated Vector config keeps it). The lines are regrouped by UTC day and writer, each writer's
 * entries sorted by seq, written to a private temp directory as day files, and verified by the
 * same core as `mon verify --dir`. Findings name the export file and its line numbers.
 */
interface Placed {
  source: number;
  text: string;
  writer: string;
  seq: number;
  ts: string;
}

function originalLine(raw: string): string | undefined {
  let doc: unknown;
  try {
    doc = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (typeof doc !== "object" || doc === null) return undefined;
  const record = doc as Record<string, unknown>;
  const event = record.event as Record<string, unknown> | undefined;
  const original = record["event.original"] ?? event?.original ?? record.message;
  if (typeof original === "string" && original.startsWith("{")) return original;
  return typeof record.writer === "string" ? raw : undefined;
}

function place(raw: string, source: number): Placed | undefined {
  const text = originalLine(raw);
  if (text === undefined) return undefined;
  try {
    const entry = JSON.parse(text) as { writer?: unknown; seq?: unknown; ts?: unknown };
    if (typeof entry.writer !== "string" || typeof entry.seq !== "number" || typeof entry.ts !== "string" || !/^\d{4}-\d{2}-\d{2}T/.test(entry.ts)) return undefined;
    return { source, text, writer: entry.writer, seq: entry.seq, ts: entry.ts };
  } catch {
    return undefined;
  }
}

/** Day → the lines of that day's file: writers in the order they first wrote, each by seq. */
function arrange(entries: Placed[]): Map<string, Placed[]> {
  const firstTs = new Map<string, string>();
  for (const e of entries) if (!firstTs.has(e.writer) || e.ts < firstTs.get(e.writer)!) firstTs.set(e.writer, e.ts);
  const sorted = [...entries].sort((a, b) =>
    a.writer === b.writer ? a.seq - b.seq || a.source - b.source : firstTs.get(a.writer)! < firstTs.get(b.writer)! ? -1 : firstTs.get(a.writer)! > firstTs.get(b.writer)! ? 1 : a.writer < b.writer ? -1 : 1,
  );
  const days = new Map<string, Placed[]>();
  for (const e of sorted) {
    const day = e.ts.slice(0, 10);
    if (!days.has(day)) days.set(day, []);
    days.get(day)!.push(e);
  }
  return days;
}

/** Status and file counts again, after the unplaced lines were added as a verdict of their own. */
function withCounts(report: VerifyReport): VerifyReport {
  const counts = { valid: 0, torn: 0, invalid: 0, missing: 0 };
  for (const f of report.files) counts[f.status] += 1;
  const tampered = report.status === "tampered" || counts.invalid + counts.missing > 0;
  return { ...report, status: tampered ? "tampered" : report.status, summary: { ...report.summary, files: counts } };
}

export async function verifyNdjson(file: string, options: Omit<VerifyOptions, "dir">): Promise<VerifyReport> {
  const placed: Placed[] = [];
  const unplaced: number[] = [];
  let source = 0;
  // The scan engine's splitter: an export of any size is read in chunks, a line at a time.
  await forEachLine(readPlainChunks(file, { start: 0, end: Number.POSITIVE_INFINITY }), (_bytes, _length, raw) => {
    source += 1;
    if (raw.trim() === "") return;
    const p = place(raw.replace(/\r$/, ""), source);
    if (p) placed.push(p);
    else unplaced.push(source);
  });
  const name = basename(file);
  const dir = await mkdtemp(join(tmpdir(), "monwire-ndjson-"));
  try {
    const days = arrange(placed);
    for (const [day, lines] of days) await writeFile(join(dir, `audit-${day}.log`), lines.map((l) => `${l.text}\n`).join(""), { mode: 0o600 });
    const report = await verifyAuditDir({ ...options, dir });
    const files: FileVerdict[] = report.files.map((verdict) => {
      const sources = days.get(verdict.day) ?? [];
      const mapLine = (n: number) => sources[n - 1]?.source ?? n;
      const remap = (text: string) => text.replace(/\bline (\d+)/g, (_, n: string) => `line ${mapLine(Number(n))}`);
      return {
        ...verdict,
        name: `${name} [${verdict.day}]`,
        verdict: remap(verdict.verdict),
        issues: verdict.issues.map((issue) => ({ ...issue, message: remap(issue.message), ...(issue.line !== undefined ? { line: mapLine(issue.line) } : {}) })),
      };
    });
    if (unplaced.length > 0) {
      const shown = unplaced.slice(0, 20).join(", ");
      files.unshift({
        day: "", name, status: "invalid", sealed: false, entries: 0, lines: unplaced.length, bytes: 0, writers: 0, issueCount: unplaced.length,
        verdict: `INVALID: ${unplaced.length} line(s) hold no audit entry (line ${shown}${unplaced.length > 20 ? ", …" : ""})`,
        issues: unplaced.slice(0, 20).map((line) => ({ kind: "corrupt" as const, severity: "tamper" as const, line, message: `line ${line}: not an audit line (nor a document with event.original)` })),
      });
    }
    return withCounts({ ...report, dir: file, files, notes: [...report.notes, `verified from ${name}: ${placed.length} entries regrouped by day and writer; exports carry no anchors, so days are not sealed`] });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
