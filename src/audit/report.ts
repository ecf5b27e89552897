import { basename } from "node:path";
import { createAggregate } from "./aggregate.js";
import { mergeAggregates } from "./aggregate-merge.js";
import { checkIntegrity, type Integrity } from "./report-integrity.js";
import { planReport, type MissingDay } from "./report-plan.js";
import { planRanges, runScanTasks } from "./report-pool.js";
import { describeProblem, type ProblemKind, type ScanTask } from "./report-scan.js";
import { summarizeAggregate, type ReportSummary } from "./report-summary.js";
import { assertTimeZone } from "./time-range-zone.js";

/**
 * `mon report`: an aureport-style summary of one day or a range of days, in any time zone, over
 * one or several audit directories (hosts) merged. It streams every line once (in parallel on
 * large input), then attaches the verifier's integrity verdict. It returns data; the CLI renders
 * it as a table, JSON, CSV or Markdown.
 */
export interface ReportOptions {
  dirs: string[];
  /** First and last local day (YYYY-MM-DD) in `timeZone`. */
  from: string;
  to: string;
  timeZone?: string;
  tenants?: string[];
  key?: string;
  keyEnv?: string;
  /** Attach `mon verify`'s verdict (default true). */
  verify?: boolean;
  workers?: number;
  now?: Date;
  onProgress?: (stage: "reading" | "verifying", done: number, total: number) => void;
}

export interface ReportProblem {
  file: string;
  line: number;
  kind: ProblemKind;
  message: string;
}

export interface ReportFile {
  dir: string;
  name: string;
  day: string;
  compressed: boolean;
  bytes: number;
  lines: number;
  entries: number;
}

export interface ReportResult {
  v: 1;
  generatedAt: string;
  range: { from: string; to: string; timeZone: string; start: string; end: string; utcDays: string[] };
  tenants: string[];
  dirs: string[];
  files: ReportFile[];
  missing: MissingDay[];
  /** True when no entry fell in the range (after the tenant filter). */
  empty: boolean;
  /** For an empty range: whether every UTC day read is sealed by an anchor (and verified intact). */
  absence: { proven: boolean; anchoredDays: string[]; unanchoredDays: string[] } | null;
  problems: { count: number; items: ReportProblem[] };
  summary: ReportSummary;
  integrity: Integrity;
  /** Missing days, tampering, or corrupt lines: the CLI exits 1. */
  findings: boolean;
}

export async function buildReport(options: ReportOptions): Promise<ReportResult> {
  const timeZone = options.timeZone ?? "UTC";
  assertTimeZone(timeZone);
  const plan = await planReport({ dirs: options.dirs, from: options.from, to: options.to, timeZone });
  const filters = { tenant: options.tenants, since: new Date(plan.start), until: new Date(plan.end) };
  const tasks: ScanTask[] = [];
  const owner: number[] = [];
  for (const [index, file] of plan.files.entries()) {
    // An empty file, or one whose size could not be read, is opened whole: a read error is then reported.
    const ranges = file.compressed || file.bytes === 0 ? [{ start: undefined, end: undefined }] : await planRanges(file.path, file.bytes, options.workers);
    for (const range of ranges) {
      tasks.push({ path: file.path, start: range.start, end: range.end, fileStart: !range.start, fileEnd: range.end === undefined || range.end === file.bytes, filters, timeZone });
      owner.push(index);
    }
  }
  const totalBytes = plan.files.reduce((n, f) => n + f.bytes, 0);
  let doneBytes = 0;
  const taskBytes = tasks.map((t, i) => (t.end ?? (plan.files[owner[i] as number] as { bytes: number }).bytes) - (t.start ?? 0));
  options.onProgress?.("reading", 0, totalBytes);
  const results = await runScanTasks(tasks, totalBytes, {
    workers: options.workers,
    onDone: (index) => options.onProgress?.("reading", (doneBytes += taskBytes[index] ?? 0), totalBytes),
  });
  const aggregate = createAggregate();
  const files: ReportFile[] = plan.files.map((f) => ({ dir: f.dir, name: f.name, day: f.day, compressed: f.compressed, bytes: f.bytes, lines: 0, entries: 0 }));
  const problems: ReportProblem[] = [];
  let problemCount = 0;
  for (const [i, result] of results.entries()) {
    const index = owner[i] as number;
    const file = files[index] as ReportFile;
    const path = (plan.files[index] as { path: string }).path;
    // Pieces of one file arrive in order: a piece's line numbers continue where the previous ended.
    for (const p of result.problems) problems.push({ file: path, line: file.lines + p.line, kind: p.kind, message: describeProblem(path, file.lines + p.line, p.message) });
    problemCount += result.problemCount;
    file.lines += result.lines;
    file.entries += result.entries;
    mergeAggregates(aggregate, result.aggregate);
  }
  const utcFrom = plan.utcDays[0] as string;
  const utcTo = plan.utcDays[plan.utcDays.length - 1] as string;
  const integrity = await checkIntegrity({
    dirs: options.dirs, from: utcFrom, to: utcTo, key: options.key, keyEnv: options.keyEnv, verify: options.verify !== false,
    onProgress: ({ doneBytes, totalBytes: all }) => options.onProgress?.("verifying", doneBytes, all),
  });
  const summary = summarizeAggregate(aggregate, { start: plan.start, end: plan.end, timeZone });
  const empty = summary.events.total === 0;
  const anchoredDays = options.dirs.flatMap((dir) => plan.utcDays.filter((d) => plan.anchored.get(dir)?.has(d)).map((d) => `${basename(dir)}/${d}`));
  const unanchoredDays = options.dirs.flatMap((dir) => plan.utcDays.filter((d) => !plan.anchored.get(dir)?.has(d)).map((d) => `${basename(dir)}/${d}`));
  const corrupt = problems.some((p) => p.kind === "corrupt" || p.kind === "invalid" || p.kind === "unreadable");
  return {
    v: 1,
    generatedAt: (options.now ?? new Date()).toISOString(),
    range: { from: options.from, to: options.to, timeZone, start: new Date(plan.start).toISOString(), end: new Date(plan.end).toISOString(), utcDays: plan.utcDays },
    tenants: options.tenants ?? [],
    dirs: options.dirs,
    files,
    missing: plan.missing,
    empty,
    absence: empty ? { proven: unanchoredDays.length === 0 && (integrity.status === "intact" || integrity.status === "empty"), anchoredDays, unanchoredDays } : null,
    problems: { count: problemCount, items: problems },
    summary,
    integrity,
    findings: plan.missing.length > 0 || integrity.status === "tampered" || corrupt,
  };
}
