import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { brotliDecompressSync, gunzipSync, inflateSync } from "node:zlib";

/**
 * A loopback Sentry envelope receiver: the real SDK sends to it through a DSN like
 * `http://public@127.0.0.1:PORT/1`. It records every request's raw body, parses envelopes, and
 * answers with whatever status it was asked for (200, 403, 429 with rate-limit headers, …).
 * `mon demo` runs one so a newcomer sees real events without a Sentry account; the tests use the
 * same one (test/helpers/sentry-receiver.ts re-exports it).
 */
export interface EnvelopeItem {
  header: { type?: string; length?: number; [key: string]: unknown };
  /** The payload parsed as JSON when it is JSON, else the UTF-8 text. */
  payload: unknown;
}

export interface ReceivedEnvelope {
  /** Request path, e.g. `/api/1/envelope/`. */
  path: string;
  /** Project id taken from the path. */
  projectId: string;
  headers: IncomingHttpHeaders;
  /** The body exactly as it arrived (possibly compressed). */
  rawBody: Buffer;
  /** The body after undoing Content-Encoding: search this for secrets that must never leave. */
  body: Buffer;
  header: Record<string, unknown>;
  items: EnvelopeItem[];
  /** The status this receiver answered with. */
  answeredStatus: number;
}

export interface ReceiverReply {
  status: number;
  /** Seconds, sent as `Retry-After`. */
  retryAfter?: number;
  /** Sent verbatim as `X-Sentry-Rate-Limits`, e.g. `60:error;transaction:key`. */
  rateLimits?: string;
}

export interface SentryReceiver {
  port: number;
  /** Every envelope received so far, oldest first. */
  envelopes: ReceivedEnvelope[];
  /** A DSN pointing at this receiver. */
  dsn(options?: { publicKey?: string; projectId?: string }): string;
  /** Payloads of items of `type` (default "event") across all envelopes. */
  items(type?: string): Record<string, unknown>[];
  /** All decompressed bodies joined: `expect(receiver.allText()).not.toContain(canary)`. */
  allText(): string;
  /** What the receiver answers from now on. */
  reply(reply: ReceiverReply): void;
  /** Resolves with the first envelope matching `predicate` (already received or arriving later). */
  waitFor(predicate: (envelope: ReceivedEnvelope) => boolean, timeoutMs?: number): Promise<ReceivedEnvelope>;
  close(): Promise<void>;
}

/** Splits an envelope body: header line, then per item a header line and a payload (by length or up to the newline). */
export function parseEnvelope(body: Buffer): { header: Record<string, unknown>; items: EnvelopeItem[] } {
  let offset = 0;
  const readLine = (): Buffer => {
    const end = body.indexOf(0x0a, offset);
    const line = body.subarray(offset, end === -1 ? body.length : end);
    offset = end === -1 ? body.length : end + 1;
    return line;
  };
  const header = JSON.parse(readLine().toString("utf8")) as Record<string, unknown>;
  const items: EnvelopeItem[] = [];
  while (offset < body.length) {
    const headerLine = readLine();
    if (headerLine.length === 0) continue;
    const itemHeader = JSON.parse(headerLine.toString("utf8")) as EnvelopeItem["header"];
    let payloadBytes: Buffer;
    if (typeof itemHeader.length === "number") {
      payloadBytes = body.subarray(offset, offset + itemHeader.length);
      offset += itemHeader.length;
      if (body[offset] === 0x0a) offset += 1;
    } else {
      payloadBytes = readLine();
    }
    const text = payloadBytes.toString("utf8");
    let payload: unknown = text;
    try {
      payload = JSON.parse(text);
    } catch {
      // Attachments and other non-JSON payloads stay text.
    }
    items.push({ header: itemHeader, payload });
  }
  return { header, items };
}

function decode(raw: Buffer, encoding: string | undefined): Buffer {
  switch ((encoding ?? "").toLowerCase()) {
    case "gzip":
      return gunzipSync(raw);
    case "deflate":
      return inflateSync(raw);
    case "br":
      return brotliDecompressSync(raw);
    default:
      return raw;
  }
}

/** Starts a receiver on 127.0.0.1 with an ephemeral port. */
export async function startSentryReceiver(initial: ReceiverReply = { status: 200 }): Promise<SentryReceiver> {
  const envelopes: ReceivedEnvelope[] = [];
  const waiters = new Set<(envelope: ReceivedEnvelope) => void>();
  let current = initial;

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const rawBody = Buffer.concat(chunks);
      const path = req.url ?? "/";
      const projectId = /^\/api\/([^/]+)\/envelope\/?/.exec(path)?.[1] ?? "";
      const answer = current;
      const headers: Record<string, string> = {};
      if (answer.retryAfter !== undefined) headers["Retry-After"] = String(answer.retryAfter);
      if (answer.rateLimits !== undefined) headers["X-Sentry-Rate-Limits"] = answer.rateLimits;
      let body: Buffer = rawBody;
      let parsed: { header: Record<string, unknown>; items: EnvelopeItem[] } = { header: {}, items: [] };
      try {
        body = decode(rawBody, req.headers["content-encoding"]);
        parsed = parseEnvelope(body);
      } catch {
        // A body that does not parse is still recorded raw, so a test can inspect it.
      }
      const envelope: ReceivedEnvelope = { path, projectId, headers: req.headers, rawBody, body, ...parsed, answeredStatus: answer.status };
      envelopes.push(envelope);
      res.writeHead(answer.status, headers).end(answer.status < 300 ? "{}" : "");
      for (const waiter of waiters) waiter(envelope);
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const port = (server.address() as AddressInfo).port;

  return {
    port,
    envelopes,
    dsn: ({ publicKey = "public", projectId = "1" } = {}) => `http://${publicKey}@127.0.0.1:${port}/${projectId}`,
    items: (type = "event") =>
      envelopes.flatMap((e) => e.items.filter((i) => i.header.type === type).map((i) => i.payload as Record<string, unknown>)),
    allText: () => envelopes.map((e) => `${e.body.toString("utf8")}\n${e.rawBody.toString("latin1")}`).join("\n"),
    reply: (reply) => {
      current = reply;
    },
    waitFor: (predicate, timeoutMs = 10_000) => {
      const found = envelopes.find(predicate);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const waiter = (envelope: ReceivedEnvelope) => {
          if (!predicate(envelope)) return;
          clearTimeout(timer);
          waiters.delete(waiter);
          resolve(envelope);
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`no matching envelope within ${timeoutMs} ms (received ${envelopes.length})`));
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
