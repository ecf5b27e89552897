import { readFile, readdir } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { computeEntryHash, formatAuditLine } from "../../src/audit/chain.js";
import type { AuditEntry } from "../../src/audit/entry.js";
import { SyntheticTrail } from "../../src/audit/synthetic-trail.js";
import { verifyAuditDir } from "../../src/audit/verify.js";
import { makeTempDir } from "../helpers/cli.js";

// The generator behind every test trail and every benchmark trail: its hashes and lines must be
// exactly the contract's (computeEntryHash, formatAuditLine), and what it writes must verify.
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

function shopTrail(options: { key?: string; streamTo?: string }) {
  const trail = new SyntheticTrail({ ...options, start: "2025-03-10T22:00:00.000Z", stepMs: 600_000 });
  const a = trail.writer({ id: "aaaaaaaaaaaa" });
  const b = trail.writer({ id: "bbbbbbbbbbbb" });
  for (let i = 0; i < 30; i++) {
    (i % 2 ? a : b).record({
      tenant: i % 3 ? "EUR" : "KM", amount: { minor: 100 + i, currency: i % 3 ? "EUR" : "BAM" }, ip: "203.0.113.5",
      data: { note: `quote " backslash \\ newline \n unicode é ${i}`, nested: { z: 1, a: [1, "x"] } }, reason: i % 4 ? undefined : "refund\u2028asked",
    });
  }
  return trail;
}

describe("SyntheticTrail", () => {
  it.each([["unkeyed", undefined], ["keyed", "synthetic-key"]])("hashes and lines are exactly computeEntryHash and formatAuditLine (%s)", async (_name, key) => {
    const { dir, cleanup } = await makeTempDir("monwire-synthetic-");
    cleanups.push(cleanup);
    const trail = shopTrail({ key });
    for (const entry of trail.entries) expect(entry.hash).toBe(computeEntryHash(entry, key));
    const streamed = shopTrail({ key, streamTo: dir });
    streamed.close();
    expect(streamed.entries).toEqual([]);
    const written = (await Promise.all((await readdir(dir)).sort().map((name) => readFile(join(dir, name), "utf8")))).join("");
    expect(written).toBe(trail.entries.map((e: AuditEntry) => formatAuditLine(e)).join(""));
    expect(streamed.streamed).toBe(written.length);
  });

  it("writes and seals a trail that mon verify's core calls intact, links included", async () => {
    const { dir, cleanup } = await makeTempDir("monwire-synthetic-");
    cleanups.push(cleanup);
    const trail = shopTrail({ key: "synthetic-key", streamTo: dir });
    const late = trail.writer({ id: "cccccccccccc", link: null, ts: "2025-03-11T03:00:00.000Z" });
    late.record({ ts: "2025-03-11T03:00:01.000Z" });
    trail.close();
    expect((await trail.seal(dir, "2025-03-10")).map((a) => a.day)).toEqual(["2025-03-10"]);
    const report = await verifyAuditDir({ dir, key: "synthetic-key", jobs: 1 });
    expect(report.files.map((f) => [f.name, f.status])).toEqual([["audit-2025-03-10.log", "valid"], ["audit-2025-03-11.log", "valid"]]);
    expect(report.status).toBe("intact");
  });
});
