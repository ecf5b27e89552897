import { open } from "node:fs/promises";
import { join } from "node:path";
import { digest } from "../../audit/chain.js";
import { listAuditNames } from "../../audit/files.js";
import { LineSplitter } from "../../audit/lines.js";

/** The last entry another writer left in the directory. */
export interface WriterHead {
  writer: string;
  seq: number;
  hash: string;
}

/** Lines are capped well below this, so the tail of a file always holds its last complete line. */
const TAIL_BYTES = 64 * 1024;
/** Day files to look back through when the newest ones hold no complete entry (e.g. only a torn line). */
const MAX_FILES = 31;

async function readTail(path: string): Promise<Buffer> {
  const handle = await open(path, "r");
  try {
    const { size } = await handle.stat();
    const length = Math.min(size, TAIL_BYTES);
    const buffer = Buffer.alloc(length);
    await handle.read(buffer, 0, length, size - length);
    return buffer;
  } finally {
    await handle.close();
  }
}

/** The last complete, parseable entry in `text`, skipping a torn final line and `ownWriter`'s lines. */
export function lastHeadIn(text: string, ownWriter: string): WriterHead | null {
  return lastHeadLineIn(Buffer.from(text), ownWriter)?.head ?? null;
}

/** lastHeadIn over a file's tail bytes, with the line it was read from. */
function lastHeadLineIn(tail: Buffer, ownWriter: string): { head: WriterHead; line: string } | null {
  // Only complete lines: the bytes after the last "\n" are a torn final line (a crash mid-write),
  // which the splitter keeps back and which is never asked for here.
  const lines: string[] = [];
  new LineSplitter().forEach(tail, (_bytes, _length, text) => lines.push(text));
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i];
    if (!line) continue;
    try {
      const entry = JSON.parse(line) as Partial<WriterHead>;
      if (typeof entry.writer === "string" && entry.writer !== ownWriter && typeof entry.seq === "number" && typeof entry.hash === "string") {
        return { head: { writer: entry.writer, seq: entry.seq, hash: entry.hash }, line };
      }
    } catch {
      // The first line of a tail chunk is usually cut, and a fragment left by a crash is not an entry.
    }
  }
  return null;
}

/**
 * Finds the head of the previous writer in `dir`: the last complete entry of the newest day file
 * that has one. Never throws: a directory that does not exist yet simply has no previous writer.
 */
export async function findPreviousHead(dir: string, ownWriter: string): Promise<WriterHead | null> {
  return (await findPreviousHeadLine(dir, ownWriter))?.head ?? null;
}

/**
 * Whether the trail already holds entries signed with `key`: its newest entry is (a writer
 * switches from no key, or from another key, to this one: signing with it begins now).
 */
export async function previousHeadSigned(dir: string, ownWriter: string, key: string): Promise<boolean> {
  const found = await findPreviousHeadLine(dir, ownWriter);
  if (!found) return false;
  const member = `,"hash":"${found.head.hash}"`;
  const at = found.line.indexOf(member);
  return at !== -1 && digest(found.line.slice(0, at) + found.line.slice(at + member.length), key) === found.head.hash;
}

async function findPreviousHeadLine(dir: string, ownWriter: string): Promise<{ head: WriterHead; line: string } | null> {
  let names: string[];
  try {
    names = (await listAuditNames(dir)).dayFiles.flatMap((f) => (f.compressed ? [] : [f.name]));
  } catch {
    return null;
  }
  const days = names.reverse().slice(0, MAX_FILES);
  for (const name of days) {
    try {
      const found = lastHeadLineIn(await readTail(join(dir, name)), ownWriter);
      if (found) return found;
    } catch {
      // An unreadable file is the verifier's business; keep looking at older days.
    }
  }
  return null;
}
