import { spawn } from "node:child_process";
import { once } from "node:events";
import { readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FIXTURES, REPO_ROOT, makeTempDir, runMon } from "../helpers/cli.js";
import { TestTrail } from "../helpers/audit-trail.js";

// Clean trails written by the real runtime writer (dist/runtime): several writers, restarts, a
// UTC day boundary through an injected clock, several processes appending to one file, a killed
// writer, then `mon seal` and `mon prune` — `mon verify` must find every one of them intact.
type Runtime = typeof import("../../src/runtime/audit/index.js");
const { createAuditTrail } = (await import(join(REPO_ROOT, "dist/runtime/audit/index.js"))) as Runtime;

const KEY = "writer-verify-key";
let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ dir, cleanup } = await makeTempDir("monwire-verify-writer-"));
});
afterEach(async () => cleanup());

const verify = (extra: string[] = [], key?: string) => runMon(["verify", "--dir", dir, ...extra], { env: { MONWIRE_AUDIT_KEY: key ?? "" } });
const dayOffset = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

describe("mon verify on trails from the real writer", () => {
  it("finds several writers, restarts and a day boundary intact, and the writer's own anchors valid", async () => {
    let now = Date.parse("2025-03-10T23:58:00.000Z");
    const clock = () => new Date(now);
    const tick = () => (now += 7_000);
    const first = createAuditTrail({ dir, key: KEY, clock, sealGraceMs: 0 });
    const second = createAuditTrail({ dir, key: KEY, clock, sealGraceMs: 0 });
    for (let i = 0; i < 30; i++) {
      tick();
      await Promise.all([
        first.financial.deposit({ tenant: "KM", amount: { minor: 100 + i, currency: "BAM" }, wallet: "w-1" }),
        second.authentication.loginFailed({ tenant: "EUR", username: "mallory", ip: "203.0.113.9" }),
      ]);
    }
    await second.close();
    // A restart: a new process (new writer id) continues after the previous writer's head.
    const third = createAuditTrail({ dir, key: KEY, clock, sealGraceMs: 0 });
    for (let i = 0; i < 5; i++, tick()) await third.license.generated({ tenant: "KM", product: "pro", count: 1 });
    await Promise.all([first.close(), third.close()]);

    const names = await readdir(dir);
    expect(names).toEqual(expect.arrayContaining(["audit-2025-03-10.log", "audit-2025-03-11.log", "audit-2025-03-10.anchor.json"]));
    const result = await verify(["--json"], KEY);
    expect(result.exitCode, String(result.stdout)).toBe(0);
    const report = JSON.parse(String(result.stdout));
    expect(report.status).toBe("intact");
    expect(report.summary.writers).toBe(3);
    // + 1: the audit.day.sealed entry of the writer that sealed 2025-03-10.
    expect(report.summary.entries).toBe(30 * 2 + 5 + 3 + 1);
    expect(report.files.flatMap((f: { issues: unknown[] }) => f.issues)).toEqual([]);
    expect(report.anchors.map((a: { status: string }) => a.status)).toEqual(["valid"]);
  });

  it("finds a file appended to by several processes, one of them killed mid-run, intact", async () => {
    const load = join(FIXTURES, "audit-writer", "load.mjs");
    const startAt = String(Date.now() + 1500);
    const run = (limit: string) => spawn(process.execPath, [load, dir, "write", "8", limit, "200"], { cwd: REPO_ROOT, env: { ...process.env, LOAD_START_AT: startAt }, stdio: ["ignore", "pipe", "pipe"] });
    const writers = [run("300"), run("300")];
    const victim = run("1000000");
    let acked = 0;
    victim.stdout.on("data", (chunk: Buffer) => {
      acked += (chunk.toString().match(/^ack /gm) ?? []).length;
      if (acked >= 50 && victim.exitCode === null && !victim.killed) victim.kill("SIGKILL");
    });
    await Promise.all([...writers.map((w) => once(w, "exit")), once(victim, "exit")]);
    expect(writers.map((w) => w.exitCode)).toEqual([0, 0]);
    expect(victim.signalCode).toBe("SIGKILL");
    const result = await verify();
    expect(result.exitCode, String(result.stdout)).toBe(0);
    expect(String(result.stdout)).toMatch(/ — intact$/m);
    expect(String(result.stdout)).toMatch(/3 writers/);
  });
});

describe("mon seal and mon prune", () => {
  async function oldTrail(): Promise<void> {
    const trail = new TestTrail({ key: KEY, start: `${dayOffset(-12)}T10:00:00.000Z` });
    const writer = trail.writer();
    for (const offset of [-12, -11, -9, -2]) {
      trail.at(`${dayOffset(offset)}T10:00:00.000Z`);
      writer.record();
      trail.writer().record({ category: "security", action: "token.revoked" });
    }
    await trail.write(dir);
  }

  it("seals closed days (refusing today), after which verify reports them sealed", async () => {
    await oldTrail();
    const today = await runMon(["seal", "--dir", dir, "--through", dayOffset(0)], { env: { MONWIRE_AUDIT_KEY: KEY } });
    expect(today.exitCode).toBe(2);
    expect(String(today.stderr)).toMatch(/only closed days .* can be sealed/);
    const sealed = await runMon(["seal", "--dir", dir], { env: { MONWIRE_AUDIT_KEY: KEY } });
    expect(sealed.exitCode).toBe(0);
    expect(String(sealed.stdout)).toMatch(new RegExp(`sealed ${dayOffset(-10)}: no events \\(hmac-sha256\\)`));
    expect(String(sealed.stdout)).toMatch(new RegExp(`12 days sealed through ${dayOffset(-1)}`));
    const result = await verify([], KEY);
    expect(result.exitCode).toBe(0);
    expect(String(result.stdout)).toMatch(/4 files: 4 valid; 12 anchors: 12 valid/);
  });

  it("prunes old days only with --yes, records it through the writer, and the rest still verifies", async () => {
    await oldTrail();
    await writeFile(join(dir, "mon.config.json"), JSON.stringify({ audit: { dir: ".", retentionDays: 5 } }));
    const env = { MONWIRE_AUDIT_KEY: KEY };
    const inside = await runMon(["prune", "--retention-days", "3"], { cwd: dir, env });
    expect(inside.exitCode).toBe(2);
    expect(String(inside.stderr)).toMatch(/inside the configured retention \(audit.retentionDays = 5\)/);
    const dry = await runMon(["prune"], { cwd: dir, env });
    expect(dry.exitCode).toBe(0);
    expect(String(dry.stdout)).toMatch(/dry run: 3 days, 3 files, [\d.]+ (B|kB) older than .* would be deleted/);
    expect(String(dry.stderr)).toMatch(/below the 2555-day/);
    expect(await readdir(dir)).toContain(`audit-${dayOffset(-12)}.log`);
    const pruned = await runMon(["prune", "--yes", "--json"], { cwd: dir, env });
    expect(pruned.exitCode, String(pruned.stderr)).toBe(0);
    const result = JSON.parse(String(pruned.stdout));
    expect(result.days.map((d: { day: string }) => d.day)).toEqual([dayOffset(-12), dayOffset(-11), dayOffset(-10), dayOffset(-9), dayOffset(-8), dayOffset(-7), dayOffset(-6)]);
    expect(result.entry).toMatchObject({ category: "admin", action: "audit.pruned", data: { through: dayOffset(-6), last_anchor_hash: result.checkpoint.last_anchor.hash } });
    const names = await readdir(dir);
    expect(names.filter((n) => n.startsWith(`audit-${dayOffset(-12)}`))).toEqual([]);
    expect(names).toContain("audit-pruned.json");
    const after = await runMon(["verify"], { cwd: dir, env });
    expect(after.exitCode, String(after.stdout)).toBe(0);
    expect(String(after.stdout)).toMatch(/audit-pruned\.json\s+valid \(days through .* pruned\)/);
  });
});
