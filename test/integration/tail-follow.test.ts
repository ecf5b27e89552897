import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { readdir, truncate } from "node:fs/promises";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { afterEach, describe, expect, it } from "vitest";
import { FIXTURES, MON_BIN, makeTempDir } from "../helpers/cli.js";

/**
 * The acceptance test of `mon tail`: a real writer process (monwire/runtime's createAuditTrail,
 * clock injected) appends across a forced UTC midnight and across a truncation of the day file,
 * while `mon tail --category financial --json` follows the directory. Every financial entry must
 * come out exactly once, in order, byte for byte, and nothing else.
 */
const started: ChildProcess[] = [];
const cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  for (const child of started.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

function lineCollector(child: ChildProcess): { lines: string[]; waitFor: (count: number, what: string) => Promise<void> } {
  const lines: string[] = [];
  createInterface({ input: child.stdout! }).on("line", (line) => lines.push(line));
  const waitFor = async (count: number, what: string) => {
    // Bounded wait for output to arrive; the assertion is on content, not on speed.
    for (let i = 0; i < 400 && lines.length < count; i++) await new Promise((r) => setTimeout(r, 50));
    if (lines.length < count) throw new Error(`${what}: expected ${count} lines, got ${lines.length}`);
  };
  return { lines, waitFor };
}

describe("mon tail follows a live trail", () => {
  it("shows every financial entry once, in order, across a day switch and a truncation", async () => {
    const temp = await makeTempDir("monwire-tail-");
    cleanups.push(temp.cleanup);
    const tail = spawn(process.execPath, [MON_BIN, "tail", "--dir", temp.dir, "--category", "financial", "--json"], {
      env: { ...process.env, CI: "true", NO_COLOR: "1" }, stdio: ["ignore", "pipe", "pipe"],
    });
    started.push(tail);
    let tailErr = "";
    tail.stderr!.on("data", (chunk: Buffer) => (tailErr += chunk.toString()));
    const writer = spawn(process.execPath, [join(FIXTURES, "tail-writer", "writer.mjs"), temp.dir], { stdio: ["pipe", "pipe", "inherit"] });
    started.push(writer);
    const writerOut = lineCollector(writer);
    const tailOut = lineCollector(tail);
    await writerOut.waitFor(1, "writer ready");
    const expected: string[] = [];
    const run = async (command: string) => {
      const before = writerOut.lines.length;
      writer.stdin!.write(`${command}\n`);
      for (let i = 0; i < 400 && !writerOut.lines.slice(before).includes("done"); i++) await new Promise((r) => setTimeout(r, 25));
      const produced = writerOut.lines.slice(before).filter((l) => l.startsWith("entry ")).map((l) => l.slice(6));
      expected.push(...produced.filter((l) => JSON.parse(l).category === "financial"));
    };

    await run("write 25");
    await tailOut.waitFor(expected.length, "before midnight");
    await run("day");
    await run("write 25");
    await tailOut.waitFor(expected.length, "after midnight");
    const days = (await readdir(temp.dir)).filter((n) => n.endsWith(".log")).sort();
    expect(days).toEqual(["audit-2025-01-04.log", "audit-2025-01-05.log"]);
    await truncate(join(temp.dir, "audit-2025-01-05.log"), 0);
    await run("write 25");
    await tailOut.waitFor(expected.length, "after truncation");
    await run("quit");

    expect(expected.length).toBe(30);
    expect(tailOut.lines).toEqual(expected);
    tail.kill("SIGINT");
    const [code] = await once(tail, "exit");
    expect(code).toBe(130);
    expect(tailErr).toBe("");
  });
});
