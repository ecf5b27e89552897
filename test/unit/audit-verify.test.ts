import { readFile, readdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { verifyAuditDir } from "../../src/audit/verify.js";
import type { VerifyReport } from "../../src/audit/verify-types.js";
import { TestTrail, appendRaw, readLines, reforgeLine, writeLines } from "../helpers/audit-trail.js";
import { makeTempDir } from "../helpers/cli.js";

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ dir, cleanup } = await makeTempDir("monwire-verify-"));
});
afterEach(async () => cleanup());

const KEY = "unit-test-key";
const day = (d: string) => join(dir, `audit-${d}.log`);

/** Three days: a long-running writer, a restart per day, interleaved; the first two days sealed. */
async function threeDays(key?: string): Promise<TestTrail> {
  const trail = new TestTrail({ key, start: "2025-03-10T22:00:00.000Z", stepMs: 600_000 });
  const a = trail.writer();
  const b = trail.writer();
  for (let i = 0; i < 6; i++) (i % 2 ? a : b).record({ amount: { minor: 100 + i, currency: "EUR" } });
  const c = trail.writer();
  for (let i = 0; i < 6; i++) (i % 2 ? a : c).record({ category: "authentication", action: "login.failed", outcome: "failure" });
  trail.at("2025-03-12T09:00:00.000Z");
  const d = trail.writer();
  a.record();
  d.record({ tenant: "KM" });
  await trail.write(dir);
  await trail.seal(dir, "2025-03-11");
  return trail;
}

const fileVerdicts = (report: VerifyReport) => Object.fromEntries(report.files.map((f) => [f.name, f.verdict]));

describe("verifyAuditDir on clean trails", () => {
  it.each([["keyed", KEY], ["unkeyed", undefined]])("finds a %s trail with several writers, restarts and a day boundary intact", async (_name, key) => {
    const trail = await threeDays(key);
    const report = await verifyAuditDir({ dir, key });
    expect(report.status).toBe("intact");
    expect(report.files.map((f) => [f.name, f.status, f.sealed])).toEqual([
      ["audit-2025-03-10.log", "valid", true],
      ["audit-2025-03-11.log", "valid", true],
      ["audit-2025-03-12.log", "valid", false],
    ]);
    expect(report.anchors.map((a) => a.status)).toEqual(["valid", "valid"]);
    expect(report.summary.entries).toBe(trail.entries.length);
    expect(report.summary.writers).toBe(4);
    expect(report.files.flatMap((f) => f.issues)).toEqual([]);
    expect(report.notes.some((n) => n.includes("not signed"))).toBe(key === undefined);
  });

  it("verifies a .gz archived day against its anchor", async () => {
    await threeDays(KEY);
    await writeFile(`${day("2025-03-10")}.gz`, gzipSync(await readFile(day("2025-03-10"))));
    await rm(day("2025-03-10"));
    const report = await verifyAuditDir({ dir, key: KEY });
    expect(report.status).toBe("intact");
    expect(report.files[0]?.name).toBe("audit-2025-03-10.log.gz");
  });

  it("reports a torn final line and crash fragments without calling them tampering", async () => {
    await threeDays(KEY);
    const lines = await readLines(day("2025-03-11"));
    // A crash fragment closed by the next writer's "\n", and one glued to the following entry.
    const withFragments = [lines[0], (lines[1] as string).slice(0, 60), lines[1], (lines[2] as string).slice(0, 30) + lines[2], ...lines.slice(3)];
    await writeLines(day("2025-03-11"), withFragments as string[]);
    await appendRaw(day("2025-03-12"), '{"action":"wallet.dep');
    const report = await verifyAuditDir({ dir, key: KEY });
    expect(report.status).toBe("tampered");
    // The day-2 file now differs from its anchor, which is tampering; the fragments themselves are not.
    expect(report.files[1]?.issues.filter((i) => i.severity === "tamper").map((i) => i.kind)).toEqual(["changed"]);
    expect(report.files[1]?.issues.filter((i) => i.kind === "fragment").map((i) => i.line)).toEqual([2, 4]);
    expect(report.files[2]?.status).toBe("torn");
    expect(report.files[2]?.verdict).toBe("torn final line 4: a write cut short by a crash (not tampering)");
  });

  it("verifies a big file in several segments with file-wide line numbers", async () => {
    const trail = new TestTrail({ key: KEY, start: "2025-03-10T00:00:00.000Z", stepMs: 100 });
    const writers = [trail.writer(), trail.writer(), trail.writer()];
    for (let i = 0; i < 600; i++) writers[i % 3]?.record({ data: { i, note: "x".repeat(i % 50) } });
    await trail.write(dir);
    await trail.seal(dir, "2025-03-10");
    expect((await verifyAuditDir({ dir, key: KEY, segmentBytes: 20_000 })).status).toBe("intact");
    const lines = await readLines(day("2025-03-10"));
    lines[500] = (lines[500] as string).replace('"success"', '"failure"');
    await writeLines(day("2025-03-10"), lines);
    const report = await verifyAuditDir({ dir, key: KEY, segmentBytes: 20_000 });
    expect(report.files[0]?.verdict).toMatch(/^INVALID: hash mismatch at seq \d+ \(line 501\)/);
  });

  it("verifies from a later day using the anchors before it, and leniently when that day is unsealed", async () => {
    await threeDays(KEY);
    expect((await verifyAuditDir({ dir, key: KEY, from: "2025-03-11" })).status).toBe("intact");
    await rm(join(dir, "audit-2025-03-11.anchor.json"));
    const report = await verifyAuditDir({ dir, key: KEY, from: "2025-03-12" });
    expect(report.status).toBe("intact");
    expect(report.files.map((f) => f.name)).toEqual(["audit-2025-03-12.log"]);
  });
});

describe("verifyAuditDir schema checks", () => {
  // The last line of the unsealed last day, re-written with a value the schema rejects and a
  // hash recomputed over it, so the chain and anchors are intact around it.
  async function forgeLastEntry(key?: string): Promise<void> {
    const lines = await readLines(day("2025-03-12"));
    lines[lines.length - 1] = reforgeLine(lines[lines.length - 1] as string, { outcome: "maybe" as never }, key);
    await writeLines(day("2025-03-12"), lines);
  }

  it("reports a schema-invalid entry in an unsigned trail, where anyone can recompute a hash", async () => {
    await threeDays();
    await forgeLastEntry();
    const report = await verifyAuditDir({ dir });
    expect(report.status).toBe("tampered");
    expect(report.files[2]?.issues.map((i) => i.kind)).toEqual(["schema"]);
    expect(report.files[2]?.verdict).toMatch(/^INVALID: seq 2 \(line \d+\) is not a valid v1 entry: outcome/);
  });

  // One verdict per line: a signature proves who wrote a line, not that it is a valid entry, so
  // a signed schema-invalid line gets the verdict an unsigned one gets (the fast paths included).
  it.each([
    ["outcome", { outcome: "maybe" as never }, /outcome: expected one of success, failure, unknown, got "maybe"/],
    ["minor", { amount: { minor: 1.5, currency: "EUR" } }, /amount\.minor: expected an integer, got 1\.5/],
    ["currency", { amount: { minor: 15, currency: "eur" } }, /amount\.currency: "eur" does not match/],
  ])("gives a signed schema-invalid entry (%s) the verdict an unsigned one gets", async (_field, change, problem) => {
    const verdicts: string[] = [];
    for (const key of [undefined, KEY]) {
      await rm(dir, { recursive: true, force: true });
      await threeDays(key);
      const lines = await readLines(day("2025-03-12"));
      lines[lines.length - 1] = reforgeLine(lines[lines.length - 1] as string, change, key);
      await writeLines(day("2025-03-12"), lines);
      const report = await verifyAuditDir({ dir, key, jobs: 1 });
      expect(report.status).toBe("tampered");
      expect(report.files[2]?.issues.map((i) => i.kind)).toEqual(["schema"]);
      verdicts.push(report.files[2]?.verdict ?? "");
    }
    expect(verdicts[1]).toBe(verdicts[0]);
    expect(verdicts[0]).toMatch(problem);
  });

  // verify's fast path leaves prev to the chain checker, which proves it by comparing it with the
  // writer's last hash or else by checking its digits: a re-signed line whose prev is not 64
  // lower-case hex digits is still schema-invalid, keyed or not, mid-day or a day's first line.
  it.each([
    ["upper-case hex", (prev: string) => prev.toUpperCase().replace(/^./, "A")],
    ["63 digits", (prev: string) => prev.slice(1)],
    ["a non-hex letter", (prev: string) => `x${prev.slice(1)}`],
  ])("gives a signed entry whose prev is %s the verdict an unsigned one gets", async (_name, change) => {
    for (const which of ["last", "first"] as const) {
      const verdicts: string[] = [];
      for (const key of [undefined, KEY]) {
        await rm(dir, { recursive: true, force: true });
        await threeDays(key);
        const lines = await readLines(day("2025-03-12"));
        const at = which === "last" ? lines.length - 1 : lines.findIndex((l) => !l.includes('"action":"audit.'));
        const entry = JSON.parse(lines[at] as string) as { prev: string };
        lines[at] = reforgeLine(lines[at] as string, { prev: change(entry.prev) }, key);
        await writeLines(day("2025-03-12"), lines);
        const report = await verifyAuditDir({ dir, key, jobs: 1 });
        expect(report.status, which).toBe("tampered");
        expect(report.files[2]?.issues.map((i) => i.kind), which).toContain("schema");
        const issues = report.files[2]?.issues ?? [];
        expect(issues.find((i) => i.kind === "schema")?.message, which).toMatch(/is not a valid v1 entry: prev: ".* does not match \^\[0-9a-f\]\{64\}\$/);
        // Hashes and writer ids differ between a keyed and an unkeyed trail; the findings must not.
        verdicts.push(JSON.stringify(issues.map((i) => [i.kind, i.severity, i.line, i.seq])));
      }
      expect(verdicts[1], which).toBe(verdicts[0]);
    }
  });
});

describe("verifyAuditDir on tampered trails", () => {
  it("names the line of an edited field, and the anchor mismatch", async () => {
    await threeDays(KEY);
    const lines = await readLines(day("2025-03-10"));
    lines[3] = (lines[3] as string).replace('"minor":101', '"minor":9101');
    await writeLines(day("2025-03-10"), lines);
    const report = await verifyAuditDir({ dir, key: KEY });
    expect(report.status).toBe("tampered");
    expect(fileVerdicts(report)["audit-2025-03-10.log"]).toMatch(/^INVALID: hash mismatch at seq 2 \(line 4\)/);
    expect(report.files[0]?.issues.map((i) => i.kind)).toEqual(["hash_mismatch", "changed"]);
  });

  it("sees a forged line with a recomputed SHA-256 hash in a keyed trail", async () => {
    await threeDays(KEY);
    const lines = await readLines(day("2025-03-10"));
    lines[3] = reforgeLine(lines[3] as string, { amount: { minor: 1, currency: "EUR" } });
    await writeLines(day("2025-03-10"), lines);
    const report = await verifyAuditDir({ dir, key: KEY });
    expect(report.files[0]?.verdict).toMatch(/^INVALID: seq 2 of writer \w+ \(line 4\) is not signed with the key/);
  });

  it("catches an unsigned writer inserted into a keyed trail (downgrade)", async () => {
    await threeDays(KEY);
    const forger = new TestTrail({ start: "2025-03-12T10:00:00.000Z" });
    forger.writer({ id: "forged000001" }).record();
    await appendRaw(day("2025-03-12"), (forger.linesByDay().get("2025-03-12") ?? []).join(""));
    const report = await verifyAuditDir({ dir, key: KEY });
    expect(report.files[2]?.verdict).toMatch(/^INVALID: writer forged000001 \(line 4\) is not signed with the key/);
  });

  it("names a chain.started link to a writer whose last entries were deleted", async () => {
    const trail = new TestTrail({ start: "2025-03-10T08:00:00.000Z" });
    const x = trail.writer({ id: "writer00000x" });
    for (let i = 0; i < 3; i++) x.record();
    trail.writer({ id: "writer00000y" }).record();
    await trail.write(dir);
    expect((await verifyAuditDir({ dir })).status).toBe("intact");
    const lines = await readLines(day("2025-03-10"));
    await writeLines(day("2025-03-10"), [...lines.slice(0, 3), ...lines.slice(4)]);
    const report = await verifyAuditDir({ dir });
    expect(report.files[0]?.verdict).toBe("INVALID: audit.chain.started of writer writer00000y (line 4) links seq 4 of writer writer00000x, but that writer's chain ends at seq 3: its last entries were deleted");
  });

  it("finds an entry moved into another day's file even where the chain order is unchanged", async () => {
    await threeDays();
    for (const d of ["2025-03-10", "2025-03-11"]) await rm(join(dir, `audit-${d}.anchor.json`));
    const [moved, ...rest] = await readLines(day("2025-03-12"));
    await writeLines(day("2025-03-11"), [...(await readLines(day("2025-03-11"))), moved as string]);
    await writeLines(day("2025-03-12"), rest);
    const report = await verifyAuditDir({ dir });
    expect(report.files[1]?.verdict).toMatch(/^INVALID: seq 1 of writer \w+ \(line 4\) is dated 2025-03-12 but sits in the file of 2025-03-11: moved between files$/);
  });

  it("reports CRLF re-saving and a byte-order mark", async () => {
    await threeDays();
    const lines = await readLines(day("2025-03-12"));
    await writeFile(day("2025-03-12"), `\uFEFF${lines.join("\r\n")}\r\n`);
    const report = await verifyAuditDir({ dir });
    expect(report.files[2]?.issues.map((i) => i.kind)).toEqual(["crlf", "bom"]);
  });

  it("finds a missing anchor inside the sealed range and an anchor-less gap outside it", async () => {
    await threeDays(KEY);
    await rm(join(dir, "audit-2025-03-10.anchor.json"));
    const report = await verifyAuditDir({ dir, key: KEY });
    expect(report.anchors.map((a) => [a.day, a.status])).toEqual([["2025-03-11", "invalid"]]);
    expect(report.anchors[0]?.verdict).toMatch(/anchor chain broken: prev_anchor is not the hash of the genesis hash/);
  });

  it("requires the key for a signed trail, naming the variable", async () => {
    await threeDays(KEY);
    await expect(verifyAuditDir({ dir, keyEnv: "SHOP_AUDIT_KEY" })).rejects.toMatchObject({ code: "E_AUDIT_KEY_MISSING", exitCode: 2, message: expect.stringContaining("SHOP_AUDIT_KEY is not set") });
  });

  it("reports a wrong key once by key id, and still hints at one for trails without key ids", async () => {
    await threeDays(KEY);
    const report = await verifyAuditDir({ dir, key: "not-the-key" });
    expect(report.status).toBe("tampered");
    expect(report.wrongKey?.trail).toHaveLength(1);
    expect(report.files).toEqual([]);
    expect(report.hint).toMatch(/MONWIRE_AUDIT_KEY has key id [0-9a-f]{16}, the trail was signed with key id [0-9a-f]{16}/);
    // A trail written before key ids existed: every signed entry failing is the only sign.
    for (const name of ["2025-03-10", "2025-03-11", "2025-03-12"]) {
      const lines = await readLines(day(name));
      await writeLines(day(name), lines.map((line) => (line.includes('"key_id"') ? reforgeLine(line.replace(/"key_id":"[0-9a-f]+",/, ""), {}, KEY) : line)));
    }
    for (const name of await readdir(dir)) if (name.endsWith(".anchor.json")) await rm(join(dir, name));
    const legacy = await verifyAuditDir({ dir, key: "not-the-key" });
    expect(legacy.wrongKey).toBeUndefined();
    expect(legacy.hint).toMatch(/probably not the one this trail was written with/);
  });
});
