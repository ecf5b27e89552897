import { execFile } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MON_BIN, makeTempDir, runMon } from "../helpers/cli.js";
import { TestTrail } from "../helpers/audit-trail.js";

/**
 * The built `mon tail` in real shell pipelines: a reader that stops early (`| head -3`, with and
 * without following), a slow reader, the readable line format, --verify's exit code, usage errors.
 */
const run = promisify(execFile);
let dir: string;
let cleanup: () => Promise<void>;
let trail: TestTrail;
const mon = `${JSON.stringify(process.execPath)} ${JSON.stringify(MON_BIN)}`;

beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir("monwire-tail-cli-"));
  trail = new TestTrail({ start: "2025-01-04T08:00:00.000Z", stepMs: 1000 });
  const writer = trail.writer();
  for (let i = 0; i < 6000; i++) {
    writer.record({ tenant: i % 2 ? "EUR" : "KM", amount: { minor: 1250 + i, currency: i % 2 ? "EUR" : "BAM" }, ...(i % 10 === 9 ? { outcome: "failure" as const } : {}) });
  }
  await trail.write(dir);
});
afterAll(() => cleanup());

/** Runs a pipeline under bash with pipefail, so the exit status is mon's own when mon fails. */
async function pipeline(command: string): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run("bash", ["-c", `set -o pipefail; ${command}`], { env: { ...process.env, CI: "true", NO_COLOR: "1" }, timeout: 30_000, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe("mon tail in pipelines", () => {
  it("`mon tail --json | head -3` exits cleanly while following", async () => {
    const result = await pipeline(`${mon} tail --dir ${dir} --json | head -3`);
    expect(result).toMatchObject({ code: 0, stderr: "" });
    const lines = result.stdout.trim().split("\n");
    expect(lines).toHaveLength(3);
    expect(JSON.parse(lines[0] as string).seq).toBe(trail.entries.length - 9);
  });

  it("a reader that stops early mid-history is not an error (EPIPE)", async () => {
    const result = await pipeline(`${mon} tail --dir ${dir} --json --no-follow -n 6000 | head -1`);
    expect(result).toMatchObject({ code: 0, stderr: "" });
    expect(result.stdout.trim().split("\n")).toHaveLength(1);
  });

  it("a slow reader gets every line, byte for byte", async () => {
    const result = await pipeline(`${mon} tail --dir ${dir} --json --no-follow -n 100000 | (sleep 1; cat)`);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(await readFile(join(dir, "audit-2025-01-04.log"), "utf8"));
  });
});

describe("mon tail output", () => {
  it("prints one readable line per entry: time, tenant, actor and role, action, money, outcome", async () => {
    const result = await runMon(["tail", "--dir", dir, "--no-follow", "-n", "2"], { env: { LC_ALL: "en_US.UTF-8" } });
    expect(result.exitCode).toBe(0);
    const lines = String(result.stdout).trimEnd().split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^2025-01-04 09:39:59\.000 +KM +user-1 \(cashier\) +wallet\.deposit +BAM\s72\.48 +✓$/);
    expect(lines[1]).toMatch(/^2025-01-04 09:40:00\.000 +EUR +user-1 \(cashier\) +wallet\.deposit +€72\.49 +✗$/);
    expect(result.stdout).not.toMatch(/\u001b\[/);
  });

  it("--verify exits 1 and names the place of a break", async () => {
    const temp = await makeTempDir("monwire-tail-v-");
    try {
      const path = join(temp.dir, "audit-2025-01-04.log");
      const lines = (await readFile(join(dir, "audit-2025-01-04.log"), "utf8")).split("\n").slice(0, 50);
      lines.splice(20, 1);
      await writeFile(path, `${lines.join("\n")}\n`);
      const result = await runMon(["tail", "--dir", temp.dir, "--no-follow", "-n", "100", "--verify", "--json"]);
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toContain("audit-2025-01-04.log:21");
      expect(result.stderr).toContain("seq gap");
      expect(String(result.stdout).trim().split("\n")).toHaveLength(49);
      const clean = await runMon(["tail", "--dir", dir, "--no-follow", "-n", "100", "--verify"]);
      expect(clean.exitCode).toBe(0);
    } finally {
      await temp.cleanup();
    }
  });

  it.each([
    [["--category", "payments"], "unknown audit category"],
    [["--since", "soon"], "--since \"soon\" is not a time"],
    [["-n", "ten"], "is not a number of lines"],
    [["--outcome", "maybe"], "unknown outcome"],
  ])("rejects %j with exit 2", async (args, message) => {
    const result = await runMon(["tail", "--dir", dir, "--no-follow", ...args]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(message);
  });
});
