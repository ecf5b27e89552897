import { createServer } from "node:net";
import { join } from "node:path";
import { FIXTURES } from "./cli.js";
import { parseExposition, sampleValue, type Exposition } from "./exposition.js";

export const CLUSTER_APP = join(FIXTURES, "cluster-app", "app.mjs");

/** A free loopback port: the workers of a cluster share one port, so it is chosen up front. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export async function scrape(url: string): Promise<Exposition> {
  const res = await fetch(url);
  if (res.status !== 200) throw new Error(`scrape of ${url} answered ${res.status}`);
  return parseExposition(await res.text());
}

/** Sends `count` purchases for a tenant, each on a fresh connection so the cluster spreads them. */
export async function purchases(base: string, tenant: string, count: number, fail = false): Promise<Set<number>> {
  const pids = new Set<number>();
  for (let i = 0; i < count; i += 1) {
    const res = await fetch(`${base}/api/shops/${tenant}/wallet/purchase${fail ? "?fail" : ""}`, {
      method: "POST",
      headers: { "x-shop": tenant, connection: "close" },
    });
    pids.add(((await res.json()) as { pid: number }).pid);
  }
  return pids;
}

export const walletCount = (exposition: Exposition, tenant: string, outcome: "success" | "failure") =>
  sampleValue(exposition, "wallet_transactions_total", { type: "purchase", outcome, tenant }) ?? 0;

/** The `worker` label values of a per-worker process metric. */
export const workerLabels = (exposition: Exposition) =>
  new Set(exposition.samples.filter((s) => s.name === "process_cpu_user_seconds_total").map((s) => s.labels.worker));
