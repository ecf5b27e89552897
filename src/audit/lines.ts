import { isAscii } from "node:buffer";
import { closeSync, constants, createReadStream, fstatSync, openSync, readSync } from "node:fs";
import { open, type FileHandle } from "node:fs/promises";
import { pipeline } from "node:stream";
import { createGunzip } from "node:zlib";

/**
 * Writers cap an entry far below this; anything longer is kept only up to here so that one
 * corrupt, newline-free file cannot make a reader hold gigabytes. The cut line fails to parse
 * and is reported like any other corrupt line.
 */
export const MAX_LINE_BYTES = 1 << 20;
const NEWLINE = 0x0a;
/**
 * Bytes decoded at once by forEachInText: below V8's large-object size, so a window's string is
 * born in (and dies in) the young generation; ~90 bench lines a window.
 */
const TEXT_WINDOW = 64 * 1024;
const CR = 0x0d;

/**
 * Splits a byte stream into lines on `\n`. Splitting happens on bytes, before decoding, so a
 * multi-byte character cut by a chunk boundary is never damaged (UTF-8 never uses 0x0A inside a
 * character). Returned lines exclude the `\n` and may be views into the pushed chunk. The bytes
 * of an unfinished line are copied, so the caller may overwrite its chunk once push() or
 * forEach() has returned (readPlainChunks does).
 */
export class LineSplitter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Length of the unfinished line, including the bytes beyond MAX_LINE_BYTES that were not kept. */
  private pendingLength = 0;

  /** The complete lines that `chunk` finishes, in order. */
  push(chunk: Buffer): Buffer[] {
    const lines: Buffer[] = [];
    this.forEach(chunk, (line) => lines.push(line));
    return lines;
  }

  /**
   * Hands each complete line that `chunk` finishes to `onLine`, in order, with the line's real
   * length (larger than `line.length` when the line was longer than MAX_LINE_BYTES and only its
   * start was kept) and its text, decoded once for every consumer of the line (verify's checker
   * and the report's counters share it). Each line is decoded on its own, not sliced out of a
   * decoded chunk: a slice would keep the whole chunk's string alive for as long as anything
   * taken from the line (a map key, a listed event, a writer id) is kept. No line outlives its
   * call unless `onLine` keeps it; every byte is looked at once, so time is linear however long
   * a line is.
   */
  forEach(chunk: Buffer, onLine: (line: Buffer, length: number, text: string) => void): void {
    let start = this.finishPending(chunk, onLine);
    if (start === -1) return;
    start = this.eachLine(chunk, start, chunk.length, onLine);
    if (start < chunk.length) this.keep(chunk.subarray(start));
  }

  /**
   * Completes the unfinished line with `chunk`'s first line and hands it on; returns where the
   * chunk's next line starts (0 when nothing was pending), or -1 when the chunk holds no "\n"
   * (then all of it is kept).
   */
  private finishPending(chunk: Buffer, onLine: (line: Buffer, length: number, text: string) => void): number {
    const nl = chunk.indexOf(NEWLINE);
    if (nl === -1) {
      this.keep(chunk);
      return -1;
    }
    if (this.pendingLength === 0) return 0;
    this.keep(chunk.subarray(0, nl));
    const length = this.pendingLength;
    const line = this.take();
    onLine(line, length, line.toString());
    return nl + 1;
  }

  /** Hands on each line from `start` whose "\n" is at or before `last`, each decoded on its own; returns where the next line starts. */
  private eachLine(chunk: Buffer, start: number, last: number, onLine: (line: Buffer, length: number, text: string) => void): number {
    for (let nl = chunk.indexOf(NEWLINE, start); nl !== -1 && nl <= last; nl = chunk.indexOf(NEWLINE, start)) {
      const line = chunk.subarray(start, nl - start > MAX_LINE_BYTES ? start + MAX_LINE_BYTES : nl);
      // toString() without arguments is Node's shortest path to utf8Slice (no encoding lookup).
      onLine(line, nl - start, line.toString());
      start = nl + 1;
    }
    return start;
  }

  /**
   * forEach for a consumer that can read a line inside a longer text: an ASCII stretch of the
   * chunk is decoded once per window of up to TEXT_WINDOW bytes (latin1, a plain copy), and each
   * of its lines goes to `inText(text, from, to, chunk, offset)`: the line is text[from, to),
   * its bytes chunk[offset + from, offset + to), and text[to] is its "\n". Windows stay small
   * enough to die young, so a consumer keeping a slice of one (which keeps the whole window)
   * keeps little. Lines that are not ASCII, that continue a previous chunk or that are longer
   * than a window go to `onLine` exactly as forEach would hand them over. `windowEnd` runs after
   * each window's last line, before the window can die (a consumer copies what it keeps then).
   */
  forEachInText(
    chunk: Buffer,
    inText: (text: string, from: number, to: number, chunk: Buffer, offset: number) => void,
    onLine: (line: Buffer, length: number, text: string) => void,
    windowEnd?: () => void,
  ): void {
    let start = this.finishPending(chunk, onLine);
    if (start === -1) return;
    while (start < chunk.length) {
      const last = chunk.lastIndexOf(NEWLINE, Math.min(chunk.length, start + TEXT_WINDOW) - 1);
      if (last < start || !isAscii(chunk.subarray(start, last + 1))) {
        // No line ends in the window (the next line alone), or it is not ASCII (its lines): as forEach.
        const end = last < start ? chunk.indexOf(NEWLINE, start) : last;
        if (end === -1) break;
        start = this.eachLine(chunk, start, end, onLine);
        continue;
      }
      const text = chunk.toString("latin1", start, last + 1);
      for (let from = 0, nl = text.indexOf("\n"); nl !== -1; from = nl + 1, nl = text.indexOf("\n", from)) inText(text, from, nl, chunk, start);
      windowEnd?.();
      start = last + 1;
    }
    if (start < chunk.length) this.keep(chunk.subarray(start));
  }

  /** Real length of the unfinished line so far (what end() would return, before the cap). */
  get unfinishedLength(): number {
    return this.pendingLength;
  }

  /** The bytes after the last `\n` (an unterminated final line, cut at MAX_LINE_BYTES), if any. */
  end(): Buffer | undefined {
    return this.pendingLength > 0 ? this.take() : undefined;
  }

  private keep(part: Buffer): void {
    this.pendingLength += part.length;
    const room = MAX_LINE_BYTES - this.pendingBytes;
    if (room <= 0) return;
    const kept = Buffer.from(part.length > room ? part.subarray(0, room) : part);
    this.pending.push(kept);
    this.pendingBytes += kept.length;
  }

  private take(): Buffer {
    const line = this.pending.length === 1 ? (this.pending[0] as Buffer) : Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    this.pendingLength = 0;
    return line;
  }
}

/** Byte window of a plain file; `end` is exclusive. Compressed files are always read whole. */
export interface ByteRange {
  start?: number;
  end?: number;
}

/** The (uncompressed) content of a day file as a stream of chunks. */
export function openDayStream(path: string, range: ByteRange = {}): AsyncIterable<Buffer> {
  const compressed = path.endsWith(".gz");
  if (compressed && (range.start !== undefined || range.end !== undefined)) {
    throw new RangeError(`byte ranges are not supported for compressed file ${path}`);
  }
  const options = { highWaterMark: 1024 * 1024, start: range.start, end: range.end === undefined ? undefined : range.end - 1 };
  if (range.end !== undefined && range.end <= (range.start ?? 0)) return (async function* () {})();
  const stream = createReadStream(path, options);
  if (!compressed) return stream;
  // pipeline() forwards a read error to the gunzip stream, so iterating it rejects instead of crashing.
  return pipeline(stream, createGunzip({ chunkSize: 256 * 1024 }), () => undefined);
}

/**
 * The bytes [start, end) of a plain file, read into one buffer that is reused: each chunk is a view
 * that stays valid only until the next one is requested. A fresh buffer per read, as a read stream
 * allocates, stays in memory until V8 next collects garbage, which external memory alone triggers
 * only every ~64 MB: `mon verify` on the main thread held 70 MB of read buffers that way.
 */
export async function* readPlainChunks(path: string, range: { start: number; end: number }, chunkBytes = 1024 * 1024): AsyncGenerator<Buffer> {
  const handle = await open(path, "r");
  try {
    yield* readHandleChunks(handle, range, chunkBytes);
  } finally {
    await handle.close();
  }
}

/**
 * readPlainChunks with blocking reads, for the scan engine: a scan thread has nothing else to do
 * while it waits, and a read of the page cache takes a fraction of a chunk's processing time,
 * whereas each asynchronous read leaves the thread idle for a thread-pool round trip (more so
 * when every core is busy scanning). Same contract: one reused buffer, each chunk valid until
 * the next is requested; errors are thrown from the iteration. Only a regular file is read: a
 * FIFO or device planted under a day file's name would block the thread (signals included), so
 * it is opened without blocking and refused.
 */
export function* readPlainChunksSync(path: string, range: { start: number; end: number }, chunkBytes = 1024 * 1024): Generator<Buffer> {
  const fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  try {
    if (!fstatSync(fd).isFile()) throw new Error("not a regular file (a FIFO or device in place of a day file)");
    const buffer = Buffer.allocUnsafe(chunkBytes);
    for (let position = range.start; position < range.end; ) {
      const bytesRead = readSync(fd, buffer, 0, Math.min(chunkBytes, range.end - position), position);
      if (bytesRead === 0) return;
      position += bytesRead;
      yield buffer.subarray(0, bytesRead);
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * readPlainChunks through a descriptor the caller holds (and closes): the runtime writer reads a
 * day file that was deleted or replaced at its path through the descriptor it still has open.
 */
export async function* readHandleChunks(handle: FileHandle, range: { start: number; end: number }, chunkBytes = 1024 * 1024): AsyncGenerator<Buffer> {
  const buffer = Buffer.allocUnsafe(chunkBytes);
  for (let position = range.start; position < range.end; ) {
    const { bytesRead } = await handle.read(buffer, 0, Math.min(chunkBytes, range.end - position), position);
    if (bytesRead === 0) return;
    position += bytesRead;
    yield buffer.subarray(0, bytesRead);
  }
}

/**
 * Hands every line of a chunk stream to `onLine` through one LineSplitter, the unterminated final
 * line included (with `terminated` false), and returns how many lines there were.
 */
export async function forEachLine(chunks: AsyncIterable<Buffer>, onLine: (line: Buffer, length: number, text: string, terminated: boolean) => void): Promise<number> {
  const splitter = new LineSplitter();
  let count = 0;
  const terminated = (line: Buffer, length: number, text: string) => {
    count += 1;
    onLine(line, length, text, true);
  };
  for await (const chunk of chunks) splitter.forEach(chunk, terminated);
  const length = splitter.unfinishedLength;
  const rest = splitter.end();
  if (rest) {
    count += 1;
    onLine(rest, length, rest.toString(), false);
  }
  return count;
}

/** Removes a trailing CR (a file re-saved with CRLF line endings); returns the line unchanged otherwise. */
export function stripCarriageReturn(line: Buffer): Buffer {
  return line.length > 0 && line[line.length - 1] === CR ? line.subarray(0, line.length - 1) : line;
}

/** Whether the buffer starts with a UTF-8 byte-order mark (an editor re-saved the file). */
export function hasByteOrderMark(line: Buffer): boolean {
  return line.length >= 3 && line[0] === 0xef && line[1] === 0xbb && line[2] === 0xbf;
}
