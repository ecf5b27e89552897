import fs from "node:fs";
import { open, readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildReport } from "../../src/audit/report.js";
import { makeTempDir } from "../helpers/cli.js";
import { generateShopTrail } from "../helpers/report-trail.js";

/**
 * `mon report` with its integrity verdict reads the trail once: the scan that verifies each line
 * also counts it. Every read of the process is counted (file handles and the callback API that
 * read streams use), so a second pass over the bytes, by any route, shows as twice the bytes.
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
  try {
    return { result: await run(), bytes };
  } finally {
    handleProto.read = handleRead;
    (fs as { read: unknown }).read = callbackRead;
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
