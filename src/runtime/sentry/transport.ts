import { getMetrics } from "../metrics.js";
import type { SentryTransport, SentryTransportResponse } from "./sdk.js";
import type { SENTRY_STATUSES } from "../../metrics/catalog.js";

export type EnvelopeStatus = (typeof SENTRY_STATUSES)[number];

/** How long to assume a rate limit lasts when the server sent 429 without saying (the SDK's own default). */
const DEFAULT_RATE_LIMIT_SECONDS = 60;

function header(response: SentryTransportResponse, name: string): string | undefined {
  const headers = response.headers ?? {};
  const value = headers[name] ?? headers[name.toLowerCase()];
  return value === null || value === undefined || value === "" ? undefined : value;
}

/** Seconds until the server allows sending again, from Retry-After or X-Sentry-Rate-Limits. */
function rateLimitSeconds(response: SentryTransportResponse): number {
  const limits = header(response, "x-sentry-rate-limits");
  if (limits) {
    // "60:error;transaction:key, 2700:default:organization": the longest window counts.
    const seconds = limits.split(",").map((limit) => Number.parseInt(limit.trim().split(":")[0] ?? "", 10));
    const longest = Math.max(...seconds.filter(Number.isFinite));
    if (Number.isFinite(longest)) return longest;
  }
  const retryAfter = Number.parseInt(header(response, "retry-after") ?? "", 10);
  return Number.isFinite(retryAfter) ? retryAfter : DEFAULT_RATE_LIMIT_SECONDS;
}

/**
 * The outcome of one send as the server answered it. `undefined` when nothing was sent: the SDK
 * resolves with no status when it dropped the envelope itself (buffer full, or a rate limit still
 * in force, which `rateLimitedUntil` tells apart).
 */
export function classifyResponse(response: SentryTransportResponse | undefined, now: number, rateLimitedUntil: number): EnvelopeStatus | undefined {
  const status = response?.statusCode;
  if (status === undefined) return now < rateLimitedUntil ? "rate_limited" : undefined;
  if (status === 429 || (response && header(response, "x-sentry-rate-limits"))) return "rate_limited";
  if (status >= 200 && status < 300) return "delivered";
  return "rejected";
}

/**
 * Wraps the SDK's transport so every envelope's outcome lands in sentry_envelopes_total{status}.
 * Needed because `Sentry.flush()` resolves true even when the server answered 403: without this
 * counter a revoked DSN looks exactly like a healthy one.
 */
export function countingTransport(inner: SentryTransport, clock: () => number = Date.now): SentryTransport {
  let rateLimitedUntil = 0;
  const count = (status: EnvelopeStatus) => {
    try {
      getMetrics().sentryEnvelopes.inc({ status });
    } catch {
      // Counting must never break error reporting.
    }
  };
  return {
    send(envelope) {
      return Promise.resolve(inner.send(envelope)).then(
        (response) => {
          const now = clock();
          const status = classifyResponse(response, now, rateLimitedUntil);
          if (status === "rate_limited" && response?.statusCode !== undefined) {
            rateLimitedUntil = now + rateLimitSeconds(response) * 1000;
          }
          if (status) count(status);
          return response;
        },
        (error: unknown) => {
          count("network_error");
          throw error;
        },
      );
    },
    flush: (timeout) => inner.flush(timeout),
  };
}
