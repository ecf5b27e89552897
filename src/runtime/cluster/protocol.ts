import type { MetricSnapshot } from "./aggregate.js";

/**
 * Messages between a cluster primary and its workers over Node's IPC channel. The `monwire:`
 * prefix keeps them apart from prom-client's own cluster messages and from the app's.
 */
export const COLLECT = "monwire:cluster:collect";
export const SNAPSHOT = "monwire:cluster:snapshot";
export const AGGREGATE = "monwire:cluster:aggregate";
export const AGGREGATED = "monwire:cluster:aggregated";

export type ClusterMessage =
  | { type: typeof COLLECT; id: number }
  | { type: typeof SNAPSHOT; id: number; metrics?: MetricSnapshot; error?: string }
  | { type: typeof AGGREGATE; id: number }
  | { type: typeof AGGREGATED; id: number; metrics?: MetricSnapshot; error?: string };

export function isClusterMessage(message: unknown): message is ClusterMessage {
  if (typeof message !== "object" || message === null) return false;
  const { type, id } = message as { type?: unknown; id?: unknown };
  return typeof id === "number" && (type === COLLECT || type === SNAPSHOT || type === AGGREGATE || type === AGGREGATED);
}
