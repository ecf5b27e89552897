import { open, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { forEachLine, readHandleChunks } from "../../src/audit/lines.js";
import { makeTempDir } from "../helpers/cli.js";

// forEachLine is how every reader outside the scan engine walks a file's lines (the writer's
// own-lines recovery, the key sniffing before verify, --ndjson exports, the demo's leak check).
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function* chunks(...parts: Buffer[]): AsyncGenerator<Buffer> {
  yield* parts;
}

describe("forEachLine", () => {
  it("hands over every line in order, the unterminated last one marked, and counts them", async () => {
    const seen: Array<[string, number, boolean]> = [];
    const count = await forEachLine(chunks(Buffer.from("a\n\nbc"), Buffer.from("d\nlast")), (_bytes, length, text, terminated) => seen.push([text, length, terminated]));
    expect(seen).toEqual([["a", 1, true], ["", 0, true], ["bcd", 3, true], ["last", 4, false]]);
    expect(count).toBe(4);
  });

  it("never cuts a multi-byte character split across chunks", async () => {
    const bytes = Buffer.from("é€\n");
    const seen: string[] = [];
    await forEachLine(chunks(bytes.subarray(0, 1), bytes.subarray(1, 3), bytes.subarray(3)), (_b, _l, text) => seen.push(text));
    expect(seen).toEqual(["é€"]);
  });

  it("reads a file through a descriptor the caller holds, in small chunks, up to the given end", async () => {
    const { dir, cleanup } = await makeTempDir("monwire-lines-");
    cleanups.push(cleanup);
    const path = join(dir, "f.log");
    await writeFile(path, "one\ntwo\nthree\nfour\n");
    const handle = await open(path, "r");
    try {
      const seen: string[] = [];
      await forEachLine(readHandleChunks(handle, { start: 0, end: 14 }, 3), (_b, _l, text, terminated) => seen.push(`${text}${terminated ? "" : "…"}`));
      expect(seen).toEqual(["one", "two", "three"]);
    } finally {
      await handle.close();
    }
  });
});
