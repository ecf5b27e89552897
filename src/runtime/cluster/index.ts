import cluster from "node:cluster";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Registry } from "prom-client";
import { startMetricsServer, type MetricsServer } from "../metrics-server.js";
import type { MetricSnapshot } from "./aggregate.js";
import { createAggregateHandler } from "./handler.js";
import { createPeerGroup } from "./peers.js";
import { createClusterPrimary } from "./primary.js";
import { createClusterWorker } from "./worker.js";

export interface ClusterMetricsOptions {
  /** The worker's monitoring (`createMonitoring()`); required in workers and PM2 instances, unused in a primary. */
  monitoring?: { collectMetrics: () => Promise<MetricSnapshot>; config: { service: string; metrics: { tokenEnv?: string } } };
  /**
   * `cluster`: node:cluster, the primary aggregates over IPC. `pm2`: PM2 cluster mode (no primary
   * of ours), each instance answers a scrape by asking its siblings over loopback. Default: `pm2`
   * when PM2 started this process (`pm_id` in the environment), else `cluster`.
   */
  mode?: "cluster" | "pm2";
  /** How long one worker may take to answer. Default 2000 ms. */
  timeoutMs?: number;
  /** The env var holding the scrape bearer token. Default: the monitoring's `metrics.tokenEnv`, else MONWIRE_METRICS_TOKEN. */
  tokenEnv?: string;
  /** PM2 mode: the directory where siblings register (default: a per-user, per-app directory under the OS temp dir). */
  peerDir?: string;
}

export interface ClusterMetrics {
  role: "primary" | "worker" | "peer";
  /** Every worker's metrics aggregated per family. */
  aggregate(): Promise<Registry>;
  /** GET handler serving the aggregate (Prometheus text, bearer auth as configured). */
  handler: (req: IncomingMessage, res: ServerResponse) => void;
  /** Serves the aggregate on its own port (127.0.0.1 unless `host` is given). */
  startServer(options: { port: number; host?: string; path?: string }): Promise<MetricsServer>;
  close(): Promise<void>;
}

function requireMonitoring(options: ClusterMetricsOptions, where: string) {
  if (!options.monitoring) throw new Error(`createClusterMetrics: pass { monitoring } in ${where} (the value createMonitoring() returned)`);
  return options.monitoring;
}

/**
 * One scrape that shows every worker: in a node:cluster primary, in any node:cluster worker (it
 * asks the primary), or in any PM2 cluster instance (it asks its siblings). See "Cluster and PM2"
 * in docs/metrics.md.
 */
export async function createClusterMetrics(options: ClusterMetricsOptions = {}): Promise<ClusterMetrics> {
  const mode = options.mode ?? (process.env.pm_id !== undefined ? "pm2" : "cluster");
  const tokenEnv = options.tokenEnv ?? options.monitoring?.config.metrics.tokenEnv ?? "MONWIRE_METRICS_TOKEN";
  const token = process.env[tokenEnv] || undefined;
  const timeoutMs = options.timeoutMs ?? 2000;

  let role: ClusterMetrics["role"];
  let aggregate: () => Promise<Registry>;
  let stop: () => Promise<void> | void;
  if (mode === "pm2") {
    const monitoring = requireMonitoring(options, "every PM2 instance");
    const group = await createPeerGroup({
      collect: monitoring.collectMetrics,
      group: process.env.name ?? monitoring.config.service,
      timeoutMs,
      ...(options.peerDir ? { dir: options.peerDir } : {}),
    });
    role = "peer";
    aggregate = group.aggregate;
    stop = group.close;
  } else if (cluster.isPrimary) {
    const primary = createClusterPrimary({ timeoutMs });
    role = "primary";
    aggregate = primary.aggregate;
    stop = primary.close;
  } else {
    const monitoring = requireMonitoring(options, "every cluster worker");
    const worker = createClusterWorker({ collect: monitoring.collectMetrics, timeoutMs: timeoutMs * 2 });
    role = "worker";
    aggregate = worker.aggregate;
    stop = worker.close;
  }

  const handler = createAggregateHandler(aggregate, token);
  const servers = new Set<MetricsServer>();
  return {
    role,
    aggregate,
    handler,
    async startServer({ port, host = "127.0.0.1", path = "/metrics" }) {
      const server = await startMetricsServer(handler, { port, host, path });
      servers.add(server);
      return server;
    },
    async close() {
      await Promise.all([...servers].map((s) => s.close()));
      servers.clear();
      await stop();
    },
  };
}
