import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { REPO_ROOT, makeTempDir } from "../helpers/cli.js";
import { CLUSTER_APP, freePort, purchases, scrape, walletCount, workerLabels } from "../helpers/cluster-app.js";
import { sampleValue } from "../helpers/exposition.js";

/**
 * PM2 cluster mode as users run it: npm's pm2 (a devDependency) starts the fixture with
 * `instances: 2`; PM2's daemon balances the shared port, and whichever instance is scraped asks its
 * sibling. PM2_HOME is a temp dir; the daemon is stopped by its PID at the end.
 */
const PM2 = join(REPO_ROOT, "node_modules", ".bin", "pm2");
const run = promisify(execFile);

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

async function startPm2(instances: number) {
  const temp = await makeTempDir("monwire-pm2-");
  const home = join(temp.dir, "pm2-home");
  const port = await freePort();
  const env = { ...process.env, PM2_HOME: home };
  const ecosystem = join(temp.dir, "ecosystem.config.cjs");
  await writeFile(
    ecosystem,
    `module.exports = { apps: [{ name: "shop", script: ${JSON.stringify(CLUSTER_APP)}, exec_mode: "cluster", instances: ${instances},
      kill_timeout: 3000, env: { PORT: "${port}", PEER_DIR: ${JSON.stringify(join(temp.dir, "peers"))} } }] };\n`,
  );
  cleanup = async () => {
    await run(PM2, ["kill"], { env, timeout: 20000 }).catch(() => undefined);
    const pidFile = join(home, "pm2.pid");
    if (existsSync(pidFile)) {
      const daemon = Number(readFileSync(pidFile, "utf8"));
      try {
        process.kill(daemon, "SIGKILL");
      } catch {
        // already gone after `pm2 kill`
      }
    }
    await temp.cleanup();
  };
  await run(PM2, ["start", ecosystem], { env, timeout: 30000 });
  const base = `http://127.0.0.1:${port}`;
  return { base, pids: () => instancePids(base, instances) };
}

/** Polls the shared port until `count` distinct instances have answered. */
async function instancePids(base: string, count: number): Promise<Set<number>> {
  const end = Date.now() + 20000;
  const seen = new Set<number>();
  while (Date.now() < end) {
    try {
      // Bounded: on Node 24 a request the cluster hands to the instance just killed is never
      // answered (it hung this loop past the test's timeout); the next request reaches a live one.
      const res = await fetch(`${base}/pid`, { headers: { connection: "close" }, signal: AbortSignal.timeout(2000) });
      seen.add(((await res.json()) as { pid: number }).pid);
      if (seen.size >= count) return seen;
    } catch {
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  throw new Error(`only ${seen.size} of ${count} PM2 instances answered`);
}

describe("PM2 cluster mode", () => {
  it("any instance's scrape shows every instance's exact counts; a killed instance restarts without counters going back", async () => {
    const { base, pids } = await startPm2(2);
    const first = await pids();
    const served = new Set([...(await purchases(base, "KM", 20)), ...(await purchases(base, "EUR", 10))]);
    expect(served.size).toBe(2);

    // Several scrapes, so both instances answer at least one of them.
    for (let i = 0; i < 4; i += 1) {
      const exposition = await scrape(`${base}/metrics`);
      expect(walletCount(exposition, "KM", "success")).toBe(20);
      expect(walletCount(exposition, "EUR", "success")).toBe(10);
      expect(sampleValue(exposition, "database_up")).toBe(1);
      expect(workerLabels(exposition)).toEqual(new Set(["0", "1"]));
    }

    const victim = [...first][0]!;
    process.kill(victim, "SIGKILL");
    const end = Date.now() + 20000;
    let now = await pids();
    while (now.has(victim) && Date.now() < end) now = await pids();
    expect(now.has(victim)).toBe(false);

    const afterRestart = await scrape(`${base}/metrics`);
    expect(walletCount(afterRestart, "KM", "success")).toBe(20);
    await purchases(base, "KM", 10);
    for (let i = 0; i < 2; i += 1) expect(walletCount(await scrape(`${base}/metrics`), "KM", "success")).toBe(30);
  }, 90000);
});
