import { beforeEach, describe, expect, it } from "vitest";
import { getMetrics, resetMetrics } from "../../src/runtime/metrics.js";
import type { SentryTransport, SentryTransportResponse } from "../../src/runtime/sentry/sdk.js";
import { classifyResponse, countingTransport, type EnvelopeStatus } from "../../src/runtime/sentry/transport.js";

const noLimits = { "x-sentry-rate-limits": null, "retry-after": null };

describe("classifyResponse", () => {
  it.each<[string, SentryTransportResponse | undefined, number, EnvelopeStatus | undefined]>([
    ["200", { statusCode: 200, headers: noLimits }, 0, "delivered"],
    ["204", { statusCode: 204 }, 0, "delivered"],
    ["403", { statusCode: 403, headers: noLimits }, 0, "rejected"],
    ["413", { statusCode: 413 }, 0, "rejected"],
    ["500", { statusCode: 500 }, 0, "rejected"],
    ["429", { statusCode: 429, headers: { ...noLimits, "retry-after": "30" } }, 0, "rate_limited"],
    ["200 with X-Sentry-Rate-Limits", { statusCode: 200, headers: { ...noLimits, "x-sentry-rate-limits": "60:error:key" } }, 0, "rate_limited"],
    ["dropped by the SDK during a rate limit", {}, 5000, "rate_limited"],
    ["dropped by the SDK otherwise (buffer full)", {}, 0, undefined],
  ])("%s", (_name, response, limitedUntil, expected) => {
    expect(classifyResponse(response, 1000, limitedUntil)).toBe(expected);
  });
});

/** A transport standing in for the SDK's HTTP one: answers from a script, or throws like a refused connection. */
function scripted(answers: Array<SentryTransportResponse | Error>): SentryTransport {
  return {
    send: () => {
      const next = answers.shift();
      return next instanceof Error ? Promise.reject(next) : Promise.resolve(next ?? {});
    },
    flush: () => Promise.resolve(true),
  };
}

async function counts(): Promise<Record<string, number>> {
  const metric = await getMetrics().sentryEnvelopes.get();
  return Object.fromEntries(metric.values.map((v) => [String(v.labels.status), v.value]));
}

describe("countingTransport", () => {
  beforeEach(() => resetMetrics());

  it("counts each outcome into sentry_envelopes_total{status}", async () => {
    let now = 0;
    const transport = countingTransport(
      scripted([
        { statusCode: 200 },
        { statusCode: 403 },
        { statusCode: 429, headers: { ...noLimits, "retry-after": "10" } },
        {}, // the SDK dropped it: still inside the 10 s window
        {}, // after the window: not sent for another reason, not counted
        new Error("ECONNREFUSED"),
      ]),
      () => now,
    );
    await transport.send({});
    await transport.send({});
    await transport.send({});
    now = 5_000;
    await transport.send({});
    now = 20_000;
    await transport.send({});
    await expect(transport.send({})).rejects.toThrow("ECONNREFUSED");
    expect(await counts()).toEqual({ delivered: 1, rejected: 1, rate_limited: 2, network_error: 1 });
  });

  it("uses the longest X-Sentry-Rate-Limits window", async () => {
    let now = 0;
    const transport = countingTransport(scripted([{ statusCode: 429, headers: { ...noLimits, "x-sentry-rate-limits": "5:error:key, 120::organization" } }, {}]), () => now);
    await transport.send({});
    now = 100_000;
    await transport.send({});
    expect((await counts()).rate_limited).toBe(2);
  });
});
