import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSentryReceiver, type SentryReceiver } from "../helpers/sentry-receiver.js";
import { envelopeCount, eventWith, exceptionValues, firstEvent, post, startSentryApp, waitForEnvelopeCount, type RunningApp } from "./sentry-app.js";

// Real @sentry/node (the installed major, 11) in a real Express 5 app process, sending to a loopback receiver.
const CANARY_BODY = "canary-body-pw-7c1e";
const CANARY_EXTRA = "canary-extra-pw-92ad";
const CANARY_KEY = "ABCD-EFGH-JKLM-NPQR";

describe("initSentry with the real SDK", () => {
  let receiver: SentryReceiver;
  let app: RunningApp;

  beforeAll(async () => {
    receiver = await startSentryReceiver();
    app = await startSentryApp({ SENTRY_DSN: receiver.dsn() });
  });
  afterAll(async () => {
    await app?.cleanup();
    await receiver?.close();
  });

  it("sends an error thrown in a route with the tenant tag and a parametrised transaction name", async () => {
    const res = await post(`${app.base}/api/licenses/42`, { password: CANARY_BODY, key: CANARY_KEY }, { "x-shop": "KM", "x-user": "u-7", "x-role": "admin" });
    expect(res.status).toBe(500);
    const event = firstEvent(await receiver.waitFor(eventWith("license 42 could not be activated")));
    expect(event.transaction).toBe("POST /api/licenses/:id");
    expect(event.tags).toMatchObject({ tenant: "KM", user_id: "u-7", user_role: "admin", error_category: "license" });
    expect(event.tags.request_id).toBe(res.headers.get("x-request-id"));
    expect(event.environment).toBe("test");
    expect(event.release).toBe("shop@1.2.3");
    // Restrictive defaults: no IP address, no cookies.
    expect(event.user?.ip_address).toBeUndefined();
    expect(event.request?.cookies).toBeUndefined();
  });

  it("tags branch and transaction id, uses the explicit category, and carries the business breadcrumb", async () => {
    const res = await post(`${app.base}/api/wallets/9/deposit`, { password: CANARY_EXTRA, amount: 1050 }, { "x-shop": "EUR" });
    expect(res.status).toBe(500);
    const event = firstEvent(await receiver.waitFor(eventWith("deposit was declined")));
    expect(event.transaction).toBe("POST /api/wallets/:walletId/deposit");
    expect(event.tags).toMatchObject({ tenant: "EUR", branch: "sarajevo", tx_id: "tx-9", error_category: "transaction" });
    expect(event.extra?.payload).toEqual({ password: "[REDACTED]", amount: 1050 });
    const crumb = (event.breadcrumbs as Array<Record<string, any>>).find((b) => b.category === "monwire.wallet_transaction");
    expect(crumb).toMatchObject({ message: "wallet deposit failure", level: "warning", data: { tenant: "EUR", amount_minor: 1050, tx_id: "tx-9" } });
  });

  it("reports an error passed to next() from async code, tagged from the request context", async () => {
    const res = await fetch(`${app.base}/api/reports/2024-01-31`, { headers: { "x-shop": "BOGUS" } });
    expect(res.status).toBe(500);
    const event = firstEvent(await receiver.waitFor(eventWith("report 2024-01-31 failed")));
    expect(event.transaction).toBe("GET /api/reports/:day");
    expect(event.tags).toMatchObject({ tenant: "unknown", error_category: "system" });
  });

  it("does not report a 4xx error", async () => {
    const res = await fetch(`${app.base}/api/bad-request`);
    expect(res.status).toBe(400);
    // Checked after shutdown (below), when every queued envelope has been flushed.
  });

  it("counts delivered envelopes in sentry_envelopes_total", async () => {
    expect(await waitForEnvelopeCount(app.base, "delivered", 3)).toBeGreaterThanOrEqual(3);
    expect(await envelopeCount(app.base, "rejected")).toBe(0);
  });

  it("counts a 403 from Sentry as rejected (flush() alone would say everything is fine)", async () => {
    receiver.reply({ status: 403 });
    await post(`${app.base}/api/licenses/403`, {}, { "x-shop": "KM" });
    await receiver.waitFor((e) => e.answeredStatus === 403 && eventWith("license 403")(e));
    expect(await waitForEnvelopeCount(app.base, "rejected", 1)).toBeGreaterThanOrEqual(1);
  });

  it("counts a 429 with Retry-After as rate_limited", async () => {
    receiver.reply({ status: 429, retryAfter: 2 });
    await post(`${app.base}/api/licenses/429`, {}, { "x-shop": "KM" });
    await receiver.waitFor((e) => e.answeredStatus === 429 && eventWith("license 429")(e));
    expect(await waitForEnvelopeCount(app.base, "rate_limited", 1)).toBeGreaterThanOrEqual(1);
    receiver.reply({ status: 200 });
  });

  it("flushes on SIGTERM; no canary and no license key ever left the process; each error was sent once", async () => {
    await app.stop();
    expect(app.child.exitCode).toBe(0);
    expect(app.output()).toContain("shutdown complete");
    const text = receiver.allText();
    expect(text).not.toContain(CANARY_BODY);
    expect(text).not.toContain(CANARY_EXTRA);
    expect(text).not.toContain(CANARY_KEY);
    const events = receiver.items("event");
    const messages = events.map((e) => exceptionValues(e).join("\n"));
    expect(messages.filter((m) => m.includes("report 2024-01-31 failed"))).toHaveLength(1);
    expect(messages.filter((m) => m.includes("license 42 could"))).toHaveLength(1);
    expect(messages.some((m) => m.includes("missing field"))).toBe(false);
    // The SDK's own complaint about options it ignores must not appear: monwire passes only what the major reads.
    expect(app.output()).not.toContain("[Sentry]");
  });
});

describe("initSentry with Express 4", () => {
  it("sends the tenant tag and the parametrised transaction name of a nested route", async () => {
    const receiver = await startSentryReceiver();
    const app = await startSentryApp({ SENTRY_DSN: receiver.dsn(), FIXTURE_EXPRESS: "4" });
    try {
      await post(`${app.base}/api/wallets/5/deposit`, { password: CANARY_BODY }, { "x-shop": "KM" });
      const event = firstEvent(await receiver.waitFor(eventWith("deposit was declined")));
      expect(event.transaction).toBe("POST /api/wallets/:walletId/deposit");
      expect(event.tags).toMatchObject({ tenant: "KM", tx_id: "tx-5", error_category: "transaction" });
      expect(receiver.allText()).not.toContain(CANARY_BODY);
    } finally {
      await app.cleanup();
      await receiver.close();
    }
  });
});
