import fs from "node:fs";
import { syncBuiltinESMExports } from "node:module";
import { open, readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildReport } from "../../src/audit/report.js";
import { verifyAuditDir } from "../../src/audit/verify.js";
import { makeTempDir } from "../helpers/cli.js";
import { generateShopTrail } from "../helpers/report-trail.js";

/**
 * `mon report` with its integrity verdict reads the trail once: the scan that verifies each line
 * also counts it. Every read of the process is counted (file handles, the callback API that read
 * streams use, and the blocking reads of the scan), so a second pass over the bytes, by any
 * route, shows as twice the bytes.
 */
let dir: string;
let cleanup: () => Promise<void>;
let trailBytes = 0;
beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir("monwire-report-once-"));
  const { trail } = generateShopTrail({ seed: 7, start: "2025-01-04T00:00:01.000Z", entries: 4000, stepMs: 60_000, writers: 2, restartEvery: 1500 });
  await trail.write(dir);
  for (const name of (await readdir(dir)).filter((n) => n.endsWith(".log"))) trailBytes += (await stat(join(dir, name))).size;
});
afterAll(() => cleanup());

async function countingReads<T>(run: () => Promise<T>): Promise<{ result: T; bytes: number }> {
  let bytes = 0;
  const probe = await open(join(dir, (await readdir(dir))[0] as string));
  const handleProto = Object.getPrototypeOf(probe) as { read: (...args: unknown[]) => Promise<{ bytesRead: number }> };
  await probe.close();
  const handleRead = handleProto.read;
  const callbackRead = fs.read;
  const syncRead = fs.readSync;
  handleProto.read = async function (this: unknown, ...args: unknown[]) {
    const done = await handleRead.apply(this, args);
    bytes += done.bytesRead;
    return done;
  };
  (fs as { read: unknown }).read = function (this: unknown, ...args: unknown[]) {
    const callback = args.pop() as (error: Error | null, n: number, buffer: Buffer) => void;
    return (callbackRead as (...a: unknown[]) => void).call(fs, ...args, (error: Error | null, n: number, buffer: Buffer) => {
      if (!error) bytes += n;
      callback(error, n, buffer);
    });
  };
  (fs as { readSync: unknown }).readSync = function (this: unknown, ...args: unknown[]) {
    const n = (syncRead as (...a: unknown[]) => number).apply(fs, args);
    bytes += n;
    return n;
  };
  // Named imports of node:fs (`import { readSync }`) see the patched function only once synced.
  syncBuiltinESMExports();
  try {
    return { result: await run(), bytes };
  } finally {
    handleProto.read = handleRead;
    (fs as { read: unknown }).read = callbackRead;
    (fs as { readSync: unknown }).readSync = syncRead;
    syncBuiltinESMExports();
  }
}

describe("mon report, one pass", () => {
  it("verifies and aggregates every line reading each byte of the trail once", async () => {
    const days = { from: "2025-01-04", to: "2025-01-06" };
    const { result: report, bytes } = await countingReads(() => buildReport({ dirs: [dir], ...days, verify: true }));
    expect(report.integrity.status).toBe("intact");
    expect(report.summary.events.total).toBeGreaterThanOrEqual(4000);
    expect(trailBytes).toBeGreaterThan(500_000);
    // Each byte once; a little slack for the few head bytes read to look for a signed writer.
    expect(bytes).toBeGreaterThanOrEqual(trailBytes);
    expect(bytes).toBeLessThan(trailBytes * 1.05);
    // Without the verdict the same numbers, from the same single read.
    const { result: unverified, bytes: bytesUnverified } = await countingReads(() => buildReport({ dirs: [dir], ...days, verify: false }));
    expect(unverified.summary).toEqual(report.summary);
    expect(unverified.files).toEqual(report.files);
    expect(bytesUnverified).toBeGreaterThanOrEqual(trailBytes);
    expect(bytesUnverified).toBeLessThan(trailBytes * 1.05);
  });
});

// A day file's SHA-256 is compared with its anchor only: an unsealed day (today, a report before
// the seal) is not hashed a second time when it is checked in segments; a sealed one still is.
describe("mon verify, content digest only for sealed days", () => {
  it("reads an unsealed day checked in segments once, a sealed one twice", async () => {
    const { dir: own, cleanup: done } = await makeTempDir("monwire-digest-once-");
    try {
      const { trail } = generateShopTrail({ seed: 9, start: "2025-01-04T00:00:01.000Z", entries: 3000, stepMs: 20_000, writers: 2, restartEvery: 1000 });
      await trail.write(own);
      const names = (await readdir(own)).filter((n) => n.endsWith(".log"));
      const segmentBytes = 64 * 1024;
      // Files over 1.5 segments are checked in segments (their digest is then a read of its own).
      let split = 0;
      for (const name of names) {
        const size = (await stat(join(own, name))).size;
        if (size > 1.5 * segmentBytes) split += size;
      }
      expect(split).toBeGreaterThan(500_000);
      const options = { dir: own, jobs: 1, segmentBytes };
      const unsealed = await countingReads(() => verifyAuditDir(options));
      expect(unsealed.result.status).toBe("intact");
      await trail.seal(own, "2025-01-06");
      const sealed = await countingReads(() => verifyAuditDir(options));
      expect(sealed.result.status).toBe("intact");
      expect(sealed.result.files.every((f) => f.sealed)).toBe(true);
      // The same segments and boundary look-ups both times; only the sealed run hashes the files.
      expect(sealed.bytes - unsealed.bytes).toBeGreaterThanOrEqual(split);
      expect(sealed.bytes - unsealed.bytes).toBeLessThan(split * 1.05);
    } finally {
      await done();
    }
  });
});
