import { watch, type FSWatcher } from "node:fs";
import { open, stat, type FileHandle } from "node:fs/promises";
import { join } from "node:path";
import { listAuditNames } from "./files.js";
import { READ_CHUNK, type RawLine } from "./follow-read.js";
import { LineSplitter } from "./lines.js";

/**
 * Follows an audit directory by name, like `tail -F`: the newest day file and the one before it
 * (another process may still finish yesterday's file after midnight), a new day file as soon as it
 * appears, and a file that was truncated or replaced from its start. `fs.watch` on the DIRECTORY
 * wakes it promptly (a watch on one file goes silent after a rename); a stat poll every `pollMs`
 * covers filesystems where inotify says nothing (NFS, some containers).
 *
 * It is pull-based: nothing is read until the consumer asks for the next batch, so a slow
 * consumer (a pipe into `less`) holds the follower back instead of losing lines.
 */
export type FollowEvent =
  | { type: "lines"; file: string; lines: RawLine[] }
  | { type: "opened"; file: string }
  | { type: "truncated"; file: string }
  | { type: "unreadable"; file: string; message: string }
  | { type: "idle" };

export interface FollowOptions {
  dir: string;
  /** Byte offsets to start at, by file name (the end of the history already shown). Other files start at 0. */
  start?: ReadonlyMap<string, number>;
  pollMs?: number;
  signal?: AbortSignal;
}

interface Tracked {
  /** End of the last complete line handed out. */
  offset: number;
  /** End of what was read; the bytes between `offset` and here are an unfinished line in `splitter`. */
  readTo: number;
  splitter: LineSplitter;
  ino: number;
  /** The last complete line consumed (with its newline), to notice a file truncated and refilled past our offset. */
  last: Buffer | undefined;
}

const MAX_REMEMBERED = 64 * 1024;

export async function* followAuditDir(options: FollowOptions): AsyncGenerator<FollowEvent> {
  const pollMs = options.pollMs ?? 250;
  const tracked = new Map<string, Tracked>();
  // The last read error reported per file, so each is said once rather than at every poll.
  const failures = new Map<string, string>();
  let wake: (() => void) | undefined;
  let dirty = true;
  const poke = () => {
    dirty = true;
    wake?.();
  };
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(options.dir, { persistent: true }, poke);
    watcher.on("error", () => undefined);
  } catch {
    // Polling alone still follows the trail; only latency suffers.
  }
  const timer = setInterval(poke, pollMs);
  options.signal?.addEventListener("abort", poke, { once: true });
  try {
    while (!options.signal?.aborted) {
      dirty = false;
      let progressed = false;
      for (const name of await currentFiles(options.dir, tracked)) {
        for await (const event of drainFile(options.dir, name, tracked, failures, options.start)) {
          progressed = true;
          yield event;
          if (options.signal?.aborted) return;
        }
      }
      if (progressed || dirty) continue;
      yield { type: "idle" };
      if (!dirty && !options.signal?.aborted) await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
    }
  } finally {
    clearInterval(timer);
    watcher?.close();
    options.signal?.removeEventListener("abort", poke);
  }
}

/** The plain day files to watch: the newest two days, oldest first; older tracked files are dropped. */
async function currentFiles(dir: string, tracked: Map<string, Tracked>): Promise<string[]> {
  let days: string[];
  try {
    days = (await listAuditNames(dir)).dayFiles.flatMap((f) => (f.compressed ? [] : [f.name]));
  } catch {
    return [];
  }
  const keep = days.slice(-2);
  for (const name of tracked.keys()) if (!keep.includes(name)) tracked.delete(name);
  return keep;
}

async function* drainFile(dir: string, name: string, tracked: Map<string, Tracked>, failures: Map<string, string>, start: ReadonlyMap<string, number> | undefined): AsyncGenerator<FollowEvent> {
  const path = join(dir, name);
  try {
    let info;
    try {
      info = await stat(path);
    } catch (error) {
      // Gone between listing and now (renamed, pruned): like `tail -F`, wait for it to come back.
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      tracked.delete(name);
      return;
    }
    let state = tracked.get(name);
    if (!state) {
      const offset = Math.min(start?.get(name) ?? 0, info.size);
      state = { offset, readTo: offset, ino: info.ino, last: undefined, splitter: new LineSplitter() };
      tracked.set(name, state);
      if (!start?.has(name)) yield { type: "opened", file: name };
    }
    const handle = await open(path, "r");
    try {
      if (info.ino !== state.ino || info.size < state.readTo || !(await stillContinues(handle, state))) {
        Object.assign(state, { offset: 0, readTo: 0, ino: info.ino, last: undefined, splitter: new LineSplitter() });
        yield { type: "truncated", file: name };
      }
      while (state.readTo < info.size) {
        const lines = await readMore(handle, state, info.size);
        if (lines === undefined) break;
        if (lines.length > 0) yield { type: "lines", file: name, lines };
      }
      failures.delete(name);
    } finally {
      await handle.close();
    }
  } catch (error) {
    // Following goes on with the other files; the CLI names this one and exits 1 in the end.
    const message = `cannot read (${(error as Error).message})`;
    if (failures.get(name) !== message) yield { type: "unreadable", file: name, message };
    failures.set(name, message);
  }
}

/**
 * Reads the next chunk of a followed file through the file's own LineSplitter, which keeps an
 * unfinished line between reads (at most MAX_LINE_BYTES of it), so every byte is read once: a
 * long line, or a writer that appends slowly, costs linear time, never a re-read from the line's
 * start. Returns the lines the chunk completes, or undefined at the end of the file.
 */
async function readMore(handle: FileHandle, state: Tracked, size: number): Promise<RawLine[] | undefined> {
  const buffer = Buffer.allocUnsafe(Math.min(READ_CHUNK, size - state.readTo));
  const { bytesRead } = await handle.read(buffer, 0, buffer.length, state.readTo);
  if (bytesRead === 0) return undefined;
  state.readTo += bytesRead;
  const lines: RawLine[] = [];
  let offset = state.offset;
  state.splitter.forEach(buffer.subarray(0, bytesRead), (bytes, length) => {
    lines.push(length > bytes.length ? { bytes, offset, length } : { bytes, offset });
    offset += length + 1;
  });
  state.offset = offset;
  const last = lines[lines.length - 1];
  if (last) state.last = last.length === undefined ? Buffer.from(last.bytes.subarray(-MAX_REMEMBERED)) : undefined;
  return lines;
}

/** Whether the bytes before our offset are still the line we consumed last (not truncated and refilled). */
async function stillContinues(handle: FileHandle, state: Tracked): Promise<boolean> {
  if (!state.last || state.offset === 0) return true;
  const length = state.last.length + 1;
  if (state.offset < length) return false;
  const buffer = Buffer.alloc(length);
  await handle.read(buffer, 0, length, state.offset - length);
  return buffer[length - 1] === 0x0a && buffer.subarray(0, length - 1).equals(state.last);
}
