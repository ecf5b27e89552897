import { appendFile, mkdir, open, rename, truncate, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { followAuditDir, type FollowEvent } from "../../src/audit/follow.js";
import { readLinesBackward, splitLines } from "../../src/audit/follow-read.js";
import { MAX_LINE_BYTES } from "../../src/audit/lines.js";
import { makeTempDir } from "../helpers/cli.js";

/**
 * The follower on real files in a temp dir: complete lines only, each line once, a new day file,
 * truncation (also when the file regrows past the old offset before we look), and replacement.
 */
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function follow(dir: string, start?: Map<string, number>) {
  const controller = new AbortController();
  const iterator = followAuditDir({ dir, start, pollMs: 20, signal: controller.signal })[Symbol.asyncIterator]();
  const lines: string[] = [];
  const events: FollowEvent["type"][] = [];
  /** Pulls events until the follower is idle with `count` lines seen (bounded). */
  const until = async (count: number) => {
    for (let i = 0; i < 500; i++) {
      const { value } = await iterator.next();
      const event = value as FollowEvent;
      if (event.type === "lines") lines.push(...event.lines.map((l) => l.bytes.toString()));
      else if (event.type !== "idle") events.push(event.type);
      if (event.type === "idle" && lines.length >= count) return;
    }
    throw new Error(`follower saw ${lines.length} lines, wanted ${count}`);
  };
  cleanups.unshift(async () => {
    controller.abort();
    await iterator.return?.(undefined);
  });
  return { lines, events, until };
}

describe("followAuditDir", () => {
  it("emits only complete lines, each once, and picks up a new day file", async () => {
    const { dir, cleanup } = await makeTempDir("monwire-follow-");
    cleanups.push(cleanup);
    const day1 = join(dir, "audit-2025-01-04.log");
    await writeFile(day1, "a1\na2\n");
    const f = await follow(dir, new Map([["audit-2025-01-04.log", 3]]));
    await f.until(1);
    expect(f.lines).toEqual(["a2"]);
    await appendFile(day1, "a3\npart");
    await f.until(2);
    expect(f.lines).toEqual(["a2", "a3"]);
    await appendFile(day1, "ial\n");
    await writeFile(join(dir, "audit-2025-01-05.log"), "b1\n");
    await f.until(4);
    expect(f.lines).toEqual(["a2", "a3", "partial", "b1"]);
    expect(f.events).toEqual(["opened"]);
  });

  it("starts over after a truncation, even when the file regrew past the old offset", async () => {
    const { dir, cleanup } = await makeTempDir("monwire-follow-");
    cleanups.push(cleanup);
    const path = join(dir, "audit-2025-01-04.log");
    await writeFile(path, "");
    const f = await follow(dir, new Map([["audit-2025-01-04.log", 0]]));
    await appendFile(path, "first-1\nfirst-2\n");
    await f.until(2);
    await truncate(path, 0);
    await f.until(2);
    await appendFile(path, "second-1\n");
    await f.until(3);
    // Rewritten in one write with more than before: the follower never sees it shrink.
    const handle = await open(path, "r+");
    await handle.write(Buffer.from("third-1-longer-than-before\nthird-2\n"), 0, undefined, 0);
    await handle.close();
    await f.until(5);
    expect(f.lines).toEqual(["first-1", "first-2", "second-1", "third-1-longer-than-before", "third-2"]);
    expect(f.events.filter((e) => e === "truncated").length).toBe(2);
  });

  it("follows a file replaced under the same name", async () => {
    const { dir, cleanup } = await makeTempDir("monwire-follow-");
    cleanups.push(cleanup);
    const path = join(dir, "audit-2025-01-04.log");
    await writeFile(path, "old-1\n");
    const f = await follow(dir, new Map([["audit-2025-01-04.log", 0]]));
    await f.until(1);
    await writeFile(join(dir, "next.tmp"), "new-1\nnew-2\n");
    await rename(join(dir, "next.tmp"), path);
    await f.until(3);
    expect(f.lines).toEqual(["old-1", "new-1", "new-2"]);
  });
});

describe("followAuditDir on an unreadable day file", () => {
  it("says so once, not at every poll, and keeps following the other file", async () => {
    const { dir, cleanup } = await makeTempDir("monwire-follow-");
    cleanups.push(cleanup);
    await mkdir(join(dir, "audit-2025-01-04.log"));
    await writeFile(join(dir, "audit-2025-01-05.log"), "a\n");
    const controller = new AbortController();
    const seen: string[] = [];
    let idles = 0;
    for await (const event of followAuditDir({ dir, start: new Map([["audit-2025-01-04.log", 0], ["audit-2025-01-05.log", 0]]), pollMs: 10, signal: controller.signal })) {
      if (event.type === "unreadable") seen.push(`${event.file}: ${event.message}`);
      if (event.type === "lines") seen.push(...event.lines.map((l) => l.bytes.toString()));
      if (event.type === "idle" && ++idles === 5) {
        if (seen.length === 2) await appendFile(join(dir, "audit-2025-01-05.log"), "b\n");
      }
      if (idles >= 10) break;
    }
    controller.abort();
    expect(seen).toEqual(["audit-2025-01-04.log: cannot read (EISDIR: illegal operation on a directory, read)", "a", "b"]);
  });
});

describe("line reading", () => {
  it("splits on bytes and keeps a multi-byte character whole", () => {
    const buffer = Buffer.from("€1\n\nšđ\nrest", "utf8");
    const { lines, consumed } = splitLines(buffer, 100);
    expect(lines.map((l) => [l.bytes.toString(), l.offset])).toEqual([["€1", 100], ["", 105], ["šđ", 106]]);
    expect(consumed).toBe(buffer.length - 4);
  });

  it("reads lines backwards across small windows", async () => {
    const { dir, cleanup } = await makeTempDir("monwire-follow-");
    cleanups.push(cleanup);
    const path = join(dir, "audit-2025-01-04.log");
    const lines = Array.from({ length: 50 }, (_, i) => `line-${i}-${"x".repeat(i % 13)}`);
    await writeFile(path, `${lines.join("\n")}\n`);
    const seen: string[] = [];
    const size = Buffer.byteLength(`${lines.join("\n")}\n`);
    for await (const line of readLinesBackward(path, size, 7)) seen.push(line.bytes.toString());
    expect(seen).toEqual([...lines].reverse());
  });
});

describe("long lines (linear time, bounded memory)", () => {
  const LONG = 8 * 1024 * 1024;

  async function fileWithLongLine(): Promise<{ dir: string; path: string; size: number }> {
    const { dir, cleanup } = await makeTempDir("monwire-follow-long-");
    cleanups.push(cleanup);
    const path = join(dir, "audit-2025-01-04.log");
    await writeFile(path, "before\n");
    await appendFile(path, Buffer.alloc(LONG, 0x78));
    await appendFile(path, "\nafter\n");
    return { dir, path, size: 7 + LONG + 7 };
  }

  /** Sums the bytes every Buffer.concat call produces while `run` runs: repeated joining shows up here. */
  async function bytesConcatenated(run: () => Promise<void>): Promise<number> {
    let total = 0;
    const spy = vi.spyOn(Buffer, "concat").mockImplementation((...args: Parameters<typeof Buffer.concat>) => {
      const result = original(...args);
      total += result.length;
      return result;
    });
    try {
      await run();
    } finally {
      spy.mockRestore();
    }
    return total;
  }
  const original = Buffer.concat.bind(Buffer);

  it("reads backwards across an 8 MB line joining at most the line cap, and names the line's size", async () => {
    const { path, size } = await fileWithLongLine();
    const seen: Array<{ text: string; offset: number; length?: number }> = [];
    const copied = await bytesConcatenated(async () => {
      for await (const line of readLinesBackward(path, size)) seen.push({ text: line.bytes.toString(), offset: line.offset, length: line.length });
    });
    expect(seen).toEqual([{ text: "after", offset: 7 + LONG + 1, length: undefined }, { text: "", offset: 7, length: LONG }, { text: "before", offset: 0, length: undefined }]);
    expect(copied).toBeLessThanOrEqual(2 * MAX_LINE_BYTES);
  }, 60_000);

  it("follows an 8 MB line reading each byte once, keeping only the line cap of it", async () => {
    const { dir, size } = await fileWithLongLine();
    const controller = new AbortController();
    const lines: Array<{ bytes: number; offset: number; length?: number }> = [];
    let allocated = 0;
    const allocate = Buffer.allocUnsafe.bind(Buffer);
    const spy = vi.spyOn(Buffer, "allocUnsafe").mockImplementation((n: number) => {
      allocated += n;
      return allocate(n);
    });
    try {
      for await (const event of followAuditDir({ dir, start: new Map([["audit-2025-01-04.log", 0]]), pollMs: 20, signal: controller.signal })) {
        if (event.type === "lines") lines.push(...event.lines.map((l) => ({ bytes: l.bytes.length, offset: l.offset, length: l.length })));
        if (event.type === "idle") break;
      }
    } finally {
      spy.mockRestore();
      controller.abort();
    }
    expect(lines).toEqual([{ bytes: 6, offset: 0, length: undefined }, { bytes: MAX_LINE_BYTES, offset: 7, length: LONG }, { bytes: 5, offset: 7 + LONG + 1, length: undefined }]);
    // Read buffers add up to the file once (doubling re-reads of one line would be about twice that).
    expect(allocated).toBeLessThan(size + 2 * MAX_LINE_BYTES);
  }, 60_000);

  it("keeps a 2 MB unfinished line to the cap while it waits for its newline, then reports its size", async () => {
    const { dir, cleanup } = await makeTempDir("monwire-follow-long-");
    cleanups.push(cleanup);
    const path = join(dir, "audit-2025-01-04.log");
    await writeFile(path, Buffer.alloc(2 * 1024 * 1024, 0x79));
    const f = await follow(dir, new Map([["audit-2025-01-04.log", 0]]));
    await f.until(0);
    expect(f.lines).toEqual([]);
    await appendFile(path, "\nnext\n");
    await f.until(2);
    expect(f.lines.map((l) => l.length)).toEqual([MAX_LINE_BYTES, 4]);
  }, 60_000);
});
