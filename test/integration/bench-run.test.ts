import { execa } from "execa";
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeTempDir, REPO_ROOT } from "../helpers/cli.js";

/**
 * bench/run.js as `npm run bench` runs it: prerequisites checked before anything runs (exit 2),
 * exit 1 when a target is missed, the verdict printed. Results go to a store of the test's own
 * (MONWIRE_BENCH_RESULTS) so the repo's bench/results.json is never touched.
 */
const RUN = join(REPO_ROOT, "bench", "run.js");
let dir: string;
let cleanup: () => Promise<void>;
const bench = (args: string[], env: Record<string, string> = {}) =>
  execa(process.execPath, [RUN, ...args], { reject: false, env: { MONWIRE_BENCH_RESULTS: join(dir, "results.json"), ...env }, timeout: 120_000 });

beforeEach(async () => {
  ({ dir, cleanup } = await makeTempDir("monwire-bench-run-"));
});
afterEach(async () => cleanup());

describe("npm run bench (bench/run.js)", () => {
  it("judges the stored results with --check: exit 1 naming the missed target, 0 when all are met", async () => {
    writeFileSync(join(dir, "results.json"), JSON.stringify({
      verify: { targets: [{ name: "mon verify ≥ 350 MB/s", value: "216.7 MB/s", ok: false }] },
      startup: { targets: [{ name: "mon --version ≤ 1.5× node -e 0", value: "1.16", ok: true }] },
    }));
    const missed = await bench(["--check"]);
    expect(missed.exitCode).toBe(1);
    expect(missed.stderr).toContain("✗ verify: mon verify ≥ 350 MB/s — measured 216.7 MB/s");
    const met = await bench(["--check", "startup"]);
    expect(met.exitCode).toBe(0);
    expect(met.stderr).toContain("bench: all 1 targets met (startup)");
  });

  it("checks the tools first: without jq and valgrind on PATH it exits 2, names them and how to install them, and runs nothing", async () => {
    const bin = join(dir, "bin");
    mkdirSync(bin);
    symlinkSync(process.execPath, join(bin, "node"));
    const run = await bench(["report", "middleware"], { PATH: bin });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain("jq — ");
    expect(run.stderr).toContain("valgrind — ");
    expect(run.stderr).toContain("apt-get install jq valgrind");
    expect(run.stderr).not.toContain("bench: report …");
    expect(existsSync(join(dir, "results.json"))).toBe(false);
  });

  it("rejects an unknown benchmark or option with exit 2", async () => {
    const name = await bench(["nope"]);
    expect(name.exitCode).toBe(2);
    expect(name.stderr).toContain('unknown benchmark "nope"');
    expect((await bench(["--fast"])).exitCode).toBe(2);
  });

  it("runs one short section for real; its exit code follows the targets it measured", async () => {
    const run = await bench(["startup"], { BENCH_RUNS: "5" });
    const stored = JSON.parse(readFileSync(join(dir, "results.json"), "utf8")) as { startup: { targets: { ok: boolean }[] } };
    const allMet = stored.startup.targets.every((t) => t.ok);
    expect(stored.startup.targets.length).toBeGreaterThan(0);
    expect(run.exitCode, run.stderr).toBe(allMet ? 0 : 1);
    expect(run.stderr).toContain(allMet ? "targets met (startup)" : "missed");
    expect(existsSync(join(dir, "RESULTS.md"))).toBe(true);
  });
});
