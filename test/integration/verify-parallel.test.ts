import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestTrail, readLines, writeLines } from "../helpers/audit-trail.js";
import { REPO_ROOT, makeTempDir, runMon } from "../helpers/cli.js";

/**
 * `mon verify` on several threads, as built (dist/, bin/mon.js starting its worker early): the
 * main thread and the workers take day files from one queue, and the verdicts must not depend
 * on how many threads there were or which one checked which file. Unit tests run the TypeScript
 * sources, which always verify inline, so this is where the worker path is covered.
 */
type Pool = typeof import("../../src/audit/scan-pool.js");
type Segment = typeof import("../../src/audit/scan-ranges.js");

const KEY = "parallel-verify-key";
const DAYS = ["2025-05-01", "2025-05-02", "2025-05-03", "2025-05-04", "2025-05-05", "2025-05-06"];

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir("monwire-verify-par-"));
  // Three writers interleaved over six days, a restart on day 3, the first five days sealed.
  const trail = new TestTrail({ key: KEY, start: `${DAYS[0]}T00:00:01.000Z`, stepMs: 90_000 });
  let writers = [trail.writer(), trail.writer(), trail.writer()];
  for (let i = 0; i < DAYS.length * 900; i++) {
    if (i === 2000) writers = [writers[0], writers[1], trail.writer()] as typeof writers;
    writers[i % 3]?.record({ tenant: i % 2 ? "KM" : "EUR", amount: { minor: 100 + i, currency: i % 2 ? "BAM" : "EUR" }, data: { i } });
  }
  await trail.write(dir);
  await trail.seal(dir, DAYS[4] as string);
}, 60_000);
afterAll(() => cleanup());

const day = (d: string) => join(dir, `audit-${d}.log`);
const verify = (...extra: string[]) => runMon(["verify", "--dir", dir, "--json", ...extra], { env: { MONWIRE_AUDIT_KEY: KEY } });

describe("mon verify on several threads", () => {
  it("gives the same verdicts on 1, 2 and 4 threads, clean and tampered", async () => {
    const clean = await Promise.all([verify("--jobs", "1"), verify("--jobs", "2"), verify("--jobs", "4"), verify()]);
    for (const run of clean) expect(run.exitCode, run.stderr as string).toBe(0);
    const [one, ...rest] = clean.map((run) => JSON.parse(run.stdout as string));
    expect(one.status).toBe("intact");
    expect(one.files).toHaveLength(DAYS.length);
    for (const report of rest) expect(report).toEqual(one);

    // An edited line on day 2 and a deleted one on day 4: each reported at its place, on any thread.
    const day2 = await readLines(day(DAYS[1] as string));
    day2[100] = (day2[100] as string).replace('"success"', '"failure"');
    await writeLines(day(DAYS[1] as string), day2);
    const day4 = await readLines(day(DAYS[3] as string));
    day4.splice(300, 1);
    await writeLines(day(DAYS[3] as string), day4);
    const tampered = await Promise.all([verify("--jobs", "1"), verify("--jobs", "3")]);
    for (const run of tampered) expect(run.exitCode).toBe(1);
    const [serial, parallel] = tampered.map((run) => JSON.parse(run.stdout as string));
    expect(parallel).toEqual(serial);
    expect(serial.files[1].verdict).toMatch(/^INVALID: hash mismatch at seq \d+ \(line 101\)/);
    expect(serial.files[3].verdict).toMatch(/^INVALID: seq gap in writer \w+: seq \d+ \(line \d+\) is followed by seq \d+ \(line 3\d\d\) — 1 entry missing/);
    expect(serial.files.filter((f: { status: string }) => f.status === "valid")).toHaveLength(DAYS.length - 2);
  }, 60_000);

  it("runs the pool's threads over one queue and returns results in task order", async () => {
    const pool = (await import(join(REPO_ROOT, "dist", "audit", "scan-pool.js"))) as Pool;
    const { splitAtLines } = (await import(join(REPO_ROOT, "dist", "audit", "scan-ranges.js"))) as Segment;
    const path = day(DAYS[5] as string);
    const { size } = await import("node:fs/promises").then((fs) => fs.stat(path));
    const ranges = await splitAtLines(path, size, 16 * 1024);
    const tasks = ranges.map(([start, end]) => ({ path, day: DAYS[5] as string, start, end, fileStart: start === 0, fileEnd: end === size, verify: { key: KEY, hashFile: false } }));
    expect(tasks.length).toBeGreaterThan(6);
    expect(pool.resolveJobs(3, size, tasks.length)).toBe(3);
    expect(pool.resolveJobs(3, size, 2)).toBe(2);
    expect(pool.resolveJobs("auto", 1024, tasks.length)).toBe(1);
    expect(pool.resolveJobs(1, pool.PARALLEL_MIN_BYTES, tasks.length)).toBe(1);
    const done: number[] = [];
    const parallel = await pool.runScan(tasks, 3, (index) => done.push(index));
    const inline = await pool.runScan(tasks, 1);
    expect(parallel).toEqual(inline);
    expect([...done].sort((a, b) => a - b)).toEqual(tasks.map((_t, i) => i));
    expect(parallel.reduce((n, r) => n + (r?.verify?.lines ?? 0), 0)).toBe((await readLines(path)).length);
  });
});
