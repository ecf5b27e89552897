import { randomBytes, timingSafeEqual } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Registry } from "prom-client";
import { aggregateSnapshots, cumulativePart, retire, type MetricSnapshot } from "./aggregate.js";

/**
 * PM2 cluster mode has no primary of ours: PM2's daemon forks the instances and balances the
 * port. Each instance therefore registers in a shared directory (`<pid>.json`: its loopback port
 * and a random secret; directory 0700, files 0600) and answers its siblings' requests there. The
 * instance that Prometheus scrapes asks every registered sibling and aggregates.
 *
 * Restarts: after each scrape the scraped instance stores every sibling's counters and histograms
 * (`<pid>.last.json`). A registration whose process is gone is claimed by renaming it (only one
 * scraper wins) and its stored values are added to `retired.json`, so the sums never go backwards
 * when PM2 replaces an instance. As with node:cluster, increments after the last scrape are lost.
 */
export interface PeerGroupOptions {
  collect: () => Promise<MetricSnapshot>;
  /** Names the directory: instances of one app share it. */
  group: string;
  dir?: string;
  timeoutMs: number;
}

interface Registration {
  pid: number;
  port: number;
  secret: string;
  worker: string;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
};

function readJson<T>(path: string): T | undefined {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as T;
  } catch {
    return undefined;
  }
}

function writeAtomic(path: string, value: unknown): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(value), { mode: 0o600 });
  renameSync(tmp, path);
}

function fetchSnapshot(peer: Registration, timeoutMs: number): Promise<MetricSnapshot | undefined> {
  return new Promise((resolve) => {
    const req = request({ host: "127.0.0.1", port: peer.port, path: "/snapshot", headers: { "x-monwire-peer": peer.secret }, timeout: timeoutMs }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve(res.statusCode === 200 ? (JSON.parse(body) as MetricSnapshot) : undefined));
    });
    req.on("timeout", () => req.destroy());
    req.on("error", () => resolve(undefined));
    req.end();
  });
}

export async function createPeerGroup(options: PeerGroupOptions) {
  const uid = typeof process.getuid === "function" ? process.getuid() : 0;
  const dir = options.dir ?? join(tmpdir(), `monwire-peers-${uid}-${options.group.replace(/[^A-Za-z0-9_.-]/g, "_")}`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // Siblings trust what they read here: a directory another user owns or can write is refused.
  const st = statSync(dir);
  if ((typeof process.getuid === "function" && st.uid !== uid) || (st.mode & 0o022) !== 0) {
    throw new Error(`createClusterMetrics: ${dir} is owned by another user or writable by others; remove it or pass peerDir`);
  }
  const secret = randomBytes(24).toString("hex");
  const expected = Buffer.from(secret);
  const me: Omit<Registration, "port"> = { pid: process.pid, secret, worker: process.env.NODE_APP_INSTANCE ?? String(process.pid) };

  const server: Server = createServer((req, res) => {
    const presented = Buffer.from(String(req.headers["x-monwire-peer"] ?? ""));
    if (req.url !== "/snapshot" || presented.length !== expected.length || !timingSafeEqual(presented, expected)) {
      res.statusCode = 404;
      return res.end();
    }
    options.collect().then(
      (snapshot) => {
        res.setHeader("Content-Type", "application/json");
        res.end(JSON.stringify(snapshot));
      },
      () => {
        res.statusCode = 500;
        res.end();
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    // exclusive: in a cluster worker a plain listen(0) would share one port among all siblings.
    server.listen({ port: 0, host: "127.0.0.1", exclusive: true }, () => resolve());
  });
  server.unref();
  const registration: Registration = { ...me, port: (server.address() as AddressInfo).port };
  writeAtomic(join(dir, `${process.pid}.json`), registration);

  /** Folds gone instances' last stored values into retired.json; the rename makes each fold happen once. */
  const retireGone = (registrations: Registration[]): MetricSnapshot => {
    let retired = readJson<MetricSnapshot>(join(dir, "retired.json")) ?? [];
    for (const peer of registrations) {
      if (alive(peer.pid)) continue;
      const claimed = join(dir, `${peer.pid}.gone.${process.pid}`);
      try {
        renameSync(join(dir, `${peer.pid}.json`), claimed);
      } catch {
        continue; // another instance claimed it
      }
      const lastValues = readJson<MetricSnapshot>(join(dir, `${peer.pid}.last.json`));
      if (lastValues) {
        retired = retire(retired, lastValues);
        writeAtomic(join(dir, "retired.json"), retired);
      }
      rmSync(claimed, { force: true });
      rmSync(join(dir, `${peer.pid}.last.json`), { force: true });
    }
    return retired;
  };

  const aggregate = async (): Promise<Registry> => {
    const registrations = readdirSync(dir)
      .filter((name) => /^\d+\.json$/.test(name))
      .map((name) => readJson<Registration>(join(dir, name)))
      .filter((r): r is Registration => r !== undefined);
    const retired = retireGone(registrations);
    const live = registrations.filter((peer) => alive(peer.pid));
    const answers = await Promise.all(
      live.map((peer) => (peer.pid === process.pid ? options.collect() : fetchSnapshot(peer, options.timeoutMs))),
    );
    const snapshots: { worker: string; snapshot: MetricSnapshot }[] = [];
    live.forEach((peer, i) => {
      const stored = join(dir, `${peer.pid}.last.json`);
      const snapshot = answers[i] ?? readJson<MetricSnapshot>(stored);
      if (!snapshot) return;
      if (answers[i]) writeAtomic(stored, cumulativePart(snapshot));
      snapshots.push({ worker: peer.worker, snapshot });
    });
    return aggregateSnapshots(snapshots, retired);
  };

  return {
    dir,
    aggregate,
    async close() {
      // The registration stays: the next scrape sees the process gone and retires these values.
      const finalValues = await options.collect().catch(() => undefined);
      if (finalValues) writeAtomic(join(dir, `${process.pid}.last.json`), cumulativePart(finalValues));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
