import { createHash } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Registry } from "prom-client";
import { CONTENT_TYPES, checkBearer, renderMetrics, send } from "../metrics-handler.js";

/**
 * The scrape handler over an aggregate. It always answers in the Prometheus text format: the
 * aggregated families are plain values (no prom-client metric objects to rename for OpenMetrics),
 * and Prometheus accepts text from any target. Bearer auth works as on a single process.
 */
export function createAggregateHandler(aggregate: () => Promise<Registry>, token: string | undefined) {
  const expected = token ? createHash("sha256").update(token).digest() : undefined;
  const serve = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const head = req.method === "HEAD";
    if (req.method !== "GET" && !head) {
      return send(res, 405, { Allow: "GET, HEAD", "Content-Type": "text/plain; charset=utf-8" }, "method not allowed\n", false);
    }
    if (expected) {
      const verdict = checkBearer(req.headers.authorization, expected);
      if (verdict !== "ok") {
        const challenge = verdict === "invalid" ? 'Bearer realm="metrics", error="invalid_token"' : 'Bearer realm="metrics"';
        return send(res, 401, { "WWW-Authenticate": challenge, "Content-Type": "text/plain; charset=utf-8" }, "unauthorized\n", head);
      }
    }
    const body = await renderMetrics(await aggregate(), "text");
    send(res, 200, { "Content-Type": CONTENT_TYPES.text }, body, head);
  };
  return function monwireClusterMetricsHandler(req: IncomingMessage, res: ServerResponse): void {
    serve(req, res).catch(() => {
      if (!res.headersSent) send(res, 500, { "Content-Type": "text/plain; charset=utf-8" }, "metrics unavailable\n", false);
      else res.destroy();
    });
  };
}
