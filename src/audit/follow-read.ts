import { open } from "node:fs/promises";
import { LineSplitter, MAX_LINE_BYTES } from "./lines.js";

/**
 * Byte-level line reading for the follower and for history: complete lines only (a line is
 * complete once its `\n` is on disk), split on bytes so a multi-byte character is never cut, and
 * each line kept as the exact bytes on disk so `--json` output is byte-identical.
 */
export interface RawLine {
  /** The line's bytes without the trailing newline. */
  bytes: Buffer;
  /** Byte offset of the line's first byte in the file. */
  offset: number;
  /** The line's real length when it is longer than MAX_LINE_BYTES: `bytes` then holds at most its start. */
  length?: number;
}

export const READ_CHUNK = 1 << 20;
const NEWLINE = 0x0a;
const EMPTY = Buffer.alloc(0);

/**
 * Splits complete lines out of `buffer` (which starts at file offset `base`) with the scan
 * engine's LineSplitter; returns them and the bytes consumed (up to the last newline).
 */
export function splitLines(buffer: Buffer, base: number): { lines: RawLine[]; consumed: number } {
  const lines: RawLine[] = [];
  let offset = base;
  // Empty lines are kept so that line numbers stay exact; readers skip them.
  new LineSplitter().forEach(buffer, (bytes, length) => {
    lines.push(length > bytes.length ? { bytes, offset, length } : { bytes, offset });
    offset += length + 1;
  });
  return { lines, consumed: offset - base };
}

/**
 * Yields complete lines of a plain file from its end backwards (newest first), starting before
 * `end`. Used for `-n N` history so a 400 MB day file costs a few reads, not a full scan. A line
 * spanning windows is collected as a list of pieces and joined once, and only while it stays
 * within MAX_LINE_BYTES: a longer one is yielded with its `length` and no bytes (it cannot be an
 * entry), so time stays linear and memory bounded however long a line is.
 */
export async function* readLinesBackward(path: string, end: number, chunk = 64 * 1024): AsyncGenerator<RawLine> {
  const handle = await open(path, "r");
  try {
    let position = end;
    // The line the previous windows ended in (with its "\n"), newest piece first.
    let pieces: Buffer[] = [];
    let carried = 0;
    const carry = (part: Buffer) => {
      carried += part.length;
      if (carried <= MAX_LINE_BYTES + 1) pieces.push(part);
      else pieces = [];
    };
    while (position > 0) {
      const length = Math.min(chunk, position);
      position -= length;
      const buffer = Buffer.allocUnsafe(length);
      const { bytesRead } = await handle.read(buffer, 0, length, position);
      const window = buffer.subarray(0, bytesRead);
      const firstNewline = position > 0 ? window.indexOf(NEWLINE) : -1;
      if (position > 0 && firstNewline === -1) {
        carry(window);
        continue;
      }
      const start = firstNewline + 1;
      const body = window.subarray(start);
      const lastNewline = body.lastIndexOf(NEWLINE);
      if (carried > 0) {
        // The newest line: this window's tail joined with what was carried, minus its "\n".
        const head = body.subarray(lastNewline + 1);
        const offset = position + start + lastNewline + 1;
        const lineLength = head.length + carried - 1;
        if (lineLength > MAX_LINE_BYTES) yield { bytes: EMPTY, offset, length: lineLength };
        else yield { bytes: Buffer.concat([head, ...pieces.reverse()], lineLength + 1).subarray(0, lineLength), offset };
      }
      const lines = splitLines(body.subarray(0, lastNewline + 1), position + start).lines;
      for (let i = lines.length - 1; i >= 0; i--) yield lines[i] as RawLine;
      pieces = [];
      carried = 0;
      if (position > 0) carry(window.subarray(0, start));
    }
  } finally {
    await handle.close();
  }
}

/** Number of newlines in [0, end) of a plain file: the 1-based line starting at `end` is this plus one. */
export async function countLinesBefore(path: string, end: number): Promise<number> {
  if (end <= 0) return 0;
  const handle = await open(path, "r");
  try {
    const buffer = Buffer.allocUnsafe(READ_CHUNK);
    let count = 0;
    for (let position = 0; position < end; ) {
      const { bytesRead } = await handle.read(buffer, 0, Math.min(buffer.length, end - position), position);
      if (bytesRead === 0) break;
      for (let i = buffer.indexOf(NEWLINE); i !== -1 && i < bytesRead; i = buffer.indexOf(NEWLINE, i + 1)) count += 1;
      position += bytesRead;
    }
    return count;
  } finally {
    await handle.close();
  }
}

/** The offset just after the last newline before `size`: where complete content ends. */
export async function lastLineEnd(path: string, size: number): Promise<number> {
  if (size === 0) return 0;
  const handle = await open(path, "r");
  try {
    let position = size;
    while (position > 0) {
      const length = Math.min(64 * 1024, position);
      position -= length;
      const buffer = Buffer.allocUnsafe(length);
      await handle.read(buffer, 0, length, position);
      const index = buffer.lastIndexOf(NEWLINE);
      if (index !== -1) return position + index + 1;
    }
    return 0;
  } finally {
    await handle.close();
  }
}
