import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { ChainChecker } from "../../src/audit/chain-checker.js";
import { LineSplitter } from "../../src/audit/lines.js";
import { RecentHashes, TAIL_HASHES } from "../../src/audit/recent-hashes.js";
import { lineFeed } from "../../src/audit/scan-feed.js";
import { TestTrail } from "../helpers/audit-trail.js";

// `mon verify` settles the usual line inside a decoded window of many lines (ChainChecker.settleIn)
// and keeps the line's hash as the window's slice until the window ends (windowEnd): the hashes a
// checker holds must then be copies, or every writer's newest hashes would keep whole windows alive.

const DAY = "2025-01-04";
const KEY = "window-test-key";

/** A day of `writers` writers taking turns, `rounds` lines each after their chain.started. */
function dayBytes(writers: number, rounds: number): Buffer {
  const trail = new TestTrail({ key: KEY, start: `${DAY}T00:00:00.000Z`, stepMs: 1 });
  const all = Array.from({ length: writers }, (_v, i) => trail.writer({ id: `writer-${String(i).padStart(5, "0")}` }));
  for (let r = 0; r < rounds; r++) for (const w of all) w.record({ data: { note: `round ${r} of a line long enough to fill windows quickly`.padEnd(400, ".") } });
  return Buffer.from((trail.linesByDay().get(DAY) ?? []).join(""));
}

function verify(bytes: Buffer, chunkBytes: number): ChainChecker {
  const checker = new ChainChecker({ key: KEY, fileStart: true, day: DAY });
  const feed = lineFeed(checker, undefined, true);
  const splitter = new LineSplitter();
  for (let at = 0; at < bytes.length; at += chunkBytes) {
    const copy = Buffer.from(bytes.subarray(at, at + chunkBytes));
    splitter.forEachInText(copy, feed.inText as NonNullable<typeof feed.inText>, feed.onLine, feed.windowEnd);
    copy.fill(0x7b);
  }
  return checker;
}

describe("ChainChecker.windowEnd", () => {
  it("gives the verdict and the hashes held of the per-line path", () => {
    const bytes = dayBytes(40, 30);
    const windowed = verify(bytes, 1 << 20).result();
    const perLine = new ChainChecker({ key: KEY, fileStart: true, day: DAY });
    const splitter = new LineSplitter();
    splitter.forEach(bytes, (line, length, text) => void perLine.line(line, true, length, text));
    expect(windowed).toEqual(perLine.result());
    expect(windowed.issueCount).toBe(0);
    expect(windowed.writers).toHaveLength(40);
    expect(windowed.writers[0]?.tailHashes).toHaveLength(TAIL_HASHES);
  });

  it("keeps no decoded window alive: the hashes still held when a window ends are copies", () => {
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    // 1500 writers taking turns: each one's 16 newest hashes come from 16 different windows, so
    // slices would keep the last ~24,000 lines' windows (measured ~20 MB in all); with copies the
    // writers' state takes ~7 MB.
    const bytes = dayBytes(1500, 20);
    gc();
    const before = process.memoryUsage().heapUsed;
    const checker = verify(bytes, 1 << 20);
    gc();
    const kept = process.memoryUsage().heapUsed - before;
    expect(checker.entries).toBe(1500 * 21);
    expect(checker.issueCount).toBe(0);
    expect(kept).toBeLessThan(12 * 1024 * 1024);
  });
});

describe("RecentHashes.ownNewest", () => {
  it("replaces exactly the newest hashes, across the ring's wrap", () => {
    const recent = new RecentHashes();
    for (let seq = 1; seq <= TAIL_HASHES + 5; seq++) recent.add(seq, `h${seq}`, seq);
    recent.ownNewest(3, (hash) => `own-${hash}`);
    const pairs = recent.pairs();
    expect(pairs.map(([seq]) => seq)).toEqual(Array.from({ length: TAIL_HASHES }, (_v, i) => i + 6));
    expect(pairs.slice(-3).map(([, hash]) => hash)).toEqual([`own-h${TAIL_HASHES + 3}`, `own-h${TAIL_HASHES + 4}`, `own-h${TAIL_HASHES + 5}`]);
    expect(pairs.slice(0, -3).every(([seq, hash]) => hash === `h${seq}`)).toBe(true);
    recent.ownNewest(TAIL_HASHES + 9, (hash) => hash.toUpperCase());
    expect(recent.pairs().every(([, hash]) => hash.startsWith("H") || hash.startsWith("OWN-"))).toBe(true);
  });
});
