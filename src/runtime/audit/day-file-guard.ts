import { lstat } from "node:fs/promises";
import type { FileHandle } from "node:fs/promises";
import { StringDecoder } from "node:string_decoder";

/** The (device, inode) pair naming one file, whatever path leads to it. */
export interface FileIdentity {
  dev: bigint;
  ino: bigint;
}

/** What happened to the path of an open day file: still the same file, gone, or another file now. */
export type DayFileChange = "deleted" | "replaced";

export async function identityOf(handle: FileHandle): Promise<FileIdentity> {
  const stats = await handle.stat({ bigint: true });
  return { dev: stats.dev, ino: stats.ino };
}

/**
 * Compares the open descriptor's file with what the path names now (lstat, so a symlink planted
 * at the path counts as a replacement). One lstat per group commit: the price of noticing a
 * deleted or swapped day file before acknowledging entries written into it.
 */
export async function pathChange(path: string, identity: FileIdentity): Promise<DayFileChange | undefined> {
  try {
    const now = await lstat(path, { bigint: true });
    return now.dev === identity.dev && now.ino === identity.ino ? undefined : "replaced";
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return "deleted";
    throw error;
  }
}

const READ_CHUNK = 1024 * 1024;

/**
 * The complete lines `writer` wrote into a file that is no longer at its path, read through the
 * descriptor the writer still holds (an unlinked file lives on while it is open). Canonical JSON
 * sorts keys, so `writer` is always an entry's last member: the suffix test is exact.
 */
export async function readOwnLines(handle: FileHandle, writer: string): Promise<string[]> {
  const suffix = `,"writer":${JSON.stringify(writer)}}`;
  const { size } = await handle.stat();
  const own: string[] = [];
  let carry = "";
  const buffer = Buffer.alloc(READ_CHUNK);
  // A chunk may end inside a multi-byte character; the decoder carries it over.
  const decoder = new StringDecoder("utf8");
  for (let position = 0; position < size; ) {
    const { bytesRead } = await handle.read(buffer, 0, Math.min(READ_CHUNK, size - position), position);
    if (bytesRead === 0) break;
    position += bytesRead;
    const lines = (carry + decoder.write(buffer.subarray(0, bytesRead))).split("\n");
    carry = lines.pop() ?? "";
    for (const line of lines) if (line.endsWith(suffix)) own.push(`${line}\n`);
  }
  return own;
}
