import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MIN_TAIL_PIECE_BYTES, SEGMENT_BYTES, splitAtLines } from "../../src/audit/scan-ranges.js";
import { makeTempDir } from "../helpers/cli.js";

// The scan's threads finish together only if the queue ends in small pieces: a big last piece
// leaves every other thread idle while one scans it.
describe("splitAtLines at the end of the scan's queue", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let path: string;
  let size = 0;
  beforeAll(async () => {
    ({ dir, cleanup } = await makeTempDir("monwire-ranges-"));
    path = join(dir, "audit-2025-01-04.log");
    // Lines of varying length, about 40 MB.
    const lines: string[] = [];
    for (let i = 0; size < 40e6; i++) {
      const line = `{"action":"x.y","n":${i},"pad":"${"p".repeat(200 + ((i * 37) % 700))}"}\n`;
      lines.push(line);
      size += line.length;
    }
    await writeFile(path, lines.join(""));
  });
  afterAll(() => cleanup());

  const check = async (ranges: [number, number][]) => {
    const bytes = await readFile(path);
    expect(ranges[0]?.[0]).toBe(0);
    expect(ranges[ranges.length - 1]?.[1]).toBe(size);
    for (const [i, [start, end]] of ranges.entries()) {
      expect(end).toBeGreaterThan(start);
      if (i > 0) expect(start).toBe(ranges[i - 1]?.[1]);
      if (start > 0) expect(bytes[start - 1], `${start} of ${bytes.length}`).toBe(0x0a);
    }
  };

  it("shrinks the pieces towards the end when the file ends the queue", async () => {
    const ranges = await splitAtLines(path, size, SEGMENT_BYTES, { after: 0, threads: 2 });
    await check(ranges);
    const sizes = ranges.map(([start, end]) => end - start);
    expect(sizes.length).toBeGreaterThan(4);
    // Each piece about a quarter of what is left (two threads), never below the minimum but for the last.
    expect(sizes[0]).toBeLessThanOrEqual(size / 4 + 2000);
    for (const s of sizes.slice(0, -1)) expect(s).toBeGreaterThanOrEqual(MIN_TAIL_PIECE_BYTES);
    for (let i = 1; i < sizes.length - 2; i++) expect(sizes[i]).toBeLessThanOrEqual((sizes[i - 1] as number) + 2000);
    expect(Math.max(...sizes.slice(-2))).toBeLessThan(1.6 * MIN_TAIL_PIECE_BYTES);
  });

  it("keeps full segments when much is queued behind the file, or on one thread", async () => {
    const behind = await splitAtLines(path, size, SEGMENT_BYTES, { after: 500e6, threads: 2 });
    const one = await splitAtLines(path, size, SEGMENT_BYTES, { after: 0, threads: 1 });
    const plain = await splitAtLines(path, size);
    expect(behind).toEqual(plain);
    expect(one).toEqual(plain);
    await check(plain);
    expect(plain.length).toBe(1);
  });
});
