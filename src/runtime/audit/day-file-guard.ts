import { lstat } from "node:fs/promises";
import type { FileHandle } from "node:fs/promises";
import { forEachLine, readHandleChunks } from "../../audit/lines.js";

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

/**
 * The complete lines `writer` wrote into a file that is no longer at its path, read through the
 * descriptor the writer still holds (an unlinked file lives on while it is open). Canonical JSON
 * sorts keys, so `writer` is always an entry's last member: the suffix test is exact. An
 * unterminated final line was never acknowledged, so it is not carried over.
 */
export async function readOwnLines(handle: FileHandle, writer: string): Promise<string[]> {
  const suffix = `,"writer":${JSON.stringify(writer)}}`;
  const { size } = await handle.stat();
  const own: string[] = [];
  await forEachLine(readHandleChunks(handle, { start: 0, end: size }), (_bytes, _length, text, terminated) => {
    if (terminated && text.endsWith(suffix)) own.push(`${text}\n`);
  });
  return own;
}
