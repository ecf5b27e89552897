import { ChainChecker } from "./chain-checker.js";
import { ContentDigest } from "./content-digest.js";
import { LineSplitter, openDayStream, readPlainChunksSync } from "./lines.js";
import type { AggregatePart, AggregateResult } from "./scan-aggregate.js";
import { lineFeed } from "./scan-feed.js";
import type { SegmentResult } from "./verify-types.js";

/**
 * The one scan engine behind `mon verify`, `mon report` and their worker threads: it reads one
 * piece of a day file (a whole file, or a byte range of a big plain one that starts and ends at
 * line boundaries), splits it into lines once, and hands every line to the chain checker (verify),
 * to the report's aggregator, or to both, so a report that carries the integrity verdict reads
 * each byte once. It only reads, and returns plain data (it runs on a worker or inline).
 */
export interface ScanTask {
  path: string;
  /** UTC day of the file (from its name). */
  day: string;
  start: number;
  /** Exclusive end offset; undefined reads to the end of the file (always so for `.gz`). */
  end: number | undefined;
  fileStart: boolean;
  /** Whether this piece ends the file, so an unterminated last line is a torn final line. */
  fileEnd: boolean;
  /** Check the lines and writer chains (what `mon verify` does). */
  verify?: VerifyPart;
  /** Aggregate the entries (what `mon report` does). */
  aggregate?: AggregatePart;
}

export interface VerifyPart {
  key: string | undefined;
  /** Digest the whole (uncompressed) content: only for a task covering the full file. */
  hashFile: boolean;
  /** Also digest the first `prefixBytes` bytes (to tell an append from an edit against the anchor). */
  prefixBytes?: number;
}

export interface ScanResult {
  /** Bytes read. */
  bytes: number;
  verify?: SegmentResult;
  /** Absent when the scan stopped early (a signed writer and no key: nothing after it can be checked). */
  aggregate?: AggregateResult;
}

/** Read size: one reused buffer that stays in the CPU caches (4 MiB measured a few per cent slower). */
const CHUNK_BYTES = 1024 * 1024;

export async function scanPiece(task: ScanTask): Promise<ScanResult> {
  const checker = task.verify ? new ChainChecker({ key: task.verify.key, fileStart: task.fileStart, day: task.day }) : undefined;
  const digest = task.verify?.hashFile ? new ContentDigest(task.verify.prefixBytes) : undefined;
  // Loaded only for a report: a verify worker then boots without the aggregator's dozen modules.
  const aggregator = task.aggregate ? new (await import("./scan-aggregate.js")).LineAggregator(task.aggregate, task.fileStart) : undefined;
  const splitter = new LineSplitter();
  const feed = lineFeed(checker, aggregator);
  let bytes = 0;
  try {
    for await (const chunk of pieceChunks(task)) {
      digest?.update(chunk);
      bytes += chunk.length;
      if (feed.inText) splitter.forEachInText(chunk, feed.inText, feed.onLine, feed.windowEnd);
      else splitter.forEach(chunk, feed.onLine);
      if (checker?.keyRequired) return { bytes, verify: { ...checker.result(), bytes } };
      // Reads block (see pieceChunks): let the event loop run between chunks, or the calling
      // thread would answer its workers (their next piece) and signals only after its own piece.
      await new Promise(setImmediate);
    }
  } catch (error) {
    const where = checker?.lines ? `cannot read the file after line ${checker.lines}` : "cannot read the file";
    checker?.report("tamper", "unreadable", `${where}: ${(error as Error).message}`, { line: checker.lines + 1 });
    aggregator?.problem("unreadable", `cannot read (${(error as Error).message})`);
    return { bytes, verify: checker ? { ...checker.result(), bytes } : undefined, aggregate: aggregator?.result };
  }
  const restLength = splitter.unfinishedLength;
  const rest = splitter.end();
  if (rest) {
    // A piece that stops mid-file always ends at a line boundary; only the file's end can be torn.
    const text = rest.toString();
    checker?.line(rest, !task.fileEnd, restLength, text);
    if (checker?.keyRequired) return { bytes, verify: { ...checker.result(), bytes } };
    aggregator?.line(text, !task.fileEnd, restLength, undefined, rest);
  }
  return { bytes, verify: checker ? { ...checker.result(), bytes, ...digest?.result() } : undefined, aggregate: aggregator?.result };
}

/** A piece's bytes: a compressed file whole, through gunzip; a plain range into one reused buffer (blocking reads: see readPlainChunksSync). */
function pieceChunks(task: ScanTask): AsyncIterable<Buffer> | Iterable<Buffer> {
  if (task.path.endsWith(".gz")) return openDayStream(task.path);
  return readPlainChunksSync(task.path, { start: task.start, end: task.end ?? Number.MAX_SAFE_INTEGER }, CHUNK_BYTES);
}
