import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** One Alertmanager webhook notification (the fields the tests read). */
export interface WebhookNotification {
  path: string;
  status: "firing" | "resolved";
  receiver: string;
  alerts: Array<{ status: string; labels: Record<string, string>; annotations: Record<string, string> }>;
}

/** A loopback HTTP receiver that records every JSON body POSTed to it. */
export async function startWebhookReceiver(): Promise<{ url: string; received: WebhookNotification[]; close: () => Promise<void> }> {
  const received: WebhookNotification[] = [];
  const server: Server = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => (body += chunk));
    req.on("end", () => {
      try {
        received.push({ ...(JSON.parse(body) as Omit<WebhookNotification, "path">), path: req.url ?? "" });
      } catch {
        // not a notification: ignored, the test will miss it
      }
      res.statusCode = 200;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
