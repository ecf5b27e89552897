import { stat } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT, makeTempDir } from "../helpers/cli.js";
import { generateShopTrail } from "../helpers/report-trail.js";

/**
 * The report's worker-thread pool, as built (dist/): the same pieces scanned on two workers and on
 * the main thread give the same totals, in the same order, and every problem keeps its place.
 */
type Pool = typeof import("../../src/audit/scan-pool.js");
type Merge = typeof import("../../src/audit/aggregate-merge.js");
type Aggregate = typeof import("../../src/audit/aggregate.js");
type Split = typeof import("../../src/audit/scan-ranges.js");

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir("monwire-report-par-"));
  const { trail } = generateShopTrail({ seed: 21, start: "2025-01-04T00:00:01.000Z", entries: 6000, stepMs: 14_000, writers: 3, restartEvery: 2000 });
  await trail.write(dir);
});
afterAll(() => cleanup());

describe("report pool", () => {
  it("gives the same result on worker threads as on the main thread", async () => {
    const dist = (file: string) => import(join(REPO_ROOT, "dist", "audit", file));
    const pool = (await dist("scan-pool.js")) as Pool;
    const { mergeAggregates } = (await dist("aggregate-merge.js")) as Merge;
    const { createAggregate } = (await dist("aggregate.js")) as Aggregate;
    const { splitAtLines } = (await dist("scan-ranges.js")) as Split;
    const path = join(dir, "audit-2025-01-04.log");
    const size = (await stat(path)).size;
    const ranges = await splitAtLines(path, size, 128 * 1024);
    const tasks = ranges.map(([start, end]) => ({ path, day: "2025-01-04", start, end, fileStart: start === 0, fileEnd: end === size, aggregate: { filters: { tenant: ["KM"] }, timeZone: "UTC" } }));
    expect(tasks.length).toBeGreaterThan(4);
    expect(pool.resolveJobs(2, size, tasks.length)).toBe(2);
    const parallel = (await pool.runScan(tasks, 2)).map((r) => r?.aggregate);
    const inline = (await pool.runScan(tasks, 1)).map((r) => r?.aggregate);
    const fold = (results: typeof parallel) => results.reduce((into, r) => mergeAggregates(into, r!.aggregate), createAggregate());
    expect(fold(parallel)).toEqual(fold(inline));
    expect(parallel.map((r) => r?.lines)).toEqual(inline.map((r) => r?.lines));
    expect(fold(inline).total).toBeGreaterThan(2000);
  });
});
