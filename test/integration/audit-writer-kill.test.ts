import { spawn } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { FIXTURES, makeTempDir } from "../helpers/cli.js";
import { checkTrail } from "../fixtures/audit-writer/check-chain.js";

const LOAD = join(FIXTURES, "audit-writer", "load.mjs");
const ROUNDS = 20;
const temps: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of temps) await cleanup();
});

/** Runs load.mjs, SIGKILLs it `afterMs` after it started writing, returns its writer id and acked seqs. */
async function killAfter(dir: string, durability: string, afterMs: number): Promise<{ writer: string; acked: number[] }> {
  const child = spawn(process.execPath, [LOAD, dir, durability, "24"], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
  const exited = once(child, "exit");
  let killTimer: NodeJS.Timeout | undefined;
  // Safety net: a child that never starts writing is killed too, and the check below fails.
  const guard = setTimeout(() => child.kill("SIGKILL"), 15_000);
  child.stdout.on("data", (chunk: Buffer) => {
    out += chunk.toString();
    if (!killTimer && out.includes("\nack ")) killTimer = setTimeout(() => child.kill("SIGKILL"), afterMs);
  });
  const [code, signal] = (await exited) as [number | null, string | null];
  clearTimeout(guard);
  clearTimeout(killTimer);
  expect(signal, `load.mjs should be killed, exited ${code}: ${err}`).toBe("SIGKILL");
  const writer = /^writer ([0-9a-f]+)$/m.exec(out)?.[1];
  expect(writer, out.slice(0, 200)).toBeDefined();
  // The last stdout line may itself have been cut by the kill; only complete lines count.
  const acked = [...out.matchAll(/^ack (\d+)\n/gm)].map((m) => Number(m[1]));
  return { writer: writer as string, acked };
}

describe("audit writer under SIGKILL", () => {
  it(`loses no acknowledged entry and keeps every chain valid over ${ROUNDS} random kills`, async () => {
    const temp = await makeTempDir("monwire-audit-kill-");
    temps.push(temp.cleanup);
    const dir = join(temp.dir, "logs");
    let previousHead: { writer: string; seq: number; hash: string } | null = null;
    let totalAcked = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const durability = round % 4 === 3 ? "fsync" : "write";
      const { writer, acked } = await killAfter(dir, durability, 20 + Math.floor(Math.random() * 250));
      expect(acked.length, `round ${round}: the child acknowledged entries before the kill`).toBeGreaterThan(0);
      totalAcked += acked.length;

      const trail = checkTrail(dir);
      expect(trail.problems, `round ${round}`).toEqual([]);
      const chain = trail.byWriter.get(writer) ?? [];
      const onDisk = new Set(chain.map((e) => e.seq));
      const lost = acked.filter((seq) => !onDisk.has(seq));
      expect(lost, `round ${round}: acknowledged but missing`).toEqual([]);

      // Torn lines: only the final line of the file, or a fragment of an earlier round's crash
      // that the next writer closed off and followed with its audit.chain.started entry.
      for (const torn of trail.torn) {
        if (torn.final) continue;
        expect(torn.followedBy?.action, `round ${round}: torn line inside ${torn.file}`).toBe("audit.chain.started");
      }
      expect(trail.torn.filter((t) => t.final).length).toBeLessThanOrEqual(1);

      // Each writer's first entry names the head the previous writer left on disk.
      const started = chain[0];
      expect(started?.action).toBe("audit.chain.started");
      expect(started?.data?.prev_writer).toEqual(previousHead);
      const last = chain[chain.length - 1] as (typeof chain)[number];
      previousHead = { writer, seq: last.seq, hash: last.hash };
    }
    expect(totalAcked).toBeGreaterThan(ROUNDS);
  });
});
