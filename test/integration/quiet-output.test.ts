import { readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTempDir, runMon } from "../helpers/cli.js";
import { TestTrail } from "../helpers/audit-trail.js";

/**
 * Output people can read after a long gap: `mon seal` and `mon verify` put a run of days without
 * events on one line (each with --verbose), counts are grouped and agree with their nouns, sizes
 * are human, and --quiet/--verbose mean the same for every command.
 */
let dir: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  const temp = await makeTempDir("monwire-quiet-");
  dir = temp.dir;
  cleanup = temp.cleanup;
  const trail = new TestTrail({ start: "2025-03-01T08:00:00.000Z", stepMs: 60_000 });
  const writer = trail.writer();
  for (let i = 0; i < 1500; i++) writer.record({ tenant: "EUR", amount: { minor: 100, currency: "EUR" } });
  await trail.write(dir);
});

afterAll(async () => cleanup?.());

describe("seal and verify after a long gap", () => {
  it("seal says a run of days without events in one line, and each with --verbose", async () => {
    const seal = await runMon(["seal", "--dir", dir, "--through", "2025-05-31"]);
    expect(seal.exitCode).toBe(0);
    expect(String(seal.stdout).trim().split("\n")).toEqual([
      expect.stringMatching(/^sealed 2025-03-01: \d{3} lines, \d+\.\d kB, 1 writer \(sha256\)$/),
      expect.stringMatching(/^sealed 2025-03-02: \d+ lines, \d+\.\d kB, 1 writer \(sha256\)$/),
      "sealed 2025-03-03 … 2025-05-31: 90 days without events (sha256; --verbose lists each)",
      "92 days sealed through 2025-05-31",
    ]);
    for (const name of await readdir(dir)) if (name.endsWith(".anchor.json")) await rm(join(dir, name));
    const verbose = String((await runMon(["seal", "--dir", dir, "--through", "2025-05-31", "--verbose"])).stdout).trim().split("\n");
    expect(verbose).toHaveLength(93);
    expect(verbose).toContain("sealed 2025-04-15: no events (sha256)");
  });

  it("verify lists the quiet stretch once, every anchor with --verbose, and only the summary with --quiet", async () => {
    const normal = String((await runMon(["verify", "--dir", dir])).stdout).trim().split("\n");
    expect(normal).toContain("anchors 2025-03-03 … 2025-05-31  valid — 90 days without events (--verbose lists each)");
    expect(normal.length).toBeLessThan(12);
    expect(normal.at(-1)).toMatch(/^2 files: 2 valid; 92 anchors: 92 valid; 1,50\d entries — intact$/);
    const verbose = String((await runMon(["verify", "--dir", dir, "--verbose"])).stdout).trim().split("\n");
    expect(verbose.filter((l) => /^audit-\d{4}-\d\d-\d\d\.anchor\.json\s+valid$/.test(l))).toHaveLength(92);
    const quiet = await runMon(["verify", "--dir", dir, "--quiet"]);
    expect(String(quiet.stdout).trim()).toBe(normal.at(-1));
  });
});

describe("numbers for people", () => {
  it("the report table groups thousands and agrees nouns with counts", async () => {
    const table = String((await runMon(["report", "--dir", dir, "--from", "2025-03-01", "--to", "2025-03-02"])).stdout);
    expect(table).toContain("Sources: 2 files in");
    expect(table).toMatch(/Events: 1,50\d · first/);
    expect(table).toMatch(/\b0 branches created · 0 role changes/);
  });
});

describe("--quiet and --verbose", () => {
  it.each([["init"], ["uninstall"], ["check"], ["tail", "--no-follow"], ["verify"], ["seal"], ["prune"], ["report"], ["demo"], ["completion", "bash"]])(
    "mon %s refuses both together with exit 2 before doing anything", async (...args) => {
      const temp = await makeTempDir("monwire-qv-");
      try {
        const result = await runMon([...args, "--quiet", "--verbose"], { cwd: temp.dir });
        expect(result.exitCode).toBe(2);
        expect(String(result.stderr)).toContain("--quiet and --verbose contradict each other");
        const help = String((await runMon([args[0] as string, "--help"])).stdout);
        expect(help).toContain("-q, --quiet");
        expect(help).toContain("--verbose");
      } finally {
        await temp.cleanup();
      }
    },
  );
});
