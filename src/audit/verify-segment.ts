import { open, stat } from "node:fs/promises";
import { ChainChecker } from "./chain-checker.js";
import { ContentDigest } from "./content-digest.js";
import { LineSplitter, MAX_LINE_BYTES, openDayStream, readPlainChunks } from "./lines.js";
import type { SegmentResult, SegmentTask } from "./verify-types.js";

/**
 * Verifies one segment (a whole day file, or a byte range of a big plain one) and digests its
 * bytes. Runs in a worker thread or inline; it only reads, and returns plain data.
 */
export async function verifySegment(task: SegmentTask): Promise<SegmentResult> {
  const checker = new ChainChecker({ key: task.key, fileStart: task.fileStart, day: task.day });
  const splitter = new LineSplitter();
  const digest = task.hashFile ? new ContentDigest(task.prefixBytes) : undefined;
  const check = (line: Buffer) => {
    checker.line(line);
  };
  let bytes = 0;
  try {
    for await (const chunk of segmentChunks(task)) {
      digest?.update(chunk);
      bytes += chunk.length;
      splitter.forEach(chunk, check);
      if (checker.keyRequired) break;
    }
  } catch (error) {
    const where = checker.lines === 0 ? "cannot read the file" : `cannot read the file after line ${checker.lines}`;
    checker.report("tamper", "unreadable", `${where}: ${(error as Error).message}`, { line: checker.lines + 1 });
    return { ...checker.result(), bytes };
  }
  const restLength = splitter.unfinishedLength;
  const rest = splitter.end();
  if (rest && !checker.keyRequired) checker.line(rest, !task.fileEnd, restLength);
  return { ...checker.result(), bytes, ...digest?.result() };
}

/** A segment's bytes: a compressed file whole, through gunzip; a plain range into one reused buffer. */
function segmentChunks(task: SegmentTask): AsyncIterable<Buffer> {
  if (task.path.endsWith(".gz")) return openDayStream(task.path);
  return readPlainChunks(task.path, { start: task.start, end: task.end ?? Number.MAX_SAFE_INTEGER });
}

/** Big plain files are cut into segments of about this size, at line boundaries. */
export const SEGMENT_BYTES = 32 * 1024 * 1024;

/** Splits a plain file into byte ranges that start right after a "\n", so no line is cut. */
export async function splitAtLines(path: string, size: number, target = SEGMENT_BYTES): Promise<[number, number][]> {
  if (size <= target * 1.5) return [[0, size]];
  const ranges: [number, number][] = [];
  const handle = await open(path, "r");
  try {
    const window = Buffer.allocUnsafe(64 * 1024);
    let start = 0;
    for (let guess = target; guess < size - target / 2; guess = Math.max(guess + target, start + target)) {
      const boundary = await nextLineStart(handle, window, guess, size);
      if (boundary === undefined || boundary >= size) break;
      if (boundary > start) ranges.push([start, boundary]);
      start = boundary;
    }
    ranges.push([start, size]);
  } finally {
    await handle.close();
  }
  return ranges;
}

async function nextLineStart(handle: Awaited<ReturnType<typeof open>>, window: Buffer, from: number, size: number): Promise<number | undefined> {
  for (let at = from; at < size && at < from + MAX_LINE_BYTES; at += window.length) {
    const { bytesRead } = await handle.read(window, 0, window.length, at);
    const nl = window.subarray(0, bytesRead).indexOf(0x0a);
    if (nl !== -1) return at + nl + 1;
    if (bytesRead === 0) break;
  }
  return undefined;
}

/** Size of a plain file now; verification reads only up to here, so appends during a run are left out. */
export async function fileSize(path: string): Promise<number> {
  return (await stat(path)).size;
}
