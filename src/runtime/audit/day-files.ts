import { constants } from "node:fs";
import { mkdir, open, type FileHandle } from "node:fs/promises";
import { dirname, join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { dayFileName } from "../../audit/chain.js";
import type { MonwireError } from "../../errors.js";
import { identityOf, pathChange, readOwnLines, type DayFileChange, type FileIdentity } from "./day-file-guard.js";
import { auditWriteError, shortWriteError } from "./write-error.js";

/**
 * O_APPEND makes every write land at the end of the file as one unit, even with several processes
 * appending to the same day file; O_RDWR (not O_WRONLY) lets a failed write be checked and undone.
 * O_NOFOLLOW refuses a symlink at the day file's path: whoever can write the directory could
 * otherwise point it at any file the app may write (for a root app, any file at all).
 */
const APPEND_FLAGS = constants.O_RDWR | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW;

/** Permissions of what the writer creates (the process umask may remove more bits, never add). */
export interface DayFileModes {
  file: number;
  dir: number;
}

export const DEFAULT_MODES: DayFileModes = { file: 0o640, dir: 0o750 };

interface OpenDayFile {
  path: string;
  handle: FileHandle;
  identity: FileIdentity;
  /** The file ended in a torn line (a crashed writer): the next write starts with "\n" to close it off. */
  closeTornLine: boolean;
}

/** What restore() put into the new day file. */
export interface Restored {
  lines: number;
  /** This writer's lines the new file already held (a copy put in place), not written again. */
  alreadyThere: number;
  previous: FileIdentity;
  current: FileIdentity;
}

/** A failed append: the error for callers, and how many bytes of the new lines stayed in the file. */
export class AppendFailure extends Error {
  constructor(readonly error: MonwireError, readonly persistedBytes: number) {
    super(error.message);
  }
}

/** One O_APPEND descriptor per UTC day file, each batch appended with a single write call. */
export class DayFiles {
  private readonly files = new Map<string, OpenDayFile>();

  /** Day files whose path was deleted or replaced after a write, kept open until restore(). */
  private readonly orphans = new Map<string, OpenDayFile>();

  constructor(private readonly dir: string, private readonly fsync: boolean, private readonly modes: DayFileModes = DEFAULT_MODES) {}

  /**
   * Appends complete lines to the day's file in ONE write (and fdatasync in fsync mode). On any
   * failure the bytes written so far are truncated away when they are still the file's tail, so
   * no half line is left behind; AppendFailure.persistedBytes says what could not be removed.
   *
   * After the write it checks that the path still names the file written to. When it does not
   * (deleted or replaced meanwhile) it returns the change: the lines went into a file nobody can
   * read any more, and the caller must restore() before acknowledging them.
   */
  async append(day: string, text: string): Promise<DayFileChange | undefined> {
    let file: OpenDayFile;
    try {
      file = await this.openDay(day);
    } catch (cause) {
      throw new AppendFailure(auditWriteError(cause, "open", join(this.dir, dayFileName(day)), this.dir), 0);
    }
    const prefix = file.closeTornLine ? 1 : 0;
    const data = Buffer.from(prefix ? `\n${text}` : text, "utf8");
    let written = 0;
    try {
      written = (await file.handle.write(data, 0, data.length, null)).bytesWritten;
      if (written < data.length) throw shortWriteError(written, data.length);
      if (this.fsync) await file.handle.datasync();
      file.closeTornLine = false;
      const change = await pathChange(file.path, file.identity);
      if (change) {
        this.files.delete(day);
        await this.dropOrphan(day);
        this.orphans.set(day, file);
      }
      return change;
    } catch (cause) {
      const left = written > 0 ? await this.undoTail(file, data.subarray(0, written)) : 0;
      // Reopen on the next write: the fault may have replaced the filesystem under the descriptor.
      await this.forget(day);
      throw new AppendFailure(auditWriteError(cause, this.fsync ? "append and sync" : "append to", file.path, this.dir), Math.max(0, left - prefix));
    }
  }

  /**
   * Moves `writer`'s lines out of the orphaned day file (read through the descriptor still open on
   * it) into a new file at the path, followed by `tail(restoredLines, identities)` — the security
   * entry saying what happened — in one write. Rejects with AppendFailure when the new file cannot
   * be written or is swapped away again at once; the orphan is then given up.
   */
  async restore(day: string, writer: string, tail: (restored: Restored) => string): Promise<Restored> {
    const orphan = this.orphans.get(day);
    const path = join(this.dir, dayFileName(day));
    if (!orphan) throw new AppendFailure(auditWriteError(new Error("no orphaned day file to restore"), "restore", path, this.dir), 0);
    try {
      const file = await this.openDay(day);
      // A replacement may be a copy (cp + mv, an editor's save): lines already in it stay single.
      const present = new Set(await readOwnLines(file.handle, writer));
      const own = (await readOwnLines(orphan.handle, writer)).filter((line) => !present.has(line));
      const restored: Restored = { lines: own.length, alreadyThere: present.size, previous: orphan.identity, current: file.identity };
      const text = own.join("") + tail(restored);
      await this.append(day, text).then((change) => {
        if (change) throw Object.assign(new Error(`the new day file was ${change} again at once`), { code: "EREPLACED" });
      });
      return restored;
    } catch (cause) {
      throw cause instanceof AppendFailure ? cause : new AppendFailure(auditWriteError(cause, "restore", path, this.dir), 0);
    } finally {
      if (this.orphans.get(day) === orphan) await this.dropOrphan(day);
    }
  }

  /** Closes every descriptor except the one for `day` (the day being written now). */
  async retainOnly(day: string): Promise<void> {
    for (const other of [...this.files.keys()]) if (other !== day) await this.forget(other);
  }

  async closeAll(): Promise<void> {
    for (const day of [...this.files.keys()]) await this.forget(day);
    for (const day of [...this.orphans.keys()]) await this.dropOrphan(day);
  }

  private async dropOrphan(day: string): Promise<void> {
    const orphan = this.orphans.get(day);
    this.orphans.delete(day);
    await orphan?.handle.close().catch(() => undefined);
  }

  private async forget(day: string): Promise<void> {
    const file = this.files.get(day);
    this.files.delete(day);
    await file?.handle.close().catch(() => undefined);
  }

  private async openDay(day: string): Promise<OpenDayFile> {
    const existing = this.files.get(day);
    if (existing) return existing;
    const path = join(this.dir, dayFileName(day));
    let handle: FileHandle;
    try {
      handle = await open(path, APPEND_FLAGS, this.modes.file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      await this.createDir();
      handle = await open(path, APPEND_FLAGS, this.modes.file);
    }
    try {
      // O_NOFOLLOW only covers symlinks: a FIFO or device planted at the path is refused too.
      if (!(await handle.stat()).isFile()) throw Object.assign(new Error("not a regular file"), { code: "ENOTREG" });
      // A new file's directory entry must be durable too, or a power loss could lose the whole file.
      if (this.fsync) await syncDir(this.dir);
      const file = { path, handle, identity: await identityOf(handle), closeTornLine: await endsTorn(handle) };
      this.files.set(day, file);
      return file;
    } catch (error) {
      await handle.close().catch(() => undefined);
      throw error;
    }
  }

  private async createDir(): Promise<void> {
    try {
      await mkdir(this.dir, { recursive: true, mode: this.modes.dir });
      if (this.fsync) await syncDir(dirname(this.dir));
    } catch (cause) {
      throw auditWriteError(cause, "create directory", this.dir, this.dir);
    }
  }

  /** Removes `ours` from the end of the file if it is still there; returns the bytes left behind. */
  private async undoTail(file: OpenDayFile, ours: Buffer): Promise<number> {
    try {
      const { size } = await file.handle.stat();
      if (size < ours.length) return ours.length;
      const tail = Buffer.alloc(ours.length);
      await file.handle.read(tail, 0, ours.length, size - ours.length);
      // Another process may have appended after us; then cutting would destroy its lines.
      if (!tail.equals(ours)) return ours.length;
      await file.handle.truncate(size - ours.length);
      return 0;
    } catch {
      return ours.length;
    }
  }
}

async function syncDir(path: string): Promise<void> {
  const handle = await open(path, constants.O_RDONLY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Whether the file ends in a line without "\n" left by a crashed writer. A live writer's append
 * can be observed half done, so an unterminated end only counts once it stays unchanged briefly.
 */
async function endsTorn(handle: FileHandle): Promise<boolean> {
  const last = Buffer.alloc(1);
  for (let attempt = 0; attempt < 5; attempt++) {
    const { size } = await handle.stat();
    if (size === 0) return false;
    await handle.read(last, 0, 1, size - 1);
    if (last[0] === 0x0a) return false;
    await delay(20);
    if ((await handle.stat()).size === size) return true;
  }
  return false;
}
