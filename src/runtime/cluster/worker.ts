import { AggregatorRegistry, type Registry } from "prom-client";
import type { MetricSnapshot } from "./aggregate.js";
import { AGGREGATE, AGGREGATED, COLLECT, SNAPSHOT, isClusterMessage } from "./protocol.js";

export interface ClusterWorkerOptions {
  /** This worker's metrics (`monitoring.collectMetrics`). */
  collect: () => Promise<MetricSnapshot>;
  /** How long a scrape of this worker waits for the primary's aggregate. */
  timeoutMs?: number;
}

export interface ClusterWorker {
  /** Asks the primary for every worker's metrics, aggregated. */
  aggregate(): Promise<Registry>;
  /** Sends the primary this worker's final values (a graceful exit loses nothing), then stops answering. */
  close(): Promise<void>;
}

/** A worker's side: answers the primary's collect requests and can ask it for the aggregate. */
export function createClusterWorker(options: ClusterWorkerOptions): ClusterWorker {
  const send = process.send?.bind(process);
  if (!send) throw new Error("createClusterMetrics: this process has no IPC channel to a cluster primary");
  const timeoutMs = options.timeoutMs ?? 5000;
  const waiting = new Map<number, (answer: { metrics?: MetricSnapshot; error?: string }) => void>();
  let nextId = 0;

  const onMessage = (message: unknown) => {
    if (!isClusterMessage(message)) return;
    if (message.type === COLLECT) {
      options.collect().then(
        (metrics) => send({ type: SNAPSHOT, id: message.id, metrics }),
        (error: Error) => send({ type: SNAPSHOT, id: message.id, error: error.message }),
      );
    } else if (message.type === AGGREGATED) {
      waiting.get(message.id)?.(message);
    }
  };
  process.on("message", onMessage);

  return {
    aggregate: () =>
      new Promise((resolve, reject) => {
        const id = nextId++;
        const timer = setTimeout(() => {
          waiting.delete(id);
          reject(new Error(`the cluster primary did not answer within ${timeoutMs} ms`));
        }, timeoutMs);
        waiting.set(id, (answer) => {
          clearTimeout(timer);
          waiting.delete(id);
          if (answer.error || !answer.metrics) reject(new Error(answer.error ?? "empty answer from the cluster primary"));
          else resolve(AggregatorRegistry.aggregate([answer.metrics]));
        });
        send({ type: AGGREGATE, id });
      }),
    async close() {
      const metrics = await options.collect().catch(() => undefined);
      if (metrics && process.connected) {
        // id -1: unsolicited; the primary keeps it as this worker's last values.
        await new Promise<void>((resolve) => send({ type: SNAPSHOT, id: -1, metrics }, undefined, {}, () => resolve()));
      }
      process.off("message", onMessage);
    },
  };
}
