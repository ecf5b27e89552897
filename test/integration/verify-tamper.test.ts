import { readdir, rm, truncate, stat, writeFile, readFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { canonicalize } from "../../src/audit/canonical.js";
import { computeEntryHash, formatAuditLine } from "../../src/audit/chain.js";
import type { AuditEntry } from "../../src/audit/entry.js";
import { TestTrail, appendRaw, downgradeTrail, readLines, reforgeLine, writeLines } from "../helpers/audit-trail.js";
import { TEST_DIST, makeTempDir, runMon } from "../helpers/cli.js";

// The tamper matrix (every kind of tampering the audit contract names): every case must make `mon verify` exit 1 and name the place
// (file, and line or seq); the clean trails must exit 0. Trails come from the test generator;
// verify-writer.test.ts covers trails written by the real runtime writer.
const KEY = "tamper-matrix-key";
const A = "aaaaaaaaaaaa";
const C = "cccccccccccc";

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ dir, cleanup } = await makeTempDir("monwire-tamper-"));
});
afterEach(async () => cleanup());

const path = (day: string) => join(dir, `audit-${day}.log`);
const D1 = "2025-03-10";
const D2 = "2025-03-11";
const D3 = "2025-03-12";

/**
 * Day 1: A.start B.start B A B A B A C.start (9 lines). Day 2: A C A C A C (6 lines).
 * Day 3: D.start (links C's last entry) A D. Days 1–2 are sealed; day 3 is "today".
 */
async function fixture(key?: string): Promise<void> {
  const trail = new TestTrail({ key, start: `${D1}T08:00:00.000Z`, stepMs: 60_000 });
  const a = trail.writer({ id: A });
  const b = trail.writer({ id: "bbbbbbbbbbbb" });
  for (let i = 0; i < 6; i++) (i % 2 ? a : b).record({ amount: { minor: 1000 + i, currency: "EUR" } });
  const c = trail.writer({ id: C });
  trail.at(`${D2}T08:00:00.000Z`);
  for (let i = 0; i < 6; i++) (i % 2 ? c : a).record({ tenant: "KM", amount: { minor: 500 + i, currency: "BAM" } });
  trail.at(`${D3}T08:00:00.000Z`);
  const d = trail.writer({ id: "dddddddddddd" });
  a.record();
  d.record({ category: "authentication", action: "login.failed", outcome: "failure" });
  await trail.write(dir);
  await trail.seal(dir, D2);
}

async function verify(key?: string, extra: string[] = []) {
  return runMon(["verify", "--dir", dir, ...extra], { env: key ? { MONWIRE_AUDIT_KEY: key } : { MONWIRE_AUDIT_KEY: "" } });
}

/** Rewrites the entries of `days` the way a forger without the key would: every hash recomputed. */
async function rechain(days: string[], change: (entry: AuditEntry, index: number) => AuditEntry): Promise<void> {
  const heads = new Map<string, string>();
  for (const line of await readLines(path(D1))) {
    const entry = JSON.parse(line) as AuditEntry;
    heads.set(entry.writer, entry.hash);
  }
  const renamed = new Map<string, string>();
  let index = 0;
  for (const day of days) {
    const out: string[] = [];
    for (const line of await readLines(path(day))) {
      let entry = change(JSON.parse(line) as AuditEntry, index++);
      const link = entry.data?.prev_writer as { hash: string } | undefined;
      if (link && renamed.has(link.hash)) entry = { ...entry, data: { ...entry.data, prev_writer: { ...link, hash: renamed.get(link.hash) } } };
      const { hash: old, ...body } = { ...entry, prev: heads.get(entry.writer) ?? entry.prev };
      const hash = computeEntryHash(body, undefined);
      renamed.set(old, hash);
      heads.set(entry.writer, hash);
      out.push(formatAuditLine({ ...body, hash } as AuditEntry));
    }
    await writeFile(path(day), out.join(""));
  }
}

type Case = [name: string, key: string | undefined, tamper: () => Promise<void>, place: RegExp];

const matrix: Case[] = [
  ["edit a field", undefined, async () => {
    const lines = await readLines(path(D1));
    lines[3] = (lines[3] as string).replace('"minor":1001', '"minor":9001');
    await writeLines(path(D1), lines);
  }, /audit-2025-03-10\.log\s+INVALID: hash mismatch at seq 2 \(line 4\)/],
  ["edit a field and recompute its hash without the key", KEY, async () => {
    const lines = await readLines(path(D1));
    lines[3] = reforgeLine(lines[3] as string, { amount: { minor: 9001, currency: "EUR" } });
    await writeLines(path(D1), lines);
  }, /audit-2025-03-10\.log\s+INVALID: seq 2 of writer a{12} \(line 4\) is not signed with the key/],
  ["delete a line", undefined, async () => {
    const lines = await readLines(path(D1));
    await writeLines(path(D1), [...lines.slice(0, 4), ...lines.slice(5)]);
  }, /audit-2025-03-10\.log\s+INVALID: seq gap in writer b{12}: seq 2 \(line 3\) is followed by seq 4 \(line 6\) — 1 entry missing/],
  ["insert a forged line with a recomputed hash but a wrong prev", undefined, async () => {
    const lines = await readLines(path(D1));
    const forged = reforgeLine(lines[5] as string, { prev: "f".repeat(64), amount: { minor: 1, currency: "EUR" } });
    await writeLines(path(D1), [...lines.slice(0, 4), forged, ...lines.slice(4)]);
  }, /audit-2025-03-10\.log\s+INVALID: chain broken at seq 3 \(line 5\): prev is not the hash of seq 2 \(line 4\)/],
  ["insert a forged line fully recomputed without the key", KEY, async () => {
    const lines = await readLines(path(D1));
    const forged = reforgeLine(lines[5] as string, { amount: { minor: 1, currency: "EUR" } });
    await writeLines(path(D1), [...lines.slice(0, 4), forged, ...lines.slice(4)]);
  }, /audit-2025-03-10\.log\s+INVALID: seq 3 of writer a{12} \(line 5\) is not signed with the key/],
  ["swap two lines", undefined, async () => {
    const lines = await readLines(path(D1));
    [lines[3], lines[5]] = [lines[5] as string, lines[3] as string];
    await writeLines(path(D1), lines);
  }, /audit-2025-03-10\.log\s+INVALID: lines reordered in writer a{12}: seq 2 is at line 6, after seq 3 \(line 4\)/],
  ["duplicate a line", undefined, async () => {
    const lines = await readLines(path(D1));
    await writeLines(path(D1), [...lines.slice(0, 4), lines[3] as string, ...lines.slice(4)]);
  }, /audit-2025-03-10\.log\s+INVALID: duplicate line: seq 2 of writer a{12} at line 5 repeats line 4/],
  ["truncate the tail (checked against the anchor)", undefined, async () => {
    const lines = await readLines(path(D2));
    await writeLines(path(D2), lines.slice(0, 4));
  }, /audit-2025-03-11\.log\s+INVALID: tail truncated against anchor: sealed 6 lines \(\d+ bytes\), the file now has 4 lines/],
  ["truncate the tail in the middle of a line", undefined, async () => {
    const size = (await stat(path(D2))).size;
    await truncate(path(D2), size - 40);
  }, /audit-2025-03-11\.log\s+INVALID: tail truncated against anchor: sealed 6 lines \(\d+ bytes\), the file now has 6 lines/],
  ["delete a sealed day file", undefined, async () => {
    await rm(path(D2));
  }, /audit-2025-03-11\.log\s+missing: the anchor sealed 6 lines \(\d+ bytes\) but the file is gone/],
  ["delete an unsealed day file a writer continues from", undefined, async () => {
    await rm(join(dir, `audit-${D2}.anchor.json`));
    await rm(path(D2));
  }, /audit-2025-03-12\.log\s+INVALID: audit\.chain\.started of writer d{12} \(line 1\) links seq 4 of writer c{12}, but that writer's chain ends at seq 1: its last entries were deleted \(\+1 more\)\n\s+.*\n\s+seq gap in writer a{12}: its previous entry is seq 4, the next one is seq 8 \(line 2\)/],
  ["replace a day with a fully recomputed chain (caught by the anchor)", undefined, async () => {
    await rechain([D2, D3], (e, i) => (i === 0 ? { ...e, amount: { minor: 1, currency: "BAM" } } : e));
  }, /audit-2025-03-11\.log\s+INVALID: file changed after anchor: its SHA-256 differs from the sealed one/],
  ["replace a day with a fully recomputed chain (caught by the key)", KEY, async () => {
    await rm(join(dir, `audit-${D2}.anchor.json`));
    await rechain([D2, D3], (e, i) => (i === 0 ? { ...e, amount: { minor: 1, currency: "BAM" } } : e));
  }, /audit-2025-03-11\.log\s+INVALID: writer a{12} signs with the key, but its entries from line 1 are plain SHA-256: forged without the key/],
  ["edit an anchor", KEY, async () => {
    const anchorPath = join(dir, `audit-${D1}.anchor.json`);
    const anchor = JSON.parse(await readFile(anchorPath, "utf8"));
    anchor.files[0].lines -= 1;
    await writeFile(anchorPath, `${canonicalize(anchor)}\n`);
  }, /audit-2025-03-10\.anchor\.json\s+INVALID: anchor hash mismatch: the anchor was edited after sealing/],
  ["key downgrade: the whole keyed trail rewritten with plain SHA-256 and re-sealed without a key", KEY, async () => {
    await downgradeTrail(dir, D3);
  }, /audit-2025-03-10\.log\s+INVALID: writer a{12} \(line 1\) is not signed with the key and nothing signed with the key records that signing began after them: written without the key \(key downgrade\)/],
  ["delete an anchor", undefined, async () => {
    await rm(join(dir, `audit-${D1}.anchor.json`));
  }, /audit-2025-03-11\.anchor\.json\s+INVALID: anchor chain broken: prev_anchor is not the hash of the genesis hash/],
];

describe("mon verify: tamper matrix", () => {
  it.each(matrix)("%s → exit 1, names the place", async (_name, key, tamper, place) => {
    await fixture(key);
    const clean = await verify(key);
    expect(clean.exitCode, String(clean.stdout)).toBe(0);
    await tamper();
    const result = await verify(key);
    expect(result.exitCode, String(result.stdout) + String(result.stderr)).toBe(1);
    expect(String(result.stdout)).toMatch(place);
    expect(String(result.stdout)).toMatch(/— TAMPERED$/m);
  });
});

describe("mon verify: clean trails", () => {
  it.each([["unkeyed", undefined], ["keyed", KEY]])("exits 0 on a clean %s trail with several writers, restarts and a day boundary", async (_name, key) => {
    await fixture(key);
    const result = await verify(key);
    expect(result.exitCode).toBe(0);
    expect(String(result.stdout)).toMatch(/^audit-2025-03-10\.log\s+valid — 9 entries, 3 writers, sealed$/m);
    expect(String(result.stdout)).toMatch(/^audit-2025-03-12\.log\s+valid — 3 entries, 2 writers, not sealed yet$/m);
    expect(String(result.stdout)).toMatch(/3 files: 3 valid; 2 anchors: 2 valid; 18 entries — intact$/m);
  });

  it("exits 0 on a torn final line and says so", async () => {
    await fixture();
    await appendRaw(path(D3), '{"action":"wallet.deposit","actor":{"id":"u');
    const result = await verify();
    expect(result.exitCode).toBe(0);
    expect(String(result.stdout)).toMatch(/audit-2025-03-12\.log\s+torn final line 4: a write cut short by a crash \(not tampering\)/);
  });

  it("prints one JSON document with --json and verifies a range", async () => {
    await fixture(KEY);
    const result = await verify(KEY, ["--json", "--from", D2, "--to", D3]);
    expect(result.exitCode).toBe(0);
    const report = JSON.parse(String(result.stdout));
    expect(report).toMatchObject({ status: "intact", keyed: true, from: D2, to: D3 });
    expect(report.files.map((f: { name: string }) => f.name)).toEqual(["audit-2025-03-11.log", "audit-2025-03-12.log"]);
  });

  it("exits 2 for a signed trail without its key, a bad day, or a missing directory", async () => {
    await fixture(KEY);
    const noKey = await verify(undefined);
    expect(noKey.exitCode).toBe(2);
    expect(String(noKey.stderr)).toMatch(/signed with HMAC-SHA256 .* but MONWIRE_AUDIT_KEY is not set/);
    expect((await verify(KEY, ["--from", "2025-02-30"])).exitCode).toBe(2);
    const missing = await runMon(["verify", "--dir", join(dir, "nope")]);
    expect(missing.exitCode).toBe(2);
    expect(String(missing.stderr)).toMatch(/audit directory .*nope does not exist/);
  });
});

// Writers whose clocks disagree are not tampering: sealing waits audit.sealGraceSeconds after
// midnight (10 minutes by default), writers never append to a sealed day, and verify accepts an
// entry filed late in the next day's file. Real runtime writers, fake clocks.
describe("mon verify: clock skew across midnight", () => {
  type Runtime = typeof import("../../src/runtime/audit/index.js");
  const load = async () => ((await import(join(TEST_DIST, "runtime/audit/index.js"))) as Runtime).createAuditTrail;

  async function writeAcrossMidnight(skewsMs: number[], stepMs: number, until: string): Promise<void> {
    const createAuditTrail = await load();
    let now = Date.parse(`${D1}T23:50:00.000Z`);
    const writers = skewsMs.map((skew) => createAuditTrail({ dir, key: KEY, clock: () => new Date(now + skew) }));
    for (let i = 0; now < Date.parse(until); i++, now += stepMs) {
      await Promise.all(writers.map((w, j) => w.financial.deposit({ tenant: "KM", amount: { minor: 100 + i * 10 + j, currency: "BAM" }, wallet: `w-${j}` })));
      // Let background sealing finish before the fake clock moves on, as it would in real time.
      await Promise.all(writers.map((w) => w.flush()));
      await delay(15);
    }
    await Promise.all(writers.map((w) => w.close()));
  }

  it("two writers 2 minutes apart, writing through midnight and the seal, verify intact", async () => {
    await writeAcrossMidnight([60_000, -60_000], 10_000, `${D2}T00:20:00.000Z`);
    const names = await readdir(dir);
    expect(names).toEqual(expect.arrayContaining([`audit-${D1}.log`, `audit-${D2}.log`, `audit-${D1}.anchor.json`]));
    const result = await verify(KEY, ["--json"]);
    const report = JSON.parse(String(result.stdout));
    expect(report.files.flatMap((f: { issues: { message: string }[] }) => f.issues.map((i) => i.message))).toEqual([]);
    expect(result.exitCode).toBe(0);
    expect(report.anchors.map((a: { status: string }) => a.status)).toEqual(["valid"]);
  });

  it("a writer lagging beyond the grace files its late entries in the next day's file, never in the sealed one", async () => {
    const createAuditTrail = await load();
    let now = Date.parse(`${D2}T00:11:00.000Z`);
    const ahead = createAuditTrail({ dir, key: KEY, clock: () => new Date(now) });
    const lagging = createAuditTrail({ dir, key: KEY, clock: () => new Date(now - 15 * 60_000) });
    await lagging.financial.deposit({ tenant: "KM", amount: { minor: 1, currency: "BAM" }, wallet: "w-1" });
    // The writer whose clock is right seals the day (its close waits for the seal) ...
    await ahead.financial.deposit({ tenant: "KM", amount: { minor: 2, currency: "BAM" }, wallet: "w-2" });
    await ahead.close();
    expect(await readdir(dir)).toContain(`audit-${D1}.anchor.json`);
    // ... and the lagging one, still before midnight by its clock, must not append to it.
    for (let i = 0; i < 3; i++, now += 1000) await lagging.financial.deposit({ tenant: "KM", amount: { minor: 3 + i, currency: "BAM" }, wallet: "w-1" });
    await lagging.close();
    const result = await verify(KEY, ["--json"]);
    const report = JSON.parse(String(result.stdout));
    expect(result.exitCode, JSON.stringify(report.files.map((f: { verdict: string }) => f.verdict))).toBe(0);
    expect(report.files.map((f: { name: string; entries: number }) => [f.name, f.entries])).toEqual([[`audit-${D1}.log`, 2], [`audit-${D2}.log`, 6]]); // + the sealing writer's audit.day.sealed
    const late = report.files[1].issues.filter((i: { kind: string }) => i.kind === "late");
    expect(late).toHaveLength(3);
    expect(late[0].message).toMatch(/is dated 2025-03-10T23:56:00\.000Z, in the file of 2025-03-11: its writer's clock lagged/);
  });

  it("mon seal waits audit.sealGraceSeconds after midnight", async () => {
    const { sealAuditDir } = (await import(join(TEST_DIST, "audit/seal.js"))) as typeof import("../../src/audit/seal.js");
    await fixture(KEY);
    const at = (iso: string) => new Date(iso);
    await expect(sealAuditDir({ dir, key: KEY, through: D3, now: at(`2025-03-13T00:05:00.000Z`) })).rejects.toThrow(/cannot seal 2025-03-12 yet: it closed less than 600 s ago/);
    expect((await sealAuditDir({ dir, key: KEY, now: at(`2025-03-13T00:05:00.000Z`) })).through).toBe(D2);
    expect((await sealAuditDir({ dir, key: KEY, now: at(`2025-03-13T00:11:00.000Z`) })).sealed.map((a: { day: string }) => a.day)).toEqual([D3]);
    expect((await sealAuditDir({ dir, key: KEY, now: at(`2025-03-14T00:01:00.000Z`), graceSeconds: 30 })).sealed).toHaveLength(1);
  });
});

// Anchors are bound into the entry chains (the sealing writer's audit.day.sealed entry, and the
// prev_anchor of each audit.chain.started), so deleting them is a finding; the newest day, which
// nothing later refers to, needs a witness. Trails from the real runtime writer, fake clock.
describe("mon verify: deleted anchors and truncated history", () => {
  type Runtime = typeof import("../../src/runtime/audit/index.js");
  const D4 = "2025-03-13";
  const witnessFile = () => join(dir, "..", `${dir.split("/").pop()}-witness.json`);
  // The witness lives beside the trail, outside the directory the outer cleanup removes.
  afterEach(async () => rm(witnessFile(), { force: true }));

  /** Writer A from D1 noon to D4 noon (it seals D1–D3 as it goes), then writer B restarts on D4. */
  async function runtimeTrail(key?: string): Promise<void> {
    const { createAuditTrail } = (await import(join(TEST_DIST, "runtime/audit/index.js"))) as Runtime;
    let now = Date.parse(`${D1}T12:00:00.000Z`);
    const clock = () => new Date(now);
    const a = createAuditTrail({ dir, key, clock });
    for (let i = 0; now < Date.parse(`${D4}T12:00:00.000Z`); i++, now += 6 * 3_600_000) {
      await a.financial.deposit({ tenant: "KM", amount: { minor: 100 + i, currency: "BAM" }, wallet: "w-1" });
      await a.flush();
    }
    await a.close();
    now = Date.parse(`${D4}T13:00:00.000Z`);
    const b = createAuditTrail({ dir, key, clock });
    await b.authentication.loginFailed({ tenant: "EUR", username: "mallory", ip: "203.0.113.9" });
    await b.close();
  }

  const anchorPath = (day: string) => join(dir, `audit-${day}.anchor.json`);

  it.each([["unkeyed", undefined], ["keyed", KEY]])("deleting every anchor is a finding (%s)", async (_name, key) => {
    await runtimeTrail(key);
    expect((await verify(key)).exitCode).toBe(0);
    for (const day of [D1, D2, D3]) await rm(anchorPath(day));
    const result = await verify(key);
    expect(result.exitCode).toBe(1);
    expect(String(result.stdout)).toMatch(/audit-2025-03-11\.log\s+INVALID: line \d+ \(writer [0-9a-f]{12}\) names the anchor of 2025-03-10, which is gone: the anchor was deleted/);
  });

  it("deleting the newest anchor is a finding: the next day's entries name it", async () => {
    await runtimeTrail(KEY);
    await rm(anchorPath(D3));
    const result = await verify(KEY);
    expect(result.exitCode).toBe(1);
    expect(String(result.stdout)).toMatch(/audit-2025-03-13\.log\s+INVALID: line \d+ \(writer [0-9a-f]{12}\) names the anchor of 2025-03-12, which is gone: the anchor was deleted/);
  });

  it("deleting a day's anchor while two later days exist is a finding even if nothing names it", async () => {
    await fixture(KEY);
    const later = new TestTrail({ key: KEY, start: "2025-03-14T08:00:00.000Z" });
    later.writer({ id: "ffffffffffff" }).record();
    for (const [, lines] of later.linesByDay()) await writeFile(join(dir, "audit-2025-03-14.log"), lines.join(""));
    expect((await verify(KEY)).exitCode).toBe(1); // 2025-03-12 should have been sealed by now
    expect(String((await verify(KEY)).stdout)).toMatch(/audit-2025-03-12\.anchor\.json\s+missing: no anchor for a day inside the sealed range/);
  });

  it("deleting the newest day file with its anchor: undetectable from the trail alone, TAMPERED against a witness", async () => {
    await runtimeTrail(KEY);
    const sealed = await runMon(["seal", "--dir", dir, "--through", D4, "--witness", witnessFile()], { env: { MONWIRE_AUDIT_KEY: KEY } });
    expect(sealed.exitCode, String(sealed.stderr)).toBe(0);
    expect(String(sealed.stdout)).toMatch(/witness written to .*: 2 writers, newest anchor 2025-03-13/);
    expect((await verify(KEY, ["--witness", witnessFile()])).exitCode).toBe(0);
    await rm(path(D4));
    await rm(anchorPath(D4));
    // Nothing left in the trail refers to the newest day: without a witness it verifies intact.
    expect((await verify(KEY)).exitCode).toBe(0);
    const result = await verify(KEY, ["--witness", witnessFile()]);
    expect(result.exitCode).toBe(1);
    expect(String(result.stdout)).toMatch(/^witness\s+INVALID: the witness saw the anchor of 2025-03-13, which is gone: the newest days were deleted \(\+2 more\)/m);
    expect(String(result.stdout)).toMatch(/writer [0-9a-f]{12} ends at seq \d+, but the witness saw seq \d+: its newest \d+ entries were deleted/);
    expect(String(result.stdout)).toMatch(/the witness saw writer [0-9a-f]{12} at seq 2, but the trail has no entries of it: they were deleted/);
  });

  it("an empty or missing directory is TAMPERED when the witness saw a trail", async () => {
    await runtimeTrail(KEY);
    expect((await runMon(["seal", "--dir", dir, "--through", D4, "--witness", witnessFile()], { env: { MONWIRE_AUDIT_KEY: KEY } })).exitCode).toBe(0);
    for (const name of await readdir(dir)) await rm(join(dir, name));
    const empty = await verify(KEY, ["--witness", witnessFile()]);
    expect(empty.exitCode).toBe(1);
    expect(String(empty.stdout)).toMatch(/TAMPERED/);
    await rm(dir, { recursive: true });
    const missing = await verify(KEY, ["--witness", witnessFile()]);
    expect(missing.exitCode).toBe(1);
    expect(String(missing.stdout)).toMatch(/^witness\s+INVALID: the witness saw the anchor of 2025-03-13, which is gone/m);
    // Without a witness a missing directory stays a usage error.
    expect((await verify(KEY)).exitCode).toBe(2);
  });
});
