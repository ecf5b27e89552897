import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { appendFile, chmod, mkdir, rm, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { dayFileName } from "../../src/audit/chain.js";
import { TestTrail } from "../helpers/audit-trail.js";
import { MON_BIN, makeTempDir, runMon } from "../helpers/cli.js";

/**
 * The built readers (`verify`, `tail`, `report`, `prune`) on hostile or broken input: a day file
 * that cannot be read, an absurd retention, a line far over the line cap, garbage appended
 * without a newline. Each gives a clear message and its documented exit code, never exit 70.
 */
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

const DAYS = ["2025-01-04", "2025-01-05"];
const env = { MONWIRE_AUDIT_KEY: "" };

async function trailDir(): Promise<string> {
  const temp = await makeTempDir("monwire-readers-");
  cleanups.push(temp.cleanup);
  const trail = new TestTrail({ start: `${DAYS[0]}T08:00:00.000Z` });
  const writer = trail.writer();
  for (const day of DAYS) {
    trail.at(`${day}T08:00:00.000Z`);
    for (let i = 0; i < 5; i++) writer.record({ tenant: "EUR", amount: { minor: 100 + i, currency: "EUR" } });
  }
  const dir = join(temp.dir, "logs");
  await trail.write(dir);
  return dir;
}

const noInternalError = (result: { stdout: unknown; stderr: unknown; exitCode?: number }) => {
  expect(String(result.stderr)).not.toMatch(/internal error|    at /);
  expect(result.exitCode).not.toBe(70);
};

/** Makes the first day's file unreadable: a directory, or a symlink pointing at itself (ELOOP). */
const unreadable = {
  directory: async (path: string) => {
    await rm(path);
    await mkdir(path);
  },
  "symlink loop": async (path: string) => {
    await rm(path);
    await symlink(path, path);
  },
};

describe.each(Object.entries(unreadable))("an unreadable day file (%s)", (_name, breakFile) => {
  it("is a finding in mon verify (exit 1), named with the file", async () => {
    const dir = await trailDir();
    await breakFile(join(dir, dayFileName(DAYS[0] as string)));
    const result = await runMon(["verify", "--dir", dir], { env });
    noInternalError(result);
    expect(result.exitCode).toBe(1);
    expect(String(result.stdout)).toMatch(new RegExp(`${dayFileName(DAYS[0] as string)}\\s+INVALID: cannot read`));
    const json = await runMon(["verify", "--dir", dir, "--json"], { env });
    expect(JSON.parse(String(json.stdout)).status).toBe("tampered");
  });

  it("is named by mon tail, which shows the rest and exits 1", async () => {
    const dir = await trailDir();
    await breakFile(join(dir, dayFileName(DAYS[0] as string)));
    const result = await runMon(["tail", "--dir", dir, "--no-follow", "--since", DAYS[0] as string], { env });
    noInternalError(result);
    expect(result.exitCode).toBe(1);
    expect(String(result.stderr)).toContain(`${dayFileName(DAYS[0] as string)}: cannot read`);
    expect(String(result.stdout).trim().split("\n")).toHaveLength(5);
  });

  it("makes mon report --day a finding (exit 1), with or without verification", async () => {
    const dir = await trailDir();
    await breakFile(join(dir, dayFileName(DAYS[0] as string)));
    for (const extra of [[], ["--no-verify"]]) {
      const result = await runMon(["report", "--dir", dir, "--day", DAYS[0] as string, ...extra], { env });
      noInternalError(result);
      expect(result.exitCode).toBe(1);
      expect(String(result.stdout)).toContain("cannot read");
    }
  });

  it("fails mon check's audit checks (exit 1) instead of crashing", async () => {
    const dir = await trailDir();
    await breakFile(join(dir, dayFileName(DAYS[0] as string)));
    await writeFile(join(dir, "..", "mon.config.json"), JSON.stringify({ service: "shop", audit: { dir: "logs" } }));
    const result = await runMon(["check", "--only", "audit", "--offline", "--json"], { env, cwd: join(dir, "..") });
    noInternalError(result);
    expect(result.exitCode).toBe(1);
    const checks = JSON.parse(String(result.stdout)).checks as Array<{ id: string; status: string; summary: string }>;
    expect(checks.find((c) => c.id === "audit.chain")).toMatchObject({ status: "fail", summary: expect.stringContaining("cannot read the file") });
    expect(checks.find((c) => c.id === "audit.schema")?.status).toBe("fail");
  });
});

describe("a day file unreadable for a non-root user (EACCES)", () => {
  const setpriv = ["/usr/bin/setpriv", "/bin/setpriv"].find((p) => existsSync(p));
  const canDrop = process.getuid?.() === 0 && setpriv !== undefined;
  it.skipIf(!canDrop)("is a finding in verify and a named problem in tail, run as nobody", async () => {
    const dir = await trailDir();
    await chmod(join(dir, ".."), 0o755);
    await chmod(dir, 0o755);
    for (const day of DAYS) await chmod(join(dir, dayFileName(day)), 0o644);
    await chmod(join(dir, dayFileName(DAYS[0] as string)), 0o000);
    const asNobody = (args: string[]) => {
      try {
        return { exitCode: 0, stdout: execFileSync(setpriv as string, ["--reuid=65534", "--regid=65534", "--clear-groups", process.execPath, MON_BIN, ...args], { env: { ...process.env, ...env, CI: "true", NO_COLOR: "1" }, stdio: "pipe", cwd: dir }).toString(), stderr: "" };
      } catch (error) {
        const e = error as { status: number; stdout: Buffer; stderr: Buffer };
        return { exitCode: e.status, stdout: e.stdout.toString(), stderr: e.stderr.toString() };
      }
    };
    const verify = asNobody(["verify", "--dir", dir]);
    noInternalError(verify);
    expect(verify.exitCode).toBe(1);
    expect(verify.stdout).toMatch(/INVALID: cannot read.*EACCES/);
    const tail = asNobody(["tail", "--dir", dir, "--no-follow", "--since", DAYS[0] as string]);
    noInternalError(tail);
    expect(tail.exitCode).toBe(1);
    expect(tail.stderr).toMatch(/cannot read \(EACCES/);
  });
});

describe("mon prune --retention-days", () => {
  it("refuses a number it cannot hold exactly, as a usage error (exit 2)", async () => {
    const dir = await trailDir();
    const result = await runMon(["prune", "--dir", dir, "--retention-days", "99999999999999999999"], { env });
    noInternalError(result);
    expect(result.exitCode).toBe(2);
    expect(String(result.stderr)).toMatch(/--retention-days "99999999999999999999" is not a whole number of days/);
    for (const bad of ["1e3", "-5", "12abc"]) expect((await runMon(["prune", "--dir", dir, "--retention-days", bad], { env })).exitCode).toBe(2);
  });

  it("keeps everything for the largest exact retention", async () => {
    const dir = await trailDir();
    const result = await runMon(["prune", "--dir", dir, "--retention-days", String(Number.MAX_SAFE_INTEGER)], { env });
    noInternalError(result);
    expect(result.exitCode).toBe(0);
    expect(String(result.stdout)).toMatch(/nothing to prune: no audit days before 0001-01-01/);
  });
});

describe("a line far over the line cap", () => {
  it("mon tail reads past a 32 MB line in linear time and names its size", async () => {
    const dir = await trailDir();
    const path = join(dir, dayFileName(DAYS[1] as string));
    await appendFile(path, Buffer.alloc(32 * 1024 * 1024, 0x78));
    await appendFile(path, "\n");
    const started = Date.now();
    // -n 20 makes history cross the long line backwards; --since reads it forwards.
    for (const args of [["-n", "20"], ["--since", DAYS[1] as string]]) {
      const result = await runMon(["tail", "--dir", dir, "--no-follow", ...args], { env, timeout: 60_000 });
      noInternalError(result);
      expect(String(result.stderr)).toContain(`${dayFileName(DAYS[1] as string)}:6: line of 33554432 bytes, longer than the 1048576-byte line cap`);
      expect(String(result.stderr).length).toBeLessThan(2000);
    }
    // Generous: the quadratic reader took 13 s for this on the reference machine; linear takes well under 1 s.
    expect(Date.now() - started).toBeLessThan(20_000);
  }, 90_000);
});

describe("garbage appended without a newline", () => {
  it.each<[string, () => Buffer, number, RegExp]>([
    ["100 MB of garbage is tampering, not a torn line", () => Buffer.alloc(100 * 1024 * 1024, 0x78), 1, /INVALID: final line 6 \(104857600 bytes, no newline\) is not the start of an entry/],
    ["a short non-entry is tampering", () => Buffer.from("rm -rf /"), 1, /INVALID: final line 6 \(8 bytes, no newline\) is not the start of an entry/],
    ["an entry's start cut by a crash stays a torn line", () => Buffer.from('{"action":"wallet.deposit","actor":{"id":"u'), 0, /torn final line 6: a write cut short by a crash/],
  ])("%s (mon verify, mon report)", async (_name, garbage, exitCode, verdict) => {
    const dir = await trailDir();
    await appendFile(join(dir, dayFileName(DAYS[1] as string)), garbage());
    const verify = await runMon(["verify", "--dir", dir], { env, timeout: 60_000 });
    noInternalError(verify);
    expect(verify.exitCode).toBe(exitCode);
    expect(String(verify.stdout)).toMatch(verdict);
    const report = await runMon(["report", "--dir", dir, "--day", DAYS[1] as string], { env, timeout: 60_000 });
    noInternalError(report);
    expect(report.exitCode).toBe(exitCode);
  }, 90_000);
});

