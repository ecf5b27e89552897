import cluster, { type Worker } from "node:cluster";
import type { Registry } from "prom-client";
import { aggregateSnapshots, retire, type MetricSnapshot } from "./aggregate.js";
import { AGGREGATE, AGGREGATED, COLLECT, SNAPSHOT, isClusterMessage } from "./protocol.js";

export interface ClusterPrimaryOptions {
  /** How long a worker may take to answer; a late worker is reported with its last known values. */
  timeoutMs?: number;
}

export interface ClusterPrimary {
  /** Asks every connected worker for its metrics and aggregates them (plus retired workers' counters). */
  aggregate(): Promise<Registry>;
  /** Stops listening to the cluster. */
  close(): void;
}

/**
 * The primary's side of cluster aggregation. It keeps, per worker, the last snapshot it received;
 * when a worker exits, that snapshot's counters and histograms are folded into the retired totals,
 * so the replacement worker starting from zero does not make the sums go backwards (no false
 * counter reset for `rate()`). A worker closed gracefully (`clusterMetrics.close()`) sends its
 * final values first; increments a crashed worker made after the last scrape are lost.
 *
 * Process and Node.js metrics are per worker, labelled `worker="<slot>"`: the slot is the smallest
 * free number when the worker is first seen and is reused by its replacement, so restarts do not
 * grow the label's values.
 */
export function createClusterPrimary(options: ClusterPrimaryOptions = {}): ClusterPrimary {
  const timeoutMs = options.timeoutMs ?? 2000;
  const last = new Map<number, MetricSnapshot>();
  const slots = new Map<number, number>();
  const waiting = new Map<string, (snapshot: MetricSnapshot | undefined) => void>();
  let retired: MetricSnapshot = [];
  let nextId = 0;

  const slotOf = (worker: Worker): string => {
    let slot = slots.get(worker.id);
    if (slot === undefined) {
      const taken = new Set(slots.values());
      slot = 0;
      while (taken.has(slot)) slot += 1;
      slots.set(worker.id, slot);
    }
    return String(slot);
  };

  const ask = (worker: Worker): Promise<MetricSnapshot | undefined> =>
    new Promise((resolve) => {
      const id = nextId++;
      const key = `${worker.id}:${id}`;
      const timer = setTimeout(() => {
        waiting.delete(key);
        resolve(undefined);
      }, timeoutMs);
      waiting.set(key, (snapshot) => {
        clearTimeout(timer);
        waiting.delete(key);
        resolve(snapshot);
      });
      try {
        worker.send({ type: COLLECT, id });
      } catch {
        waiting.get(key)?.(undefined);
      }
    });

  const aggregate = async (): Promise<Registry> => {
    const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined && w.isConnected());
    const answers = await Promise.all(workers.map(ask));
    const live: { worker: string; snapshot: MetricSnapshot }[] = [];
    workers.forEach((worker, i) => {
      const answer = answers[i];
      if (answer) last.set(worker.id, answer);
      const snapshot = answer ?? last.get(worker.id);
      if (snapshot) live.push({ worker: slotOf(worker), snapshot });
    });
    return aggregateSnapshots(live, retired);
  };

  const onMessage = (worker: Worker, message: unknown) => {
    if (!isClusterMessage(message)) return;
    if (message.type === SNAPSHOT && message.id === -1) {
      // A worker shutting down gracefully sent its final values: they outlive it.
      if (message.metrics) last.set(worker.id, message.metrics);
    } else if (message.type === SNAPSHOT) {
      waiting.get(`${worker.id}:${message.id}`)?.(message.error ? undefined : message.metrics);
    } else if (message.type === AGGREGATE) {
      // A worker was scraped and wants everyone's metrics.
      aggregate()
        .then((registry) => registry.getMetricsAsJSON())
        .then(
          (metrics) => worker.isConnected() && worker.send({ type: AGGREGATED, id: message.id, metrics }),
          (error: Error) => worker.isConnected() && worker.send({ type: AGGREGATED, id: message.id, error: error.message }),
        );
    }
  };

  const onExit = (worker: Worker) => {
    const snapshot = last.get(worker.id);
    if (snapshot) retired = retire(retired, snapshot);
    last.delete(worker.id);
    slots.delete(worker.id);
  };

  cluster.on("message", onMessage);
  cluster.on("exit", onExit);
  return {
    aggregate,
    close() {
      cluster.off("message", onMessage);
      cluster.off("exit", onExit);
    },
  };
}
