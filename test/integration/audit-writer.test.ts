import { createHash } from "node:crypto";
import { appendFileSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createAuditTrail, type AuditTrailOptions } from "../../src/runtime/audit/index.js";
import { runWithContext } from "../../src/runtime/context.js";
import { getMetrics } from "../../src/runtime/metrics.js";
import { isMonwireError } from "../../src/errors.js";
import { makeTempDir } from "../helpers/cli.js";
import { checkTrail } from "../fixtures/audit-writer/check-chain.js";

const TENANTS = { values: ["EUR", "KM"], currency: { EUR: "EUR", KM: "BAM" } };
let dir: string;
let cleanup: () => Promise<void>;
let warnings: string[];
beforeEach(async () => {
  const temp = await makeTempDir("monwire-audit-writer-");
  dir = join(temp.dir, "logs");
  cleanup = temp.cleanup;
  warnings = [];
});
afterEach(async () => {
  await cleanup();
  expect(warnings).toEqual([]);
});

/** A clock the test moves by hand. */
function manualClock(start: string): { clock: () => Date; set: (iso: string) => void } {
  let now = new Date(start);
  return { clock: () => now, set: (iso) => (now = new Date(iso)) };
}

function trail(options: Partial<AuditTrailOptions> = {}) {
  return createAuditTrail({ dir, tenants: TENANTS, onWarning: (message) => warnings.push(message), ...options });
}

describe("audit trail writer", () => {
  it("creates the directory (0750) and a day file (0640) holding a chain.started entry and the entry", async () => {
    const audit = trail();
    const entry = await audit.financial.deposit({ tenant: "KM", amount: { minor: 1250 }, wallet: "w-1" });
    await audit.close();
    expect(statSync(dir).mode & 0o777).toBe(0o750);
    const [file] = readdirSync(dir);
    expect(statSync(join(dir, file as string)).mode & 0o777).toBe(0o640);
    const check = checkTrail(dir);
    expect(check.problems).toEqual([]);
    expect(check.entries.map((e) => [e.seq, e.action])).toEqual([[1, "audit.chain.started"], [2, "wallet.deposit"]]);
    expect(check.entries[1]).toEqual(entry);
    expect(entry).toMatchObject({ tenant: "KM", amount: { minor: 1250, currency: "BAM" }, target: { type: "wallet", id: "w-1" }, actor: { id: "system", type: "system" } });
    expect(check.entries[0]?.data).toMatchObject({ alg: "sha256", pid: process.pid, prev_writer: null });
  });

  it("fills tenant, actor, ip, user agent and request id from the request context", async () => {
    const audit = trail();
    const entry = await runWithContext(
      { requestId: "req-9", tenant: "unknown", rawTenant: "ACME", ip: "10.0.0.7", userAgent: "curl/8", actor: { id: "u-1", role: "admin", type: "user" }, branch: "b-2" },
      () => audit.license.generated({ product: "pro", keys: ["ABCD-EFGH-IJKL-MNOP"] }),
    );
    const anonymous = await runWithContext({ requestId: "req-10", tenant: "EUR" }, () => audit.authentication.loginFailed({ username: "eve" }));
    await audit.close();
    expect(entry).toMatchObject({ tenant: "ACME", ip: "10.0.0.7", user_agent: "curl/8", request_id: "req-9", branch: "b-2", actor: { id: "u-1", role: "admin", type: "user" } });
    expect(anonymous).toMatchObject({ tenant: "EUR", outcome: "failure", actor: { id: "anonymous", type: "anonymous" }, data: { username: "eve" } });
  });

  it("group-commits concurrent entries into far fewer write calls, counting audit_events_total", async () => {
    const before = (await getMetrics().auditEvents.get()).values.find((v) => v.labels.category === "security" && v.labels.tenant === "EUR")?.value ?? 0;
    const audit = trail();
    const pending = Array.from({ length: 400 }, (_, i) => audit.security.event({ action: "rate_limit.exceeded", tenant: "EUR", data: { i } }));
    // flush() covers everything recorded before it, so record() must hand entries to the queue synchronously.
    await audit.flush();
    expect(checkTrail(dir).entries).toHaveLength(401);
    const entries = await Promise.all(pending);
    const stats = audit.stats();
    await audit.close();
    expect(entries.map((e) => e.seq)).toEqual(Array.from({ length: 400 }, (_, i) => i + 2));
    expect(stats.written).toBe(401);
    expect(stats.writeCalls).toBeLessThan(20);
    const after = (await getMetrics().auditEvents.get()).values.find((v) => v.labels.category === "security" && v.labels.tenant === "EUR")?.value ?? 0;
    expect(after - before).toBe(400);
    expect(checkTrail(dir).problems).toEqual([]);
  });

  it("fsync mode writes the same valid chain", async () => {
    const audit = trail({ durability: "fsync" });
    await Promise.all(Array.from({ length: 50 }, (_, i) => audit.admin.action({ action: "config.changed", data: { i } })));
    await audit.close();
    const check = checkTrail(dir);
    expect(check.problems).toEqual([]);
    expect(check.entries).toHaveLength(51);
  });

  it("HMAC mode: hashes differ from plain SHA-256, verify with the key, and the key is never written", async () => {
    const key = "k3y-material-that-must-stay-secret";
    process.env.MONWIRE_TEST_HMAC_KEY = key;
    const audit = trail({ keyEnv: "MONWIRE_TEST_HMAC_KEY" });
    expect(audit.algorithm).toBe("hmac-sha256");
    await audit.financial.refund({ tenant: "EUR", amount: { minor: 500 }, wallet: "w-2" });
    await audit.close();
    delete process.env.MONWIRE_TEST_HMAC_KEY;
    expect(checkTrail(dir, { key }).problems).toEqual([]);
    expect(checkTrail(dir).problems.some((p) => p.includes("hash mismatch"))).toBe(true);
    expect(checkTrail(dir).bytes.includes(key)).toBe(false);
    expect(checkTrail(dir, { key }).entries[0]?.data?.alg).toBe("hmac-sha256");
  });

  it("switches day files at UTC midnight and seals the closed day after the grace period", async () => {
    const time = manualClock("2025-03-09T23:59:59.900Z");
    const audit = trail({ clock: time.clock });
    await audit.admin.action({ action: "job.ran" });
    time.set("2025-03-10T00:09:59.000Z");
    await audit.admin.action({ action: "job.ran" });
    await audit.flush();
    expect(existsSync(join(dir, "audit-2025-03-09.anchor.json"))).toBe(false); // still inside the 10-minute grace
    time.set("2025-03-10T00:10:01.000Z");
    await audit.admin.action({ action: "job.ran" });
    await audit.close();
    const check = checkTrail(dir);
    expect(check.problems).toEqual([]);
    expect(check.entries.map((e) => e.ts.slice(0, 10))).toEqual(["2025-03-09", "2025-03-09", "2025-03-10", "2025-03-10", "2025-03-10"]);
    const anchor = JSON.parse(readFileSync(join(dir, "audit-2025-03-09.anchor.json"), "utf8"));
    // The sealing writer binds the anchor into its chain.
    expect(check.entries[4]).toMatchObject({ action: "audit.day.sealed", data: { anchor: { day: "2025-03-09", hash: anchor.hash } } });
    const day = readFileSync(join(dir, "audit-2025-03-09.log"));
    expect(anchor.files).toEqual([{ name: "audit-2025-03-09.log", sha256: createHash("sha256").update(day).digest("hex"), bytes: day.length, lines: 2 }]);
    expect(anchor.writers).toEqual([{ writer: audit.writer, first_seq: 1, last_seq: 2, last_hash: check.entries[1]?.hash }]);
  });

  it("anchors days without events between two written days", async () => {
    const time = manualClock("2025-03-09T12:00:00.000Z");
    const audit = trail({ clock: time.clock });
    await audit.admin.action({ action: "job.ran" });
    time.set("2025-03-12T09:00:00.000Z");
    await audit.admin.action({ action: "job.ran" });
    await audit.close();
    const anchors = readdirSync(dir).filter((n) => n.endsWith(".anchor.json")).sort();
    expect(anchors).toEqual(["audit-2025-03-09.anchor.json", "audit-2025-03-10.anchor.json", "audit-2025-03-11.anchor.json"]);
    const empty = JSON.parse(readFileSync(join(dir, "audit-2025-03-10.anchor.json"), "utf8"));
    const first = JSON.parse(readFileSync(join(dir, "audit-2025-03-09.anchor.json"), "utf8"));
    expect(empty).toMatchObject({ files: [], writers: [], prev_anchor: first.hash });
  });

  it("a failing seal is reported and counted but never fails record()", async () => {
    const time = manualClock("2025-03-09T12:00:00.000Z");
    const audit = trail({ clock: time.clock });
    await audit.admin.action({ action: "job.ran" });
    // A directory where the anchor file must go: sealing that day fails on every attempt.
    mkdirSync(join(dir, "audit-2025-03-09.anchor.json"));
    time.set("2025-03-10T08:00:00.000Z");
    const entry = await audit.admin.action({ action: "job.ran" });
    await audit.close();
    expect(entry.seq).toBe(3);
    expect(audit.stats().sealFailures).toBe(1);
    expect(warnings).toEqual([expect.stringContaining("sealing closed days")]);
    warnings.length = 0;
    expect(checkTrail(dir).problems).toEqual([]);
  });

  it("links the previous writer's head and closes off a torn final line left by a crash", async () => {
    const first = trail();
    const head = await first.admin.action({ action: "job.ran" });
    await first.close();
    const [file] = readdirSync(dir);
    appendFileSync(join(dir, file as string), '{"action":"wallet.dep'); // what a crash mid-write leaves
    const second = trail();
    await second.admin.action({ action: "job.ran" });
    await second.close();
    const check = checkTrail(dir);
    expect(check.problems).toEqual([]);
    expect(check.torn).toMatchObject([{ final: false, followedBy: { action: "audit.chain.started", writer: second.writer } }]);
    expect(check.byWriter.get(second.writer)?.[0]?.data?.prev_writer).toEqual({ writer: first.writer, seq: head.seq, hash: head.hash });
  });

  it("rejects invalid events with E_AUDIT_INVALID and writes nothing for them", async () => {
    const audit = trail();
    const bad = [
      { category: "financial", action: "wallet.deposit", amount: { minor: 12.5, currency: "EUR" } },
      { category: "financial", action: "wallet.deposit", amount: { minor: 100, currency: "XYZ" } },
      { category: "financial", action: "wallet.deposit", amount: { minor: 100 } },
      { category: "nope", action: "a.b" },
      { category: "admin", action: "Not Dotted" },
      { category: "admin", action: "a.b", data: { n: Number.NaN } },
    ];
    for (const event of bad) {
      const error = await audit.record(event as never).catch((e: unknown) => e);
      expect(isMonwireError(error) && error.code, JSON.stringify(event)).toBe("E_AUDIT_INVALID");
    }
    await audit.close();
    expect(existsSync(dir)).toBe(false);
    await expect(audit.record({ category: "admin", action: "a.b" })).rejects.toMatchObject({ code: "E_AUDIT_CLOSED" });
  });
});
