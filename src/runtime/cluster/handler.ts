import type { Registry } from "prom-client";
import { CONTENT_TYPES, createScrapeEndpoint, renderMetrics } from "../metrics-handler.js";

/**
 * The scrape handler over an aggregate. It always answers in the Prometheus text format: the
 * aggregated families are plain values (no prom-client metric objects to rename for OpenMetrics),
 * and Prometheus accepts text from any target. Method and bearer auth work as on a single process.
 */
export function createAggregateHandler(aggregate: () => Promise<Registry>, token: string | undefined) {
  return createScrapeEndpoint(token, async () => ({ body: await renderMetrics(await aggregate(), "text"), contentType: CONTENT_TYPES.text }));
}
