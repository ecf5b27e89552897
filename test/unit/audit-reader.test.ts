import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { canonicalize } from "../../src/audit/canonical.js";
import { checkDayRange, listAnchoredDays, listDayFiles } from "../../src/audit/files.js";
import { LineSplitter, MAX_LINE_BYTES, readPlainChunks, readPlainChunksSync } from "../../src/audit/lines.js";
import { isTornPrefix, parseAuditLine } from "../../src/audit/parse-line.js";
import { readAuditDir, readAuditEntries, readAuditFile, type AuditProblemRecord, type AuditRecord } from "../../src/audit/reader.js";
import { TestTrail, appendRaw, readLines, writeLines } from "../helpers/audit-trail.js";
import { makeTempDir } from "../helpers/cli.js";

let dir: string;
let cleanup: () => Promise<void>;

beforeEach(async () => {
  ({ dir, cleanup } = await makeTempDir("monwire-reader-"));
});
afterEach(async () => cleanup());

async function collect<T>(source: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of source) out.push(item);
  return out;
}

function twoDayTrail(): TestTrail {
  const trail = new TestTrail({ start: "2025-03-10T23:59:57.000Z" });
  const a = trail.writer();
  const b = trail.writer();
  a.record({ tenant: "KM", amount: { minor: 1500, currency: "BAM" } });
  b.record({ category: "authentication", action: "login.failed", outcome: "failure" });
  a.record({ category: "license", action: "license_key.generated" });
  b.record({ tenant: "KM", category: "authentication", action: "login.succeeded", actor: { id: "branch-7", type: "user" } });
  return trail;
}

describe("LineSplitter", () => {
  it("splits on bytes, keeps multi-byte characters cut by a chunk boundary intact", () => {
    const text = Buffer.from('{"a":"čaša"}\n{"b":"€"}\nrest');
    const splitter = new LineSplitter();
    const lines: string[] = [];
    for (let i = 0; i < text.length; i += 3) lines.push(...splitter.push(text.subarray(i, i + 3)).map((l) => l.toString("utf8")));
    expect(lines).toEqual(['{"a":"čaša"}', '{"b":"€"}']);
    expect(splitter.end()?.toString()).toBe("rest");
    expect(splitter.end()).toBeUndefined();
  });

  it.each([["readPlainChunks", readPlainChunks], ["readPlainChunksSync", readPlainChunksSync]] as const)("keeps an unfinished line safe when the caller reuses its chunk buffer (%s)", async (_name, read) => {
    const text = '{"a":"čaša"}\n{"b":"€ 12"}\n\n{"c":"a longer line than one chunk"}\n{"d":"ascii only"}\nrest';
    const path = join(dir, "audit-2025-01-01.log");
    await writeFile(path, text);
    for (const chunkBytes of [1, 3, 7, 64]) {
      // forEach, and forEachInText (ASCII lines read inside a decoded window, the others one by one).
      for (const inText of [false, true]) {
        const splitter = new LineSplitter();
        const lines: string[] = [];
        let reads = 0;
        for await (const chunk of read(path, { start: 0, end: Buffer.byteLength(text) }, chunkBytes)) {
          reads += 1;
          if (inText) splitter.forEachInText(chunk, (window, from, to) => lines.push(window.slice(from, to)), (line) => lines.push(line.toString("utf8")));
          else splitter.forEach(chunk, (line) => lines.push(line.toString("utf8")));
        }
        lines.push(splitter.end()?.toString("utf8") ?? "");
        expect(lines, `chunks of ${chunkBytes}`).toEqual(text.split("\n"));
        expect(reads).toBe(Math.ceil(Buffer.byteLength(text) / chunkBytes));
      }
    }
    // A byte range reads only its bytes.
    const parts: Buffer[] = [];
    for await (const chunk of read(path, { start: 2, end: 9 }, 4)) parts.push(Buffer.from(chunk));
    expect(Buffer.concat(parts).toString("utf8")).toBe(Buffer.from(text).subarray(2, 9).toString("utf8"));
    // A reader stopped early ends cleanly; a missing file is an error of the iteration, not a crash.
    for await (const _chunk of read(path, { start: 0, end: 20 }, 4)) break;
    await expect((async () => {
      for await (const _chunk of read(join(dir, "missing.log"), { start: 0, end: 20 }, 4)) break;
    })()).rejects.toThrow(/ENOENT/);
  });

  it("bounds an endless line instead of holding it all", () => {
    const splitter = new LineSplitter();
    const chunk = Buffer.alloc(256 * 1024, 0x61);
    for (let i = 0; i < 8; i++) expect(splitter.push(chunk)).toEqual([]);
    const [line] = splitter.push(Buffer.from("\n"));
    expect(line?.length).toBe(MAX_LINE_BYTES);
  });

  it("hands out each line's real length, capping the bytes of a line over the cap wherever it lies", () => {
    const splitter = new LineSplitter();
    const seen: Array<[number, number]> = [];
    const onLine = (line: Buffer, length: number) => seen.push([line.length, length]);
    const big = MAX_LINE_BYTES + 10;
    splitter.forEach(Buffer.concat([Buffer.from("ab\n"), Buffer.alloc(big, 0x61), Buffer.from("\ncd")]), onLine);
    expect(seen).toEqual([[2, 2], [MAX_LINE_BYTES, big]]);
    splitter.forEach(Buffer.alloc(3 * MAX_LINE_BYTES, 0x62), onLine);
    expect(splitter.unfinishedLength).toBe(2 + 3 * MAX_LINE_BYTES);
    splitter.forEach(Buffer.from("\n"), onLine);
    expect(seen[2]).toEqual([MAX_LINE_BYTES, 2 + 3 * MAX_LINE_BYTES]);
    expect(splitter.unfinishedLength).toBe(0);
  });
});

describe("isTornPrefix (what an unterminated final line may be)", () => {
  it.each<[string, string, number | undefined, boolean]>([
    ["the start of an entry", '{"action":"wallet.dep', undefined, true],
    ["a write cut after one byte", "{", undefined, true],
    ["a cut right after a nested object", '{"action":"x","actor":{"id":"a","type":"user"}', undefined, true],
    ["garbage", "xyzzy", undefined, false],
    ["a line starting with a space", ' {"action"', undefined, false],
    ["JSON-escaped control characters", '{"action":"\\u001b[8m', undefined, true],
    ["a raw ESC byte", '{"action":"\x1b[8m', undefined, false],
    ["a prefix longer than the line cap", '{"action":"', MAX_LINE_BYTES + 1, false],
  ])("%s", (_name, text, length, expected) => {
    expect(isTornPrefix(text, length ?? Buffer.byteLength(text))).toBe(expected);
  });
});

describe("parseAuditLine", () => {
  const trail = new TestTrail();
  const entry = trail.writer().record();
  const line = canonicalize(entry);

  it.each([
    ["a valid entry", line, "entry"],
    ["a blank line", "", "blank"],
    ["a fragment cut mid-write", line.slice(0, 40), "fragment"],
    ["an edited line that no longer parses", line.replace(`"seq":`, `seq":`), "corrupt"],
    ["JSON that is not an entry", '{"hello":"world"}', "invalid"],
    ["plain text", "hello", "corrupt"],
  ])("classifies %s", (_name, text, kind) => {
    expect(parseAuditLine(text).kind).toBe(kind);
  });

  it("recovers an entry glued behind a crash fragment", () => {
    const parsed = parseAuditLine(line.slice(0, 33) + line);
    expect(parsed.kind).toBe("entry");
    expect(parsed.kind === "entry" && parsed.entryOffset).toBe(33);
  });
});

describe("listDayFiles / day ranges", () => {
  it("lists plain and .gz day files by the day in the name, preferring the plain file", async () => {
    for (const name of ["audit-2025-03-12.log.gz", "audit-2025-03-10.log", "audit-2025-03-11.log", "audit-2025-03-11.log.gz", "notes.txt", "audit-2025-02-30.log", "audit-2025-03-10.anchor.json"]) {
      await writeFile(join(dir, name), "");
    }
    const files = await listDayFiles(dir);
    expect(files.map((f) => [f.day, f.name, f.compressed])).toEqual([
      ["2025-03-10", "audit-2025-03-10.log", false],
      ["2025-03-11", "audit-2025-03-11.log", false],
      ["2025-03-12", "audit-2025-03-12.log.gz", true],
    ]);
    expect(files[1]?.archive).toBe(join(dir, "audit-2025-03-11.log.gz"));
    expect((await listDayFiles(dir, { from: "2025-03-11", to: "2025-03-11" })).map((f) => f.day)).toEqual(["2025-03-11"]);
    expect(await listAnchoredDays(dir)).toEqual(["2025-03-10"]);
  });

  it.each([
    [{ from: "2025-3-1" }, /--from "2025-3-1" is not a day/],
    [{ to: "2025-02-30" }, /--to "2025-02-30" is not a day/],
    [{ from: "2025-03-02", to: "2025-03-01" }, /is after --to/],
  ])("rejects the bad range %j", (range, message) => {
    expect(() => checkDayRange(range)).toThrow(message);
  });
});

describe("readAuditFile / readAuditDir", () => {
  it("streams every entry with its file, day and line, across days", async () => {
    const trail = twoDayTrail();
    await trail.write(dir);
    const records = await collect(readAuditDir({ dir }));
    expect(records.every((r) => r.kind === "entry")).toBe(true);
    expect(records.map((r) => [r.day, r.line])).toEqual([
      ["2025-03-10", 1], ["2025-03-10", 2], ["2025-03-10", 3], ["2025-03-11", 1], ["2025-03-11", 2], ["2025-03-11", 3],
    ]);
    expect(records.map((r) => r.kind === "entry" && r.entry.hash)).toEqual(trail.entries.map((e) => e.hash));
    expect(records[0]?.kind === "entry" && records[0].raw).toBe(canonicalize(trail.entries[0]));
  });

  it("reads .gz archives like plain files", async () => {
    const trail = twoDayTrail();
    const [first] = await trail.write(dir);
    const { readFile, rm } = await import("node:fs/promises");
    await writeFile(`${first}.gz`, gzipSync(await readFile(first as string)));
    await rm(first as string);
    const entries = await collect(readAuditEntries({ dir }));
    expect(entries.map((e) => e.hash)).toEqual(trail.entries.map((e) => e.hash));
  });

  it("reports a torn final line, corrupt and fragment lines with file:line, and keeps reading", async () => {
    const trail = twoDayTrail();
    const [path] = await trail.write(dir);
    const lines = await readLines(path as string);
    await writeLines(path as string, [lines[0] as string, "not json", (lines[1] as string).slice(0, 30), lines[2] as string]);
    await appendRaw(path as string, (lines[1] as string).slice(0, 50));
    const records = await collect(readAuditFile(path as string));
    expect(records.map((r) => [r.kind, r.line])).toEqual([["entry", 1], ["corrupt", 2], ["fragment", 3], ["entry", 4], ["torn", 5]]);
    const torn = records[4] as AuditProblemRecord;
    expect(torn.message).toBe("audit-2025-03-10.log:5: torn final line (a write cut short by a crash)");
    expect((records[1] as AuditProblemRecord).message).toMatch(/^audit-2025-03-10\.log:2: not JSON/);
  });

  it("yields a glued fragment and the entry behind it", async () => {
    const trail = twoDayTrail();
    const [path] = await trail.write(dir);
    const lines = await readLines(path as string);
    await writeLines(path as string, [lines[0] as string, (lines[1] as string).slice(0, 25) + (lines[2] as string)]);
    const records = await collect(readAuditFile(path as string));
    expect(records.map((r) => [r.kind, r.line])).toEqual([["entry", 1], ["fragment", 2], ["entry", 2]]);
  });

  it("tolerates a byte-order mark and CRLF line endings", async () => {
    const trail = twoDayTrail();
    const [path] = await trail.write(dir);
    const lines = await readLines(path as string);
    await writeFile(path as string, `\uFEFF${lines.join("\r\n")}\r\n`);
    const records = await collect(readAuditFile(path as string));
    expect(records.map((r) => r.kind)).toEqual(["entry", "entry", "entry"]);
  });

  it("reports an unreadable archive instead of throwing", async () => {
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, "audit-2025-03-10.log.gz"), "definitely not gzip");
    const records = await collect(readAuditDir({ dir }));
    expect(records).toHaveLength(1);
    expect(records[0]?.kind).toBe("unreadable");
  });

  it("applies filters and skips days outside since/until", async () => {
    const trail = twoDayTrail();
    await trail.write(dir);
    const kmAuth = await collect(readAuditEntries({ dir, filters: { tenant: "km", category: "auth" } }));
    expect(kmAuth.map((e) => e.action)).toEqual(["login.succeeded"]);
    const late = await collect(readAuditEntries({ dir, filters: { since: new Date("2025-03-11T00:00:00.000Z") } }));
    expect(late.map((e) => e.ts)).toEqual(trail.entries.filter((e) => e.ts >= "2025-03-11").map((e) => e.ts));
    const day = await collect(readAuditEntries({ dir, from: "2025-03-10", to: "2025-03-10" }));
    expect(day).toHaveLength(3);
  });
});
