import { basename } from "node:path";
import { createAggregate } from "./aggregate.js";
import { mergeAggregates } from "./aggregate-merge.js";
import { checkIntegrity, type Integrity } from "./report-integrity.js";
import { planReport, type MissingDay, type PlannedFile } from "./report-plan.js";
import { describeProblem, type AggregatePart, type AggregateResult, type ProblemKind } from "./scan-aggregate.js";
import { plannedThreads, resolveJobs, runScan } from "./scan-pool.js";
import { splitAtLines } from "./scan-ranges.js";
import type { ScanTask } from "./scan.js";
import { summarizeAggregate, type ReportSummary } from "./report-summary.js";
import { assertTimeZone } from "./time-range-zone.js";

/**
 * `mon report`: an aureport-style summary of one day or a range of days, in any time zone, over
 * one or several audit directories (hosts) merged. It reads every byte once (in parallel on large
 * input): the scan that gives the verifier's integrity verdict aggregates the same lines. It
 * returns data; the CLI renders it as a table, JSON, CSV or Markdown.
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
  /** Threads to scan on, the calling one included (default: every core for large input). */
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
  const part = { filters: { tenant: options.tenants, since: new Date(plan.start), until: new Date(plan.end) }, timeZone };
  const totalBytes = plan.files.reduce((n, f) => n + f.bytes, 0);
  let doneBytes = 0;
  const progress = (bytes: number) => options.onProgress?.("reading", (doneBytes += bytes), totalBytes);
  options.onProgress?.("reading", 0, totalBytes);
  const utcFrom = plan.utcDays[0] as string;
  const utcTo = plan.utcDays[plan.utcDays.length - 1] as string;
  // One pass: verification aggregates every file it reads; only what it did not read (--no-verify,
  // a signed trail without its key, pruned days) is scanned for the aggregate alone.
  const { integrity, aggregated } = await checkIntegrity({
    dirs: options.dirs, from: utcFrom, to: utcTo, key: options.key, keyEnv: options.keyEnv, verify: options.verify !== false,
    aggregate: part, workers: options.workers, onBytes: progress,
  });
  const rest = plan.files.filter((f) => !aggregated.has(f.path));
  for (const [path, parts] of await aggregateFiles(rest, part, options.workers, progress)) aggregated.set(path, parts);
  const aggregate = createAggregate();
  const files: ReportFile[] = plan.files.map((f) => ({ dir: f.dir, name: f.name, day: f.day, compressed: f.compressed, bytes: f.bytes, lines: 0, entries: 0 }));
  const problems: ReportProblem[] = [];
  let problemCount = 0;
  for (const [index, planned] of plan.files.entries()) {
    const file = files[index] as ReportFile;
    // Pieces of one file come in order: a piece's line numbers continue where the previous ended.
    for (const result of aggregated.get(planned.path) ?? []) {
      for (const p of result.problems) problems.push({ file: planned.path, line: file.lines + p.line, kind: p.kind, message: describeProblem(planned.path, file.lines + p.line, p.message) });
      problemCount += result.problemCount;
      file.lines += result.lines;
      file.entries += result.entries;
      mergeAggregates(aggregate, result.aggregate);
    }
  }
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

/** Aggregates files without verifying them (whole `.gz` files, big plain ones in pieces), on the scan pool. */
async function aggregateFiles(files: PlannedFile[], part: AggregatePart, workers: number | undefined, onBytes: (bytes: number) => void): Promise<Map<string, AggregateResult[]>> {
  const tasks: ScanTask[] = [];
  const owner: string[] = [];
  const totalBytes = files.reduce((n, f) => n + f.bytes, 0);
  const threads = plannedThreads(workers, totalBytes);
  let after = totalBytes;
  for (const file of files) {
    after -= file.bytes;
    // An empty file, or one whose size could not be read, is opened whole: a read error is then reported.
    const ranges: [number, number | undefined][] = file.compressed || file.bytes === 0 ? [[0, undefined]] : await splitAtLines(file.path, file.bytes, undefined, { after, threads }).catch(() => [[0, undefined]]);
    for (const [start, end] of ranges) {
      tasks.push({ path: file.path, day: file.day, start, end, fileStart: start === 0, fileEnd: end === undefined || end === file.bytes, aggregate: part });
      owner.push(file.path);
    }
  }
  const results = await runScan(tasks, resolveJobs(workers, totalBytes, tasks.length), (_index, result) => onBytes(result.bytes));
  const byPath = new Map<string, AggregateResult[]>();
  for (const [i, result] of results.entries()) {
    const path = owner[i] as string;
    byPath.set(path, [...(byPath.get(path) ?? []), result?.aggregate as AggregateResult]);
  }
  return byPath;
}
