import { execFile } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FIXTURES, makeTempDir } from "../helpers/cli.js";
import { checkTrail } from "../fixtures/audit-writer/check-chain.js";

const run = promisify(execFile);
const LOAD = join(FIXTURES, "audit-writer", "load.mjs");
let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  const temp = await makeTempDir("monwire-audit-multi-");
  dir = join(temp.dir, "logs");
  cleanup = temp.cleanup;
});
afterEach(() => cleanup());

/** Runs load.mjs to completion: `count` entries, `padding` bytes of data each; returns its writer id. */
async function load(count: number, padding: number, env: NodeJS.ProcessEnv = {}): Promise<string> {
  const { stdout } = await run(process.execPath, [LOAD, dir, "write", "32", String(count), String(padding)], {
    env: { ...process.env, ...env },
    timeout: 60_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  expect(stdout).toMatch(/\ndone\n$/);
  return /^writer ([0-9a-f]+)$/m.exec(stdout)?.[1] as string;
}

describe("audit writer with several processes", () => {
  it("two processes appending to one day file never interleave lines and each chain verifies", async () => {
    const start = { LOAD_START_AT: String(Date.now() + 2000) };
    const [a, b] = await Promise.all([load(2500, 700, start), load(2500, 700, start)]);
    const check = checkTrail(dir);
    expect(check.problems).toEqual([]);
    expect(check.torn).toEqual([]);
    expect(check.byWriter.get(a)).toHaveLength(2501);
    expect(check.byWriter.get(b)).toHaveLength(2501);
    // Both really wrote into the same file, interleaved at batch granularity.
    const [file] = readdirSync(dir);
    const writers = readFileSync(join(dir, file as string), "utf8").split("\n").filter(Boolean).map((l) => (JSON.parse(l) as { writer: string }).writer);
    const switches = writers.filter((w, i) => i > 0 && w !== writers[i - 1]).length;
    expect(new Set(writers)).toEqual(new Set([a, b]));
    expect(switches).toBeGreaterThanOrEqual(2);
  });

  it("a restarted writer's audit.chain.started links the previous writer's head, also with an HMAC key", async () => {
    const env = { MONWIRE_TEST_AUDIT_KEY: "shared-hmac-key-for-test" };
    const first = await load(50, 0, env);
    const second = await load(50, 0, env);
    const check = checkTrail(dir, { key: env.MONWIRE_TEST_AUDIT_KEY });
    expect(check.problems).toEqual([]);
    const firstChain = check.byWriter.get(first) ?? [];
    const head = firstChain[firstChain.length - 1];
    const started = check.byWriter.get(second)?.[0];
    expect(started?.data).toMatchObject({ alg: "hmac-sha256", prev_writer: { writer: first, seq: head?.seq, hash: head?.hash } });
    expect(checkTrail(dir).problems.filter((p) => p.includes("hash mismatch"))).toHaveLength(102);
  });
});
