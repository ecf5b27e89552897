import { open, stat } from "node:fs/promises";
import { MAX_LINE_BYTES } from "./lines.js";

/**
 * How the scan engine cuts big plain files into pieces: byte ranges that start right after a
 * "\n", so every piece holds whole lines and the pieces run on any thread in any order. A `.gz`
 * file is always one piece (a gzip stream cannot be entered in the middle).
 */
/** Big plain files are cut into segments of about this size, at line boundaries. */
export const SEGMENT_BYTES = 32 * 1024 * 1024;

/** The smallest piece a tail is cut into: below it, a piece's round trip costs more than the balance gains. */
export const MIN_TAIL_PIECE_BYTES = 4 * 1024 * 1024;

/**
 * Where the file sits in the scan's queue: `after` bytes of other files are queued behind it,
 * and `threads` threads scan the queue. Pieces then shrink towards the end of the queue (each
 * about 1/(2 × threads) of what is left, within MIN_TAIL_PIECE_BYTES and the target), so the
 * threads finish together instead of one thread idling while another scans a last big piece.
 */
export interface QueueTail {
  after: number;
  threads: number;
}

/** Splits a plain file into byte ranges that start right after a "\n", so no line is cut. */
export async function splitAtLines(path: string, size: number, target = SEGMENT_BYTES, tail?: QueueTail): Promise<[number, number][]> {
  const pieceAt = (start: number) => (tail && tail.threads > 1 ? Math.min(target, Math.max(MIN_TAIL_PIECE_BYTES, Math.floor((size - start + tail.after) / (2 * tail.threads)))) : target);
  if (size <= pieceAt(0) * 1.5) return [[0, size]];
  const ranges: [number, number][] = [];
  const handle = await open(path, "r");
  try {
    const window = Buffer.allocUnsafe(64 * 1024);
    let start = 0;
    for (let piece = pieceAt(0); start + piece < size - piece / 2; piece = pieceAt(start)) {
      // The boundary lies beyond start + piece, so every piece holds at least one line.
      const boundary = await nextLineStart(handle, window, start + piece, size);
      if (boundary === undefined || boundary >= size) break;
      ranges.push([start, boundary]);
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
