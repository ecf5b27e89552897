import { describe, expect, it } from "vitest";
import { defaultConfig } from "../../src/config/schema.js";
import { REDACTED } from "../../src/audit/redact.js";
import { buildInitOptions } from "../../src/runtime/sentry/options.js";
import type { SentrySdk, SentryTransport } from "../../src/runtime/sentry/sdk.js";

// buildInitOptions only reads makeNodeTransport and withStaticSpan from the SDK; the real SDK is
// exercised end to end in test/integration/sentry*.test.ts.
const transports: unknown[] = [];
const fakeTransport: SentryTransport = { send: () => Promise.resolve({ statusCode: 200 }), flush: () => Promise.resolve(true) };
const sdk = {
  SDK_VERSION: "11.0.0",
  makeNodeTransport: (options: unknown) => {
    transports.push(options);
    return fakeTransport;
  },
} as unknown as SentrySdk;

type Hook = (value: unknown, hint?: unknown) => unknown;

describe("buildInitOptions", () => {
  const sentry = { ...defaultConfig().sentry, environment: "staging", release: "shop@2", sampleRate: 0.5, tracesSampleRate: 0.1 };

  it("takes DSN, environment, release and sample rates from the config", () => {
    const options = buildInitOptions(sdk, 11, "https://k@h/1", sentry);
    expect(options).toMatchObject({ dsn: "https://k@h/1", environment: "staging", release: "shop@2", sampleRate: 0.5 });
    // A rate above 0 becomes a sampler that leaves the scrape path alone.
    const sampler = options.tracesSampler as (context: object) => number;
    expect(sampler({ name: "GET /api/x", attributes: { "http.request.method": "GET", "url.path": "/api/x" } })).toBe(0.1);
    expect(sampler({ name: "GET /metrics", attributes: { "http.request.method": "GET", "url.path": "/metrics" } })).toBe(0);
    expect(options).not.toHaveProperty("sendDefaultPii");
    expect(options).not.toHaveProperty("beforeSendTransaction");
  });

  it("SDK 10 gets sendDefaultPii: false and beforeSendTransaction", () => {
    const options = buildInitOptions(sdk, 10, "https://k@h/1", sentry);
    expect(options.sendDefaultPii).toBe(false);
    expect(typeof options.beforeSendTransaction).toBe("function");
  });

  it("runs the app's beforeSend first and scrubs what it returns; null still drops the event", () => {
    const seen: unknown[] = [];
    const options = buildInitOptions(sdk, 11, "https://k@h/1", sentry, {
      beforeSend: (event: { extra?: Record<string, unknown> }) => {
        seen.push(event);
        return event.extra?.drop ? null : { ...event, extra: { ...event.extra, password: "added-by-app" } };
      },
      debug: true,
    });
    const beforeSend = options.beforeSend as Hook;
    expect(beforeSend({ extra: {} }, {})).toMatchObject({ extra: { password: REDACTED }, tags: { error_category: "system" } });
    expect(beforeSend({ extra: { drop: true } }, {})).toBeNull();
    expect(seen).toHaveLength(2);
    expect(options.debug).toBe(true);
  });

  it("lets the app override a privacy choice on purpose, but never the validated DSN", () => {
    const options = buildInitOptions(sdk, 11, "https://k@h/1", sentry, { dataCollection: { userInfo: true }, dsn: "https://other@h/2", environment: "canary" });
    expect(options).toMatchObject({ dataCollection: { userInfo: true }, dsn: "https://k@h/1", environment: "canary" });
  });

  it("waits for an async beforeSend of the app", async () => {
    const options = buildInitOptions(sdk, 11, "https://k@h/1", sentry, { beforeSend: async (event: object) => ({ ...event, extra: { token: "t" } }) });
    await expect((options.beforeSend as Hook)({}, {})).resolves.toMatchObject({ extra: { token: REDACTED } });
  });

  it("wraps the SDK's node transport, or the app's own transport, in the counting transport", async () => {
    const options = buildInitOptions(sdk, 11, "https://k@h/1", sentry);
    const transport = (options.transport as Hook)({ url: "x" }) as SentryTransport;
    expect(transport).not.toBe(fakeTransport);
    expect(transports).toEqual([{ url: "x" }]);
    await expect(transport.send({})).resolves.toEqual({ statusCode: 200 });

    let custom = 0;
    const own = buildInitOptions(sdk, 11, "https://k@h/1", sentry, { transport: () => ((custom += 1), fakeTransport) });
    (own.transport as Hook)({});
    expect(custom).toBe(1);
  });

  it("scrubs breadcrumbs and spans", () => {
    const options = buildInitOptions(sdk, 11, "https://k@h/1", sentry);
    expect((options.beforeBreadcrumb as Hook)({ data: { password: "p" } })).toEqual({ data: { password: REDACTED } });
    expect((options.beforeSendSpan as Hook)({ attributes: { "url.full": "/x?token=1" } })).toEqual({ attributes: { "url.full": `/x?token=${REDACTED}` } });
  });
});
