import { open, type FileHandle } from "node:fs/promises";

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
}

export const READ_CHUNK = 1 << 20;
const NEWLINE = 0x0a;

/** Splits complete lines out of `buffer` (which starts at file offset `base`); returns them and the bytes consumed. */
export function splitLines(buffer: Buffer, base: number): { lines: RawLine[]; consumed: number } {
  const lines: RawLine[] = [];
  let start = 0;
  for (let i = buffer.indexOf(NEWLINE); i !== -1; i = buffer.indexOf(NEWLINE, start)) {
    // Empty lines are kept so that line numbers stay exact; readers skip them.
    lines.push({ bytes: buffer.subarray(start, i), offset: base + start });
    start = i + 1;
  }
  return { lines, consumed: start };
}

/**
 * Reads the complete lines in [start, end) of an open file, at most `READ_CHUNK` bytes per call
 * (plus the rest of a line longer than that). `next` is where the following read continues:
 * just after the last newline read, so a partial last line is read again once it is finished.
 */
export async function readLinesAt(handle: FileHandle, start: number, end: number): Promise<{ lines: RawLine[]; next: number }> {
  let length = Math.min(READ_CHUNK, end - start);
  for (;;) {
    if (length <= 0) return { lines: [], next: start };
    const buffer = Buffer.allocUnsafe(length);
    const { bytesRead } = await handle.read(buffer, 0, length, start);
    const { lines, consumed } = splitLines(buffer.subarray(0, bytesRead), start);
    if (consumed > 0 || start + bytesRead >= end) return { lines, next: start + consumed };
    // One line longer than the chunk: read a bigger window rather than stall on it.
    length = Math.min(length * 2, end - start);
  }
}

/**
 * Yields complete lines of a plain file from its end backwards (newest first), starting before
 * `end`. Used for `-n N` history so a 400 MB day file costs a few reads, not a full scan.
 */
export async function* readLinesBackward(path: string, end: number, chunk = 64 * 1024): AsyncGenerator<RawLine> {
  const handle = await open(path, "r");
  try {
    let position = end;
    let carry: Buffer = Buffer.alloc(0);
    while (position > 0) {
      const length = Math.min(chunk, position);
      position -= length;
      const buffer = Buffer.allocUnsafe(length);
      await handle.read(buffer, 0, length, position);
      const joined = carry.length > 0 ? Buffer.concat([buffer, carry]) : buffer;
      // The first (possibly partial) line of this window waits for the previous window.
      const firstNewline = position > 0 ? joined.indexOf(NEWLINE) : -1;
      const body = firstNewline === -1 ? joined : joined.subarray(firstNewline + 1);
      const bodyOffset = position + (firstNewline === -1 ? 0 : firstNewline + 1);
      carry = firstNewline === -1 ? Buffer.alloc(0) : Buffer.from(joined.subarray(0, firstNewline + 1));
      if (position > 0 && firstNewline === -1) {
        carry = Buffer.from(joined);
        continue;
      }
      const lines = splitLines(body, bodyOffset).lines;
      for (let i = lines.length - 1; i >= 0; i--) yield lines[i] as RawLine;
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
