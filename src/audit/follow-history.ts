import { stat } from "node:fs/promises";
import { utcDay } from "./chain.js";
import type { AuditEntry } from "./entry.js";
import { listDayFiles, type DayFile } from "./files.js";
import { lastLineEnd, readLinesBackward } from "./follow-read.js";
import { readAuditFile } from "./reader.js";
import { parseAuditLine } from "./parse-line.js";

/**
 * Where `mon tail` starts reading, so that history and following are ONE forward pass (the same
 * filters, the same chain check, nothing shown twice or skipped). History is found by scanning
 * backwards from the end of the newest files for the last N matching entries; with --since and
 * no -n, it starts at the first file of that day.
 */
export interface HistoryPlan {
  /** Older files read forward once (not followed), from a byte offset (plain) or a line number (.gz). */
  replay: Array<{ file: DayFile; start: HistoryStart }>;
  /** Byte offsets at which the follower starts in the files it follows. */
  followStart: Map<string, number>;
}

/** Plain files are entered at a line's byte offset; a gzip stream only from its start, skipping lines. */
export type HistoryStart = { offset: number; line?: undefined } | { line: number; offset?: undefined };

export interface HistoryOptions {
  dir: string;
  /** Matching entries to show first; undefined shows everything since `since`. */
  count: number | undefined;
  since: Date | undefined;
  until: Date | undefined;
  /** Whether a line is shown (filters and --grep). */
  matches: (entry: AuditEntry, bytes: Buffer) => boolean;
}

/** Files the follower watches: the two newest plain day files (see follow.ts). */
export const FOLLOWED_FILES = 2;

export async function planHistory(options: HistoryOptions): Promise<HistoryPlan> {
  const all = await listDayFiles(options.dir, {
    from: options.since ? utcDay(options.since) : undefined,
    to: options.until ? utcDay(options.until.getTime() - 1) : undefined,
  });
  const everyPlain = (await listDayFiles(options.dir)).filter((f) => !f.compressed);
  const followed = everyPlain.slice(-FOLLOWED_FILES);
  const followStart = new Map<string, number>();
  // By default the follower starts at the end of what is on disk now.
  // A file that cannot be read starts at 0: the follower then reports it (once) instead of crashing here.
  for (const file of followed) followStart.set(file.name, await stat(file.path).then((info) => lastLineEnd(file.path, info.size)).catch(() => 0));
  // Without --since, history is the last N entries of the followed files only: `tail -n` never scans years.
  const candidates = options.since ? all : all.filter((f) => followed.some((g) => g.name === f.name));
  const starts = new Map<string, HistoryStart>();
  let wanted = options.count;
  for (let i = candidates.length - 1; i >= 0 && (wanted === undefined || wanted > 0); i--) {
    const file = candidates[i] as DayFile;
    if (wanted === undefined) {
      starts.set(file.name, { offset: 0 });
      continue;
    }
    const found = file.compressed
      ? await lastMatchesForward(file, wanted, options)
      : await lastMatchesBackward(file, followStart.get(file.name), wanted, options).catch(() => UNREADABLE);
    // Replayed from its start, an unreadable file is named by the forward pass.
    if (found === UNREADABLE && !followStart.has(file.name)) starts.set(file.name, { offset: 0 });
    if (found.count > 0) starts.set(file.name, found.start);
    wanted -= found.count;
  }
  const replay: HistoryPlan["replay"] = [];
  for (const file of candidates) {
    const start = starts.get(file.name);
    if (start === undefined) continue;
    if (followStart.has(file.name)) followStart.set(file.name, start.offset ?? 0);
    else replay.push({ file, start });
  }
  // A followed file older than where history starts is only followed from its end (set above);
  // one newer than the history start is shown from its beginning.
  const first = candidates.find((f) => starts.has(f.name));
  if (first) for (const file of followed) if (file.day > first.day && !starts.has(file.name)) followStart.set(file.name, 0);
  return { replay, followStart };
}

function isShown(bytes: Buffer, options: HistoryOptions): boolean {
  const parsed = parseAuditLine(bytes.toString("utf8"), { validate: false });
  return parsed.kind === "entry" && options.matches(parsed.entry, bytes);
}

const UNREADABLE = { count: 0, start: { offset: 0 } };

async function lastMatchesBackward(file: DayFile, followEnd: number | undefined, wanted: number, options: HistoryOptions): Promise<{ count: number; start: HistoryStart }> {
  const end = followEnd ?? (await stat(file.path)).size;
  let count = 0;
  let offset = end;
  for await (const line of readLinesBackward(file.path, end)) {
    if (!isShown(line.bytes, options)) continue;
    count += 1;
    offset = line.offset;
    if (count >= wanted) break;
  }
  return { count, start: { offset } };
}

/** A .gz file cannot be read backwards: count its matches forward, keeping the offsets of the last `wanted`. */
async function lastMatchesForward(file: DayFile, wanted: number, options: HistoryOptions): Promise<{ count: number; start: HistoryStart }> {
  const lines: number[] = [];
  for await (const record of readAuditFile(file.path)) {
    if (record.kind !== "entry" || !options.matches(record.entry, Buffer.from(record.raw))) continue;
    lines.push(record.line);
    if (lines.length > wanted) lines.shift();
  }
  return { count: lines.length, start: { line: lines[0] ?? 1 } };
}
