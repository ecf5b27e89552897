import { sealThrough } from "../../src/audit/anchor.js";
import { existsSync } from "node:fs";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readCheckpoint } from "../../src/audit/checkpoint.js";
import type { AuditEvent } from "../../src/audit/entry.js";
import { keepFromDay, pruneAuditDir, type PruneOptions } from "../../src/audit/prune.js";
import { sealAuditDir } from "../../src/audit/seal.js";
import { verifyAuditDir } from "../../src/audit/verify.js";
import { TestTrail, type TestWriter } from "../helpers/audit-trail.js";
import { makeTempDir } from "../helpers/cli.js";

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ dir, cleanup } = await makeTempDir("monwire-prune-"));
});
afterEach(async () => cleanup());

const KEY = "prune-key";
const NOW = new Date("2025-03-20T12:00:00.000Z");

/** Entries on 03-10, 03-11, (none on 03-12), 03-13 and 03-19; a long-running writer spans them all. */
async function trailWithGap(key?: string): Promise<{ trail: TestTrail; long: TestWriter }> {
  const trail = new TestTrail({ key, start: "2025-03-10T10:00:00.000Z" });
  const long = trail.writer({ id: "longrunning1" });
  long.record();
  trail.writer().record({ category: "license", action: "license_key.generated" });
  for (const day of ["2025-03-11", "2025-03-13", "2025-03-19"]) {
    trail.at(`${day}T09:00:00.000Z`);
    long.record({ tenant: "KM" });
    trail.writer().record();
  }
  await trail.write(dir);
  return { trail, long };
}

const files = async () => (await readdir(dir)).filter((n) => !n.startsWith(".")).sort();

describe("sealAuditDir", () => {
  it("seals closed days through yesterday, including a day without events, and chains the anchors", async () => {
    await trailWithGap(KEY);
    const result = await sealAuditDir({ dir, key: KEY, now: NOW });
    expect(result.through).toBe("2025-03-19");
    expect(result.sealed.map((a) => [a.day, a.files.length])).toEqual([
      ["2025-03-10", 1], ["2025-03-11", 1], ["2025-03-12", 0], ["2025-03-13", 1], ["2025-03-14", 0],
      ["2025-03-15", 0], ["2025-03-16", 0], ["2025-03-17", 0], ["2025-03-18", 0], ["2025-03-19", 1],
    ]);
    expect(result.sealed.every((a, i) => i === 0 || a.prev_anchor === result.sealed[i - 1]?.hash)).toBe(true);
    expect(result.sealed.every((a) => a.alg === "hmac-sha256")).toBe(true);
    expect((await sealAuditDir({ dir, key: KEY, now: NOW })).sealed).toEqual([]);
    expect((await verifyAuditDir({ dir, key: KEY })).status).toBe("intact");
  });

  it.each([["2025-03-20"], ["2025-03-21"]])("refuses to seal %s (today or later)", async (through) => {
    await trailWithGap();
    await expect(sealAuditDir({ dir, through, key: undefined, now: NOW })).rejects.toMatchObject({ code: "E_OPTION_INVALID", exitCode: 2 });
  });

  it("refuses to seal a signed trail without its key", async () => {
    await trailWithGap(KEY);
    await expect(sealAuditDir({ dir, key: undefined, keyEnv: "SHOP_KEY", now: NOW })).rejects.toMatchObject({ code: "E_AUDIT_KEY_MISSING", message: expect.stringContaining("SHOP_KEY") });
  });
});

describe("pruneAuditDir", () => {
  const base = (overrides: Partial<PruneOptions> = {}): PruneOptions => ({ dir, retentionDays: 7, configuredRetentionDays: 7, yes: false, key: KEY, now: NOW, ...overrides });

  it("plans a dry run without touching anything", async () => {
    await trailWithGap(KEY);
    const before = await files();
    const plan = await pruneAuditDir(base());
    expect(plan.dryRun).toBe(true);
    expect(plan.keepFrom).toBe("2025-03-13");
    expect(plan.days.map((d) => d.day)).toEqual(["2025-03-10", "2025-03-11"]);
    expect(plan.warnings[0]).toMatch(/below the 2555-day/);
    expect(await files()).toEqual(before);
  });

  it("deletes whole old days, records the prune, and leaves a trail that still verifies", async () => {
    const { trail } = await trailWithGap(KEY);
    const recorded: AuditEvent[] = [];
    const result = await pruneAuditDir(base({
      yes: true,
      record: async (event) => {
        recorded.push(event);
        return trail.at("2025-03-20T12:00:00.000Z").writer().record(event);
      },
    }));
    expect(result.dryRun).toBe(false);
    // Sealing first means the old days' anchors go too, and the first kept day is sealed.
    expect(result.days.map((d) => [d.day, d.files.map((f) => f.name)])).toEqual([
      ["2025-03-10", ["audit-2025-03-10.anchor.json", "audit-2025-03-10.log"]],
      ["2025-03-11", ["audit-2025-03-11.anchor.json", "audit-2025-03-11.log"]],
      ["2025-03-12", ["audit-2025-03-12.anchor.json"]],
    ]);
    const remaining = await files();
    expect(remaining.filter((n) => n < "audit-2025-03-13")).toEqual([]);
    expect(remaining).toContain("audit-pruned.json");
    expect(remaining).toContain("audit-2025-03-13.anchor.json");
    const checkpoint = await readCheckpoint(dir);
    expect(checkpoint?.pruned_through).toBe("2025-03-12");
    expect(checkpoint?.last_anchor?.day).toBe("2025-03-12");
    expect(checkpoint?.writers.find((w) => w.writer === "longrunning1")?.last_seq).toBe(3);
    expect(recorded[0]).toMatchObject({ category: "admin", action: "audit.pruned", data: { through: "2025-03-12", days: 3, files: 5, last_anchor_hash: checkpoint?.last_anchor?.hash, checkpoint_hash: checkpoint?.hash } });
    const { writeFile } = await import("node:fs/promises");
    await writeFile(join(dir, "audit-2025-03-20.log"), (trail.linesByDay().get("2025-03-20") ?? []).join(""));
    // Writing on the 20th, the runtime seals the closed days before it (verify expects their anchors).
    await sealThrough({ dir, throughDay: "2025-03-19", firstDay: "2025-03-13", key: KEY });
    const report = await verifyAuditDir({ dir, key: KEY });
    expect(report.files.flatMap((f) => f.issues).concat(report.anchors.flatMap((a) => a.issues)).map((i) => i.message)).toEqual([]);
    expect(report.status).toBe("intact");
    expect(report.files.map((f) => f.name)).toEqual(["audit-2025-03-13.log", "audit-2025-03-19.log", "audit-2025-03-20.log"]);
    expect(report.checkpoint?.status).toBe("valid");
  });

  it("makes a chain that skips the pruned range, or an edited checkpoint, fail verification", async () => {
    await trailWithGap(KEY);
    await pruneAuditDir(base({ yes: true }));
    const { writeFile, readFile } = await import("node:fs/promises");
    const path = join(dir, "audit-pruned.json");
    const original = await readFile(path, "utf8");
    await writeFile(path, original.replace('"pruned_through":"2025-03-12"', '"pruned_through":"2025-03-13"'));
    const report = await verifyAuditDir({ dir, key: KEY });
    expect(report.status).toBe("tampered");
    expect(report.checkpoint?.verdict).toMatch(/checkpoint hash mismatch/);
  });

  it.each<[string, Partial<PruneOptions>, RegExp]>([
    ["zero days", { retentionDays: 0 }, /must be a whole number of days from 1/],
    ["a number beyond exact integers", { retentionDays: 1e20 }, /must be a whole number of days from 1/],
    ["days inside the configured retention", { retentionDays: 30, configuredRetentionDays: 2555 }, /inside the configured retention \(audit.retentionDays = 2555\)/],
  ])("refuses %s", async (_name, options, message) => {
    await trailWithGap(KEY);
    await expect(pruneAuditDir(base(options))).rejects.toThrow(message);
    expect(existsSync(join(dir, "audit-2025-03-10.log"))).toBe(true);
  });

  it("keeps everything, without date overflow, for a retention longer than the calendar", async () => {
    await trailWithGap(KEY);
    const plan = await pruneAuditDir(base({ retentionDays: Number.MAX_SAFE_INTEGER }));
    expect(plan).toMatchObject({ keepFrom: "0001-01-01", days: [], dryRun: true });
    expect(keepFromDay("2025-03-20", 7)).toBe("2025-03-13");
    expect(keepFromDay("2025-03-20", 739_329)).toBe("0001-01-01");
  });

  it("refuses to delete days that do not verify", async () => {
    await trailWithGap();
    const { readFile, writeFile } = await import("node:fs/promises");
    const path = join(dir, "audit-2025-03-10.log");
    await writeFile(path, (await readFile(path, "utf8")).replace('"EUR"', '"KM"'));
    await expect(pruneAuditDir(base({ yes: true, key: undefined }))).rejects.toMatchObject({ code: "E_AUDIT_INVALID", exitCode: 1 });
    expect(existsSync(path)).toBe(true);
  });
});
