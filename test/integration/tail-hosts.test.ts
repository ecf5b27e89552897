import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { TestTrail, readLines } from "../helpers/audit-trail.js";
import { MON_BIN, makeTempDir, runMon } from "../helpers/cli.js";

/**
 * `mon tail` over several hosts: the histories of three hosts' trails merge by entry time, -n
 * counts over all hosts, entries show their host, and following picks up a line appended on any
 * host.
 */
const HOSTS = ["web-1", "web-2", "worker-1"];
const DAY = "2025-03-10";

let root: string;
let cleanup: () => Promise<void>;
const allTs: string[] = [];
beforeEach(async () => {
  ({ dir: root, cleanup } = await makeTempDir("monwire-tail-hosts-"));
  allTs.length = 0;
  for (const [i, host] of HOSTS.entries()) {
    // Interleaved clocks: host i writes at minute 3n+i, so a merge by time alternates the hosts.
    const trail = new TestTrail({ start: `${DAY}T08:0${i}:00.000Z`, stepMs: 180_000 });
    const w = trail.writer({ id: `${String(i).repeat(12)}` });
    for (let n = 0; n < 3; n++) w.record({ tenant: "KM", action: `wallet.deposit`, data: { host, n } });
    await mkdir(join(root, host));
    await trail.write(join(root, host));
    allTs.push(...trail.entries.map((e) => e.ts));
  }
  allTs.sort();
});
afterEach(async () => cleanup());

describe("mon tail over several hosts", () => {
  it("merges the hosts' histories by time (--json keeps the original lines)", async () => {
    const result = await runMon(["tail", "--dir", root, "--no-follow", "-n", "100", "--json"], { env: { MONWIRE_AUDIT_KEY: "" } });
    expect(result.exitCode, String(result.stderr)).toBe(0);
    const lines = String(result.stdout).trim().split("\n");
    expect(lines.map((l) => JSON.parse(l).ts)).toEqual(allTs);
    const originals = new Set<string>();
    for (const host of HOSTS) for (const l of await readLines(join(root, host, `audit-${DAY}.log`))) originals.add(l);
    for (const line of lines) expect(originals.has(line)).toBe(true);
  });

  it("-n counts over all hosts, and each entry names its host", async () => {
    const result = await runMon(["tail", "--dir", join(root, "web-1"), "--dir", join(root, "web-2"), "--dir", join(root, "worker-1"), "--no-follow", "-n", "4"], {
      env: { MONWIRE_AUDIT_KEY: "", NO_COLOR: "1" },
    });
    expect(result.exitCode, String(result.stderr)).toBe(0);
    const lines = String(result.stdout).trim().split("\n");
    expect(lines).toHaveLength(4);
    // The last four by time over all hosts: the final entries alternate the hosts.
    const hostsShown = lines.map((l) => /^\[([^\]]+)\]/.exec(l)![1]);
    const expectedHosts = allTs.slice(-4).map((ts) => HOSTS[(Date.parse(ts) / 60_000 - Date.parse(`${DAY}T08:00:00.000Z`) / 60_000) % 3]!);
    expect(hostsShown).toEqual(expectedHosts);
  });

  it("follows every host: a line written on one host shows up with its host", async () => {
    const child = spawn(process.execPath, [MON_BIN, "tail", "--dir", root, "-n", "0"], { env: { ...process.env, MONWIRE_AUDIT_KEY: "", NO_COLOR: "1" }, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    try {
      await new Promise((r) => setTimeout(r, 1500));
      const trail = new TestTrail({ start: new Date().toISOString() });
      trail.writer({ id: "eeeeeeeeeeee" }).record({ tenant: "KM", action: "wallet.deposit" });
      await trail.write(join(root, "web-2"));
      const end = Date.now() + 10_000;
      while (!/^\[web-2\] /m.test(output) && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
      expect(output).toMatch(/^\[web-2\] /m);
      expect(output).not.toMatch(/^\[(web-1|worker-1)\] /m);
    } finally {
      const exited = once(child, "exit");
      child.kill("SIGTERM");
      await exited;
    }
  }, 30_000);
});
