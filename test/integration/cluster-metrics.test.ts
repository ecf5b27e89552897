import { afterEach, describe, expect, it } from "vitest";
import { CLUSTER_APP, freePort, purchases, scrape, walletCount, workerLabels } from "../helpers/cluster-app.js";
import { sampleValue } from "../helpers/exposition.js";
import { startProcess, type StartedProcess } from "../helpers/process.js";

/**
 * A real node:cluster app (test/fixtures/cluster-app): one scrape of the primary, or of any
 * worker through the shared port, reports every worker's counts exactly.
 */
let app: StartedProcess | undefined;
afterEach(async () => {
  await app?.stop();
  app = undefined;
});

async function startCluster(workers: number, env: NodeJS.ProcessEnv = {}) {
  const port = await freePort();
  app = await startProcess(process.execPath, [CLUSTER_APP], {
    env: { WORKERS: String(workers), PORT: String(port), ...env },
    ready: /primary metrics on (\S+)/,
    timeoutMs: 20000,
  });
  const primaryUrl = /primary metrics on (\S+)/.exec(app.output())![1]!;
  return { base: `http://127.0.0.1:${port}`, primaryUrl, app };
}

const waitFor = async (check: () => Promise<boolean>, timeoutMs: number, what: string) => {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
};

describe.each([2, 4])("node:cluster with %i workers", (workers) => {
  it("one scrape shows exact per-tenant counts summed over every worker, process metrics per worker", async () => {
    const { base, primaryUrl } = await startCluster(workers);
    const served = new Set([...(await purchases(base, "KM", 24)), ...(await purchases(base, "EUR", 12))]);
    await purchases(base, "KM", 5, true);
    // The requests really were spread: more than one worker counted some of them.
    expect(served.size).toBeGreaterThan(1);

    for (const url of [primaryUrl, `${base}/metrics`, `${base}/metrics`]) {
      const exposition = await scrape(url);
      expect(walletCount(exposition, "KM", "success")).toBe(24);
      expect(walletCount(exposition, "EUR", "success")).toBe(12);
      expect(walletCount(exposition, "KM", "failure")).toBe(5);
      expect(
        sampleValue(exposition, "http_requests_total", { method: "POST", route: "/api/shops/:shop/wallet/purchase", status_code: "201", tenant: "KM" }),
      ).toBe(24);
      expect(
        sampleValue(exposition, "http_request_duration_seconds_count", { method: "POST", route: "/api/shops/:shop/wallet/purchase", status_code: "402", tenant: "KM" }),
      ).toBe(5);
      expect(sampleValue(exposition, "database_up")).toBe(1);
      expect(workerLabels(exposition)).toEqual(new Set(Array.from({ length: workers }, (_, i) => String(i))));
      // A catalog family never carries the worker label: summing per tenant needs no `without (worker)`.
      expect(exposition.samples.some((s) => s.name === "wallet_transactions_total" && "worker" in s.labels)).toBe(false);
    }
  }, 60000);
});

describe("node:cluster database_up", () => {
  it("is the minimum over the workers: one worker without its database reads 0, not 1 or a sum", async () => {
    const { base, primaryUrl } = await startCluster(4, { DB_DOWN_INDEX: "2" });
    expect(sampleValue(await scrape(primaryUrl), "database_up")).toBe(0);
    expect(sampleValue(await scrape(`${base}/metrics`), "database_up")).toBe(0);
  }, 60000);
});

describe("node:cluster worker restart", () => {
  it("a killed worker is replaced and the summed counters never go backwards", async () => {
    const { base, primaryUrl, app: cluster } = await startCluster(2);
    const pids = await purchases(base, "KM", 20);
    const before = await scrape(primaryUrl);
    expect(walletCount(before, "KM", "success")).toBe(20);

    // Kill one worker that served requests (by its PID) and wait until the primary forked its replacement.
    const victim = [...pids][0]!;
    const listeningBefore = cluster.output().match(/listening/g)!.length;
    process.kill(victim, "SIGKILL");
    await waitFor(async () => cluster.output().match(/listening/g)!.length > listeningBefore, 15000, "the replacement worker");

    const after = await scrape(primaryUrl);
    expect(walletCount(after, "KM", "success")).toBe(20);
    expect(workerLabels(after)).toEqual(new Set(["0", "1"]));
    await purchases(base, "KM", 10);
    expect(walletCount(await scrape(primaryUrl), "KM", "success")).toBe(30);
    expect(walletCount(await scrape(`${base}/metrics`), "KM", "success")).toBe(30);
  }, 60000);
});

describe("node:cluster graceful worker exit", () => {
  it("a worker stopped with SIGTERM hands its final counts to the primary, even with no scrape before", async () => {
    const { base, primaryUrl, app: cluster } = await startCluster(2);
    const pids = await purchases(base, "KM", 20);
    expect(pids.size).toBe(2);
    const listeningBefore = cluster.output().match(/listening/g)!.length;
    process.kill([...pids][0]!, "SIGTERM");
    await waitFor(async () => cluster.output().match(/listening/g)!.length > listeningBefore, 15000, "the replacement worker");
    expect(walletCount(await scrape(primaryUrl), "KM", "success")).toBe(20);
  }, 60000);
});
