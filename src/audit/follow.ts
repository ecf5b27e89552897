import { watch, type FSWatcher } from "node:fs";
import { open, readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { DAY_FILE_PATTERN } from "./chain.js";
import { readLinesAt, type RawLine } from "./follow-read.js";

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
  | { type: "idle" };

export interface FollowOptions {
  dir: string;
  /** Byte offsets to start at, by file name (the end of the history already shown). Other files start at 0. */
  start?: ReadonlyMap<string, number>;
  pollMs?: number;
  signal?: AbortSignal;
}

interface Tracked {
  offset: number;
  ino: number;
  /** The last complete line consumed (with its newline), to notice a file truncated and refilled past our offset. */
  last: Buffer | undefined;
}

const MAX_REMEMBERED = 64 * 1024;

export async function* followAuditDir(options: FollowOptions): AsyncGenerator<FollowEvent> {
  const pollMs = options.pollMs ?? 250;
  const tracked = new Map<string, Tracked>();
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
        for await (const event of drainFile(options.dir, name, tracked, options.start)) {
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
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const days = names.filter((n) => DAY_FILE_PATTERN.test(n) && !n.endsWith(".gz")).sort();
  const keep = days.slice(-2);
  for (const name of tracked.keys()) if (!keep.includes(name)) tracked.delete(name);
  return keep;
}

async function* drainFile(dir: string, name: string, tracked: Map<string, Tracked>, start: ReadonlyMap<string, number> | undefined): AsyncGenerator<FollowEvent> {
  const path = join(dir, name);
  let info;
  try {
    info = await stat(path);
  } catch {
    tracked.delete(name);
    return;
  }
  let state = tracked.get(name);
  if (!state) {
    state = { offset: Math.min(start?.get(name) ?? 0, info.size), ino: info.ino, last: undefined };
    tracked.set(name, state);
    if (!start?.has(name)) yield { type: "opened", file: name };
  }
  const handle = await open(path, "r").catch(() => undefined);
  if (!handle) return;
  try {
    if (info.ino !== state.ino || info.size < state.offset || !(await stillContinues(handle, state))) {
      Object.assign(state, { offset: 0, ino: info.ino, last: undefined });
      yield { type: "truncated", file: name };
    }
    while (state.offset < info.size) {
      const { lines, next } = await readLinesAt(handle, state.offset, info.size);
      if (next === state.offset) break;
      const lastLine = lines[lines.length - 1];
      state.last = lastLine ? Buffer.from(lastLine.bytes.subarray(-MAX_REMEMBERED)) : state.last;
      state.offset = next;
      if (lines.length > 0) yield { type: "lines", file: name, lines };
    }
  } finally {
    await handle.close();
  }
}

/** Whether the bytes before our offset are still the line we consumed last (not truncated and refilled). */
async function stillContinues(handle: Awaited<ReturnType<typeof open>>, state: Tracked): Promise<boolean> {
  if (!state.last || state.offset === 0) return true;
  const length = state.last.length + 1;
  if (state.offset < length) return false;
  const buffer = Buffer.alloc(length);
  await handle.read(buffer, 0, length, state.offset - length);
  return buffer[length - 1] === 0x0a && buffer.subarray(0, length - 1).equals(state.last);
}
