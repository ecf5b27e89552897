import { addDays, GENESIS_HASH } from "./chain.js";
import { ContentDigest } from "./content-digest.js";
import { CHECKPOINT_FILE, checkpointShapeProblems, computeCheckpointHash, readCheckpoint, type PruneCheckpoint } from "./checkpoint.js";
import { existsSync } from "node:fs";
import { MonwireError } from "../errors.js";
import { assertAuditDir, checkDayRange, listAnchoredDays, listDayFiles, todayUtc, type DayFile } from "./files.js";
import { readWitness } from "./witness.js";
import { checkWitness, queryPrometheusHeads } from "./witness-check.js";
import { readPlainChunks } from "./lines.js";
import { keyMissingError, findSignedStart, DEFAULT_KEY_ENV } from "./trail-key.js";
import { TrailChain } from "./trail-chain.js";
import { loadAnchor, type LoadedAnchor } from "./verify-anchor.js";
import { checkAnchorLinks } from "./verify-links.js";
import { findSigningBegan, wrongKey, wrongKeyReport } from "./verify-key.js";
import { finalizeDay, verifyDay, type DayInput } from "./verify-day.js";
import type { AggregatePart, AggregateResult } from "./scan-aggregate.js";
import { plannedThreads, resolveJobs, runScan } from "./scan-pool.js";
import { fileSize, splitAtLines } from "./scan-ranges.js";
import type { ScanTask } from "./scan.js";
import { summarizeReport } from "./verify-summary.js";
import type { SegmentResult, VerifyReport } from "./verify-types.js";

export interface VerifyOptions {
  dir: string;
  /** First and last UTC day to verify (inclusive); default: the whole trail. */
  from?: string;
  to?: string;
  /** HMAC key; required when the trail is signed. */
  key?: string;
  /** Name of the env var the key comes from, for error messages. */
  keyEnv?: string;
  /** Threads to verify on, the calling one included: a number, or `auto` (all cores for trails of 16 MB or more). */
  jobs?: number | "auto";
  /** Plain files larger than about this are verified in several segments (default 32 MiB). */
  segmentBytes?: number;
  onProgress?: (progress: { doneBytes: number; totalBytes: number }) => void;
  /** A witness of the trail's head: a file `mon seal --witness` wrote, or `prometheus=URL`. */
  witness?: string;
  /** PromQL label selector narrowing the Prometheus witness to this trail's instance, e.g. `{instance="app:5000"}`. */
  witnessSelector?: string;
  /** Also aggregate the lines for a report, in the same pass over the bytes (see verifyAndAggregate). */
  aggregate?: AggregatePart;
}

/** What verifyTrail hands back besides the report: the joined chains, and the pieces it aggregated. */
interface TrailOut {
  chain?: TrailChain;
  /** Per day file path, the aggregates of its pieces in file order (only when every piece finished). */
  aggregated?: Map<string, AggregateResult[]>;
}

interface PlannedFile {
  file: DayFile;
  tasks: number[];
  /** Digest of a file split into several segments, computed here while workers check its lines. */
  digest?: Promise<{ sha256: string; prefixSha256?: string }>;
}

/**
 * Verifies an audit directory: every day file's lines and writer chains (joined across files and
 * days), every anchor (hash, chain, and the file it sealed), the prune checkpoint, and missing
 * days. Returns the verdicts; it never prints and only throws for usage problems (bad range,
 * missing directory, a signed trail without its key).
 */
export async function verifyAuditDir(options: VerifyOptions): Promise<VerifyReport> {
  if (options.witness === undefined) return verifyTrail(options, {});
  if (options.to !== undefined) {
    throw new MonwireError("E_OPTION_INVALID", "--witness checks that the trail reaches its newest head, so it cannot be combined with --to", { hint: "Leave out --to (--from is fine), or verify the range without --witness." });
  }
  // With a witness, a directory that is gone or empty is a verdict, not a usage error.
  const missing = !existsSync(options.dir);
  const out: TrailOut = {};
  const report = missing
    ? summarizeReport({ dir: options.dir, from: options.from, to: options.to, keyed: options.key !== undefined, days: [], writers: 0, checkpoint: undefined, notes: [] })
    : await verifyTrail(options, out);
  const source = options.witness;
  const prometheus = /^prometheus=(.+)$/.exec(source)?.[1];
  const since = report.from ?? addDays(todayUtc(), -30);
  const { head, problem } = prometheus
    ? { head: { last_anchor: null, writers: await queryPrometheusHeads(prometheus, { rangeDays: daysBetween(since, todayUtc()) + 1, selector: options.witnessSelector }) }, problem: undefined }
    : await readWitness(source, options.key);
  const witness = await checkWitness({
    source, head, problem, headOf: (writer) => out.chain?.headOf(writer),
    anchorHash: async (day) => (missing ? undefined : (await loadAnchor(options.dir, day))?.anchor?.hash),
    strictWriters: prometheus === undefined || options.witnessSelector !== undefined, trailEmpty: missing || report.status === "empty",
  });
  return { ...report, witness, status: witness.status === "invalid" ? "tampered" : report.status };
}

function daysBetween(from: string, to: string): number {
  return Math.max(0, Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000));
}

/** verifyAuditDir without a witness; `out.chain` receives the joined chains for a witness to compare. */
async function verifyTrail(options: VerifyOptions, out: TrailOut): Promise<VerifyReport> {
  const { dir, key } = options;
  const keyEnv = options.keyEnv ?? DEFAULT_KEY_ENV;
  assertAuditDir(dir);
  checkDayRange({ from: options.from, to: options.to });
  const { checkpoint, problem: checkpointProblem } = await loadCheckpoint(dir);
  const pruned = checkpoint?.pruned_through;
  const allFiles = (await listDayFiles(dir)).filter((f) => pruned === undefined || f.day > pruned);
  const allAnchorDays = (await listAnchoredDays(dir)).filter((d) => pruned === undefined || d > pruned);
  const firstDay = minOf(allFiles[0]?.day, allAnchorDays[0]);
  const lastDay = maxOf(allFiles[allFiles.length - 1]?.day, allAnchorDays[allAnchorDays.length - 1]);
  if (firstDay === undefined || lastDay === undefined) return summarizeReport({ dir, from: options.from, to: options.to, keyed: key !== undefined, days: [], writers: 0, checkpoint: undefined, notes: [] });
  const from = options.from ?? firstDay;
  const to = options.to ?? lastDay;
  const fromStart = options.from === undefined || options.from <= firstDay;
  const files = allFiles.filter((f) => f.day >= from && f.day <= to);
  const anchors = new Map<string, LoadedAnchor>();
  for (const day of allAnchorDays.filter((d) => d >= addDays(from, -1) && d <= to)) {
    const loaded = await loadAnchor(dir, day);
    if (loaded) anchors.set(day, loaded);
  }
  if (key === undefined) {
    const signed = (checkpoint?.alg === "hmac-sha256" ? CHECKPOINT_FILE : undefined)
      ?? [...anchors.values()].find((a) => a.anchor?.alg === "hmac-sha256")?.name
      ?? (await findSignedStart(files));
    if (signed) throw keyMissingError(keyEnv, signed);
  }

  const tasks: ScanTask[] = [];
  const planned: PlannedFile[] = [];
  const taskBytes: number[] = [];
  // A day file that cannot even be stat'ed (a symlink loop, a dangling link) is read whole, so
  // its segment reports it as unreadable: a finding, never a crash.
  const sizes = await Promise.all(files.map((file) => fileSize(file.path).catch(() => undefined)));
  const totalBytes = sizes.reduce((n: number, size) => n + (size ?? 0), 0);
  const threads = plannedThreads(options.jobs, totalBytes);
  let after = totalBytes;
  for (const [index, file] of files.entries()) {
    const prefixBytes = anchors.get(file.day)?.anchor?.files[0]?.bytes;
    const size = sizes[index];
    after -= size ?? 0;
    const ranges = file.compressed || size === undefined ? [[0, undefined] as const] : await splitAtLines(file.path, size, options.segmentBytes, { after, threads }).catch((): [number, number][] => [[0, size]]);
    const whole = ranges.length === 1;
    // The content digest is compared with the day's anchor only (verifyDay): a day without one
    // (today, or a report before the seal) skips a second SHA-256 over every byte.
    const anchored = anchors.has(file.day);
    const entry: PlannedFile = { file, tasks: [] };
    for (const [start, end] of ranges) {
      entry.tasks.push(tasks.length);
      taskBytes.push((end ?? size ?? 0) - start);
      tasks.push({ path: file.path, day: file.day, start, end, fileStart: start === 0, fileEnd: end === undefined || end === size, verify: { key, hashFile: whole && anchored, prefixBytes }, aggregate: options.aggregate });
    }
    if (!whole && anchored && size !== undefined) entry.digest = digestFile(file.path, size, prefixBytes);
    planned.push(entry);
  }
  let doneBytes = 0;
  const scanned = await runScan(tasks, resolveJobs(options.jobs, totalBytes, tasks.length), (index) => {
    doneBytes += taskBytes[index] ?? 0;
    options.onProgress?.({ doneBytes, totalBytes });
  });
  const results = scanned.map((r) => r?.verify);
  if (options.aggregate) out.aggregated = aggregatedFiles(planned, scanned);
  const needsKey = results.find((r) => r?.keyRequired);
  if (needsKey?.keyRequired) {
    const index = results.indexOf(needsKey);
    const file = planned.find((p) => p.tasks.includes(index))?.file.name ?? "a day file";
    throw keyMissingError(keyEnv, `${file}, writer ${needsKey.keyRequired.writer}`);
  }

  const byDay = new Map(planned.map((p) => [p.file.day, p]));
  if (key !== undefined) {
    const wrong = wrongKey(key, results, anchors);
    if (wrong) return wrongKeyReport({ dir, from, to, wrong, keyEnv });
  }
  const signingBegan = key === undefined ? undefined : findSigningBegan(from, to, byDay, results);
  const chain = new TrailChain({ key, signingBegan, ...(await startingHeads(dir, { fromStart, from, checkpoint, allAnchorDays, anchors })) });
  out.chain = chain;
  if (checkpoint?.alg === "hmac-sha256") chain.noteSigned();
  const linkIssues = await checkAnchorLinks({ dir, segmentsByDay: new Map(planned.map((p) => [p.file.day, p.tasks])), results, anchors, prunedThrough: pruned });
  const sealedSpan = { first: allAnchorDays[0], last: mustBeSealedThrough(allAnchorDays, lastDay) };
  const days: DayInput[] = [];
  for (let day = from; day <= to; day = addDays(day, 1)) {
    const plan = byDay.get(day);
    const segments = plan ? plan.tasks.map((i) => results[i] as SegmentResult) : [];
    days.push({ day, file: plan?.file, segments, digest: plan?.digest ? await plan.digest : undefined, anchor: anchors.get(day), linkIssues: linkIssues.get(day) });
  }
  const verdicts = days.map((input) =>
    verifyDay(input, {
      chain, key, sealedSpan, anchors, signingBeganDay: signingBegan?.day,
      firstAnchorPrev: checkpoint?.last_anchor?.hash ?? GENESIS_HASH,
      firstAnchorPrevName: checkpoint?.last_anchor ? `the last pruned anchor (${checkpoint.last_anchor.day})` : "the genesis hash (this is the first anchor)",
    }),
  );
  chain.finish();
  const finalVerdicts = verdicts.map(finalizeDay);
  const checkpointVerdict = checkpoint || checkpointProblem ? verifyCheckpoint(checkpoint, checkpointProblem, key, chain.signedSeen) : undefined;
  const notes = chain.signedSeen ? [] : ["the trail is not signed with a key: the chain shows edits, but someone able to rewrite the files could recompute it (set the key named by audit.keyEnv)"];
  return summarizeReport({ dir, from, to, keyed: key !== undefined, days: finalVerdicts, writers: chain.writers.size, checkpoint: checkpointVerdict, notes });
}

/**
 * verifyAuditDir that also aggregates every day file it reads for a report, in the same pass: the
 * verdict is the same as verifyAuditDir's, and `aggregated` holds, per day file, the aggregates of
 * its pieces in file order. A file missing from it was not read whole (the run stopped early).
 */
export async function verifyAndAggregate(options: VerifyOptions & { aggregate: AggregatePart }): Promise<{ report: VerifyReport; aggregated: Map<string, AggregateResult[]> }> {
  const out: TrailOut = {};
  const report = await verifyTrail({ ...options, witness: undefined }, out);
  return { report, aggregated: out.aggregated ?? new Map() };
}

function aggregatedFiles(planned: PlannedFile[], scanned: ({ aggregate?: AggregateResult } | undefined)[]): Map<string, AggregateResult[]> {
  const byPath = new Map<string, AggregateResult[]>();
  for (const plan of planned) {
    const parts = plan.tasks.map((i) => scanned[i]?.aggregate);
    if (parts.every((p) => p !== undefined)) byPath.set(plan.file.path, parts as AggregateResult[]);
  }
  return byPath;
}

/**
 * The newest day that must have an anchor: the newest anchored day, or, once the trail has any
 * anchor, every day two or more days before the newest day with a file or an anchor. Writers seal
 * a closed day at their first write after midnight plus the grace, so a day followed by two more
 * days of trail was sealed unless its anchor was deleted (or sealing failed: run mon seal).
 */
function mustBeSealedThrough(anchorDays: string[], lastDay: string): string | undefined {
  const newest = anchorDays[anchorDays.length - 1];
  if (newest === undefined) return undefined;
  const implied = addDays(lastDay, -2);
  return implied > newest ? implied : newest;
}

async function loadCheckpoint(dir: string): Promise<{ checkpoint?: PruneCheckpoint; problem?: string }> {
  try {
    const checkpoint = await readCheckpoint(dir);
    const problems = checkpoint ? checkpointShapeProblems(checkpoint) : [];
    return problems.length > 0 ? { problem: problems.join("; ") } : { checkpoint };
  } catch (error) {
    return { problem: `not valid JSON (${(error as Error).message})` };
  }
}

function verifyCheckpoint(checkpoint: PruneCheckpoint | undefined, problem: string | undefined, key: string | undefined, signedSeen: boolean): VerifyReport["checkpoint"] {
  if (!checkpoint) return { status: "invalid", verdict: `INVALID: ${CHECKPOINT_FILE} is unreadable: ${problem}`, prunedThrough: "" };
  const prunedThrough = checkpoint.pruned_through;
  if (computeCheckpointHash(checkpoint, key) !== checkpoint.hash) return { status: "invalid", verdict: "INVALID: checkpoint hash mismatch: the prune checkpoint was edited", prunedThrough };
  if (key !== undefined && checkpoint.alg === "sha256" && signedSeen) return { status: "invalid", verdict: "INVALID: the prune checkpoint is not signed with the key although the trail is", prunedThrough };
  return { status: "valid", verdict: `valid (days through ${prunedThrough} pruned)`, prunedThrough };
}

/**
 * Where each writer's chain stood before the first verified day. From the trail's start, that is
 * the prune checkpoint. From a later --from day it is the newest head in the anchors before it —
 * usable only when the day before --from is sealed; otherwise chains are picked up as found.
 */
async function startingHeads(dir: string, context: { fromStart: boolean; from: string; checkpoint?: PruneCheckpoint; allAnchorDays: string[]; anchors: Map<string, LoadedAnchor> }) {
  const seeds = new Map<string, { writer: string; seq: number; hash: string }>();
  for (const w of context.checkpoint?.writers ?? []) seeds.set(w.writer, { writer: w.writer, seq: w.last_seq, hash: w.last_hash });
  if (context.fromStart) return { strict: true, seeds: seeds.values() };
  if (!context.anchors.get(addDays(context.from, -1))?.anchor) return { strict: false, seeds: [] };
  for (const day of context.allAnchorDays.filter((d) => d < context.from)) {
    const anchor = context.anchors.get(day)?.anchor ?? (await loadAnchor(dir, day))?.anchor;
    for (const w of anchor?.writers ?? []) seeds.set(w.writer, { writer: w.writer, seq: w.last_seq, hash: w.last_hash });
  }
  return { strict: true, seeds: seeds.values() };
}

/** SHA-256 of a whole file (and of its first `prefixBytes`), for files verified in several segments. */
async function digestFile(path: string, size: number, prefixBytes: number | undefined): Promise<{ sha256: string; prefixSha256?: string }> {
  const digest = new ContentDigest(prefixBytes);
  for await (const chunk of readPlainChunks(path, { start: 0, end: size })) digest.update(chunk);
  return digest.result();
}

function minOf(a: string | undefined, b: string | undefined): string | undefined {
  return a === undefined ? b : b === undefined || a < b ? a : b;
}

function maxOf(a: string | undefined, b: string | undefined): string | undefined {
  return a === undefined ? b : b === undefined || a > b ? a : b;
}
