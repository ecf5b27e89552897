import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface MetricsServer {
  server: Server;
  /** The scrape URL, e.g. http://127.0.0.1:9464/metrics. */
  url: string;
  port: number;
  close(): Promise<void>;
}

export interface MetricsServerOptions {
  /** 0 picks a free port. */
  port: number;
  /** Loopback by default: exposing metrics beyond the host is a decision, not a default. */
  host?: string;
  path: string;
}

/**
 * Serves the scrape handler on its own port, so /metrics never shares the app's port (and its
 * auth, proxies and rate limits). Everything but the scrape path answers 404.
 */
export function startMetricsServer(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
  options: MetricsServerOptions,
): Promise<MetricsServer> {
  const host = options.host ?? "127.0.0.1";
  const server = createServer((req, res) => {
    const url = req.url ?? "/";
    const path = url.includes("?") ? url.slice(0, url.indexOf("?")) : url;
    if (path === options.path) return handler(req, res);
    res.statusCode = 404;
    res.setHeader("Content-Type", "text/plain; charset=utf-8");
    res.end("not found\n");
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, host, () => {
      server.off("error", reject);
      const { port } = server.address() as AddressInfo;
      const shownHost = host.includes(":") ? `[${host}]` : host;
      resolve({
        server,
        port,
        url: `http://${shownHost}:${port}${options.path}`,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
