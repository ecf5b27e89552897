import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { makeTempDir, runMon } from "../helpers/cli.js";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function projectWith(configText: string): Promise<string> {
  const { dir, cleanup } = await makeTempDir("monwire-check-config-");
  cleanups.push(cleanup);
  await writeFile(join(dir, "mon.config.json"), configText);
  return dir;
}

describe("mon check on an unusable mon.config.json", () => {
  it("reports every config error as a finding with its field path, checks nothing else, and exits 1", async () => {
    const dir = await projectWith(JSON.stringify({ audit: { retentionDays: 0 }, sentry: { sampleRate: 5 } }));
    const result = await runMon(["check", "--offline", "--json"], { cwd: dir });
    expect(result.exitCode, String(result.stderr)).toBe(1);
    const report = JSON.parse(String(result.stdout)) as { ok: boolean; checks: Array<{ id: string; status: string; findings: Array<{ message: string; severity: string }> }> };
    expect(report.ok).toBe(false);
    expect(report.checks.map((c) => [c.id, c.status])).toEqual([["config.valid", "fail"]]);
    expect(report.checks[0]!.findings.map((f) => [f.severity, f.message])).toEqual([
      ["error", "audit.retentionDays: expected integer ≥ 1"],
      ["error", "sentry.sampleRate: expected a number from 0 to 1"],
    ]);
  });

  it("says so in the human report, invalid JSON included", async () => {
    const dir = await projectWith('{"audit": {"dir": "logs",}}');
    const result = await runMon(["check", "--offline"], { cwd: dir });
    expect(result.exitCode).toBe(1);
    expect(String(result.stdout)).toMatch(/^config\n  ✗ mon\.config\.json — 1 error; nothing else was checked\n/m);
    expect(String(result.stdout)).toContain("(root): not valid JSON");
  });

  it("other commands still stop with exit 2, listing the errors", async () => {
    const dir = await projectWith(JSON.stringify({ audit: { retentionDays: 0 } }));
    const result = await runMon(["verify"], { cwd: dir });
    expect(result.exitCode).toBe(2);
    expect(String(result.stderr)).toContain("audit.retentionDays: expected integer ≥ 1");
  });
});
