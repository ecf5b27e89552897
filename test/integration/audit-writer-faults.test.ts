import { execFileSync } from "node:child_process";
import { closeSync, ftruncateSync, mkdirSync, openSync, readdirSync, statSync, unlinkSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { isMonwireError } from "../../src/errors.js";
import { createAuditTrail } from "../../src/runtime/audit/index.js";
import { getMetrics } from "../../src/runtime/metrics.js";
import { makeTempDir } from "../helpers/cli.js";
import { checkTrail } from "../fixtures/audit-writer/check-chain.js";

/**
 * Real faults, no simulated fs layer: a tiny tmpfs for ENOSPC, a read-only bind mount for EROFS
 * (chmod does not stop root), a regular file in the path for ENOTDIR. Mounting needs root and
 * CAP_SYS_ADMIN; without them the mount tests skip locally and fail in CI.
 */
const mounted: string[] = [];
const temps: (() => Promise<void>)[] = [];
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
let mountable = false;

function mount(...args: string[]): void {
  execFileSync("mount", args, { stdio: "pipe" });
  mounted.push(args[args.length - 1] as string);
}

function unmount(path: string): void {
  execFileSync("umount", [path], { stdio: "pipe" });
  mounted.splice(mounted.lastIndexOf(path), 1);
}

async function tempDir(): Promise<string> {
  const temp = await makeTempDir("monwire-audit-fault-");
  temps.push(temp.cleanup);
  return temp.dir;
}

async function writeErrors(): Promise<number> {
  return (await getMetrics().auditWriteErrors.get()).values[0]?.value ?? 0;
}

beforeAll(async () => {
  process.on("unhandledRejection", onUnhandled);
  const probe = await tempDir();
  try {
    mount("-t", "tmpfs", "-o", "size=64k", "tmpfs", probe);
    unmount(probe);
    mountable = true;
  } catch {
    mountable = false;
  }
});
afterEach(() => expect(unhandled).toEqual([]));
afterAll(async () => {
  process.off("unhandledRejection", onUnhandled);
  for (const path of mounted.reverse()) execFileSync("umount", ["-l", path], { stdio: "ignore" });
  for (const cleanup of temps) await cleanup();
});

describe("audit writer disk faults", () => {
  it("can mount test filesystems (required in CI, where the tests run as root)", (context) => {
    if (!mountable && process.env.CI !== "true") context.skip("mount is unavailable here (needs root and CAP_SYS_ADMIN)");
    expect(mountable).toBe(true);
  });

  it("full filesystem: the batch is rejected, no half line stays, and writing resumes once space is freed", async (context) => {
    if (!mountable) context.skip("mount is unavailable");
    const root = await tempDir();
    mount("-t", "tmpfs", "-o", "size=256k", "tmpfs", root);
    const dir = join(root, "logs");
    const audit = createAuditTrail({ dir });
    await audit.admin.action({ action: "job.ran" });

    // Fill the filesystem, then free two pages: a 90 KB batch now fails part way (a short write).
    const filler = join(root, "filler");
    const fd = openSync(filler, "w");
    const chunk = Buffer.alloc(4096, 120);
    let size = 0;
    try {
      for (;;) size += writeSync(fd, chunk);
    } catch {
      ftruncateSync(fd, Math.max(0, size - 8192));
    }
    closeSync(fd);
    const [dayFile] = readdirSync(dir);
    const path = join(dir, dayFile as string);
    const sizeBefore = statSync(path).size;
    const errorsBefore = await writeErrors();

    const results = await Promise.allSettled(Array.from({ length: 100 }, (_, i) => audit.admin.action({ action: "bulk.imported", data: { i, pad: "y".repeat(600) } })));
    expect(results.every((r) => r.status === "rejected")).toBe(true);
    const reason = (results[0] as PromiseRejectedResult).reason;
    expect(isMonwireError(reason) && reason.code).toBe("E_AUDIT_WRITE");
    expect(reason.message).toMatch(/ENOSPC|ESHORTWRITE/);
    expect(reason.hint).toContain(dir);
    expect(statSync(path).size).toBe(sizeBefore);
    expect((await writeErrors()) - errorsBefore).toBe(100);
    expect(audit.stats().failed).toBe(100);

    unlinkSync(filler);
    const after = await Promise.all(Array.from({ length: 10 }, (_, i) => audit.admin.action({ action: "bulk.imported", data: { i } })));
    await audit.close();
    expect(after.map((e) => e.seq)).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    const check = checkTrail(dir);
    expect(check.problems).toEqual([]);
    expect(check.torn).toEqual([]);
    unmount(root);
  });

  it("read-only directory: rejected with EROFS, then the chain starts cleanly once it is writable", async (context) => {
    if (!mountable) context.skip("mount is unavailable");
    const dir = join(await tempDir(), "logs");
    mkdirSync(dir);
    mount("--bind", dir, dir);
    execFileSync("mount", ["-o", "remount,bind,ro", dir], { stdio: "pipe" });
    const audit = createAuditTrail({ dir });
    const errorsBefore = await writeErrors();
    const error = await audit.admin.action({ action: "job.ran" }).catch((e: unknown) => e);
    expect(isMonwireError(error) && error.code).toBe("E_AUDIT_WRITE");
    expect((error as Error).message).toContain("EROFS");
    expect((await writeErrors()) - errorsBefore).toBe(1);

    unmount(dir);
    const entry = await audit.admin.action({ action: "job.ran" });
    await audit.close();
    expect(entry.seq).toBe(2);
    expect(checkTrail(dir).problems).toEqual([]);
  });

  it("read-only at a day switch: the new day is rejected, the chain continues without gaps afterwards", async (context) => {
    if (!mountable) context.skip("mount is unavailable");
    const dir = join(await tempDir(), "logs");
    let now = new Date("2025-06-01T23:59:58.000Z");
    const audit = createAuditTrail({ dir, clock: () => now });
    await audit.admin.action({ action: "job.ran" });
    // The open descriptor keeps writing to the old day; opening the next day's file is refused.
    mount("--bind", dir, dir);
    execFileSync("mount", ["-o", "remount,bind,ro", dir], { stdio: "pipe" });
    now = new Date("2025-06-02T00:10:10.000Z");
    await expect(audit.admin.action({ action: "job.ran" })).rejects.toMatchObject({ code: "E_AUDIT_WRITE" });
    unmount(dir);
    const entry = await audit.admin.action({ action: "job.ran" });
    await audit.close();
    expect(entry.seq).toBe(3);
    const check = checkTrail(dir);
    expect(check.problems).toEqual([]);
    // The last entry is the sealing writer's audit.day.sealed, naming the anchor of 2025-06-01.
    expect(check.entries.map((e) => e.ts.slice(0, 10))).toEqual(["2025-06-01", "2025-06-01", "2025-06-02", "2025-06-02"]);
    expect(check.entries[3]?.action).toBe("audit.day.sealed");
    expect(readdirSync(dir)).toContain("audit-2025-06-01.anchor.json");
  });

  it("a directory that cannot be created (a regular file in the path) is rejected with ENOTDIR until it is fixed", async () => {
    const root = await tempDir();
    const blocker = join(root, "not-a-dir");
    writeFileSync(blocker, "a regular file");
    const dir = join(blocker, "logs");
    const audit = createAuditTrail({ dir });
    const error = await audit.admin.action({ action: "job.ran" }).catch((e: unknown) => e);
    expect(isMonwireError(error) && error.code).toBe("E_AUDIT_WRITE");
    expect((error as Error).message).toContain("ENOTDIR");
    expect((error as { hint: string }).hint).toMatch(/regular file/);

    unlinkSync(blocker);
    const entry = await audit.admin.action({ action: "job.ran" });
    await audit.close();
    expect(entry.seq).toBe(2);
    expect(checkTrail(dir).problems).toEqual([]);
  });
});
