import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { performance } from "node:perf_hooks";
import { createGunzip } from "node:zlib";
import { decodeBody, type DecodedBody } from "./parse-utf8.js";

/**
 * One scrape, done the way Prometheus does it: its exact Accept header (verified against the
 * Prometheus 2.x binary and source), its scrape-timeout header, gzip accepted, a hard deadline,
 * and a bearer token when one is configured. Network failures come back as data, never thrown,
 * so "app not up" becomes a skipped check rather than a crash.
 */
export const PROMETHEUS_ACCEPT =
  "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

/** A body larger than this is cut off and reported; a real scrape that size is a problem already. */
export const SCRAPE_MAX_BYTES = 64 * 1024 * 1024;

export interface ScrapeOptions {
  url: string;
  /** Bearer token; sent only when non-empty. */
  token?: string;
  timeoutMs: number;
  userAgent: string;
}

export type ScrapeOutcome =
  | {
      kind: "response";
      status: number;
      statusText: string;
      contentType?: string;
      contentEncoding?: string;
      /** Where a 3xx points. */
      location?: string;
      /** Decoded as UTF-8; bytes that are not valid UTF-8 are kept escaped (parse-utf8.ts). */
      body: string;
      invalidUtf8: boolean;
      /** Decoded body size. */
      bytes: number;
      /** Bytes on the wire (compressed when gzip was used). */
      wireBytes: number;
      durationMs: number;
    }
  | { kind: "unreachable"; code: string; message: string }
  | { kind: "timeout"; afterMs: number }
  | { kind: "error"; message: string };

const UNREACHABLE = new Set(["ECONNREFUSED", "ENOTFOUND", "EHOSTUNREACH", "ENETUNREACH", "EAI_AGAIN", "ECONNRESET"]);

export function scrapeHeaders(options: Pick<ScrapeOptions, "token" | "timeoutMs" | "userAgent">): Record<string, string> {
  const headers: Record<string, string> = {
    Accept: PROMETHEUS_ACCEPT,
    "Accept-Encoding": "gzip",
    "User-Agent": options.userAgent,
    // Prometheus sends the timeout as seconds with no trailing zeros (strconv 'f', -1).
    "X-Prometheus-Scrape-Timeout-Seconds": String(options.timeoutMs / 1000),
  };
  if (options.token) headers.Authorization = `Bearer ${options.token}`;
  return headers;
}

export function scrape(options: ScrapeOptions): Promise<ScrapeOutcome> {
  const started = performance.now();
  const url = new URL(options.url);
  const send = url.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise<ScrapeOutcome>((resolve) => {
    let settled = false;
    const finish = (outcome: ScrapeOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    const req = send(url, { method: "GET", headers: scrapeHeaders(options) }, (res) => {
      readBody(res).then(
        ({ body, invalidUtf8, bytes, wireBytes }) => {
          const outcome: ScrapeOutcome = {
            kind: "response",
            status: res.statusCode ?? 0,
            statusText: res.statusMessage ?? "",
            body,
            invalidUtf8,
            bytes,
            wireBytes,
            durationMs: performance.now() - started,
          };
          if (res.headers["content-type"]) outcome.contentType = res.headers["content-type"];
          if (res.headers["content-encoding"]) outcome.contentEncoding = res.headers["content-encoding"];
          if (res.headers.location) outcome.location = res.headers.location;
          finish(outcome);
        },
        (error: Error) => finish({ kind: "error", message: `reading the response failed: ${error.message}` }),
      );
    });
    const timer = setTimeout(() => {
      finish({ kind: "timeout", afterMs: options.timeoutMs });
      req.destroy();
    }, options.timeoutMs);
    req.on("error", (error: NodeJS.ErrnoException) => {
      const code = error.code ?? "";
      if (UNREACHABLE.has(code)) finish({ kind: "unreachable", code, message: error.message });
      else finish({ kind: "error", message: error.message });
    });
    req.end();
  });
}

async function readBody(res: IncomingMessage): Promise<DecodedBody & { bytes: number; wireBytes: number }> {
  let wireBytes = 0;
  const gzip = /gzip/i.test(String(res.headers["content-encoding"] ?? ""));
  // Compressed bytes are counted on the socket side; a plain body is counted as it is read.
  if (gzip) res.on("data", (chunk: Buffer) => void (wireBytes += chunk.length));
  const stream: AsyncIterable<Buffer> = gzip ? res.pipe(createGunzip()) : res;
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of stream) {
    bytes += chunk.length;
    if (!gzip) wireBytes += chunk.length;
    if (bytes > SCRAPE_MAX_BYTES) {
      res.destroy();
      throw new Error(`body larger than ${SCRAPE_MAX_BYTES} bytes`);
    }
    chunks.push(chunk);
  }
  return { ...decodeBody(Buffer.concat(chunks)), bytes, wireBytes };
}
