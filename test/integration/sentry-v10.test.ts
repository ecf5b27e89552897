import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTempDir } from "../helpers/cli.js";
import { startSentryReceiver, type SentryReceiver } from "../helpers/sentry-receiver.js";
import { eventWith, firstEvent, post, prepareSdkHost, startSentryApp, waitForEnvelopeCount, type RunningApp } from "./sentry-app.js";

// The same fixture against @sentry/node 10, installed from the registry into a temp host next to
// monwire (see installMonwireInto).
const CANARY = "canary-v10-pw-3e8b";

// 10.0.0 only knows sendDefaultPii; later 10.x also read dataCollection. Both paths are run.
describe.each([["10.0.0"], ["^10.0.0"]])("initSentry with @sentry/node %s", (range) => {
  let host: { dir: string; cleanup: () => Promise<void> };
  let receiver: SentryReceiver;
  let app: RunningApp | undefined;
  let skipReason: string | undefined;

  beforeAll(async () => {
    host = await makeTempDir("monwire-sentry-v10-");
    const prepared = await prepareSdkHost(host.dir, range);
    if ("error" in prepared) {
      // Like promtool: without the registry the test cannot run locally, but CI must run it.
      if (process.env.CI === "true") throw new Error(prepared.error);
      skipReason = prepared.error;
      return;
    }
    receiver = await startSentryReceiver();
    app = await startSentryApp({ SENTRY_DSN: receiver.dsn() }, { appDir: prepared.appDir });
  }, 240_000);
  afterAll(async () => {
    await app?.cleanup();
    await receiver?.close();
    await host?.cleanup();
  });

  it("reports a route error with SDK 10: tenant tag, parametrised name, scrubbed body and extra", async (ctx) => {
    if (!app) return ctx.skip(skipReason);
    const res = await post(`${app.base}/api/licenses/77`, { password: CANARY }, { "x-shop": "KM", "x-user": "u-1", "x-role": "clerk" });
    expect(res.status).toBe(500);
    const envelope = await receiver.waitFor(eventWith("license 77 could not be activated"));
    expect((envelope.header.sdk as { version: string }).version).toMatch(/^10\./);
    const event = firstEvent(envelope);
    expect(event.transaction).toBe("POST /api/licenses/:id");
    expect(event.tags).toMatchObject({ tenant: "KM", user_id: "u-1", user_role: "clerk", error_category: "license" });
    // SDK 10 sends the Authorization header and the body unless told otherwise.
    expect(event.request?.data === undefined || event.request.data === "[REDACTED]").toBe(true);

    await post(`${app.base}/api/wallets/3/deposit`, { password: CANARY }, { "x-shop": "EUR", authorization: "Bearer abcdefghijklmnop" });
    const deposit = firstEvent(await receiver.waitFor(eventWith("deposit was declined")));
    expect(deposit.transaction).toBe("POST /api/wallets/:walletId/deposit");
    expect(deposit.tags).toMatchObject({ tenant: "EUR", tx_id: "tx-3", error_category: "transaction" });
    expect(deposit.extra?.payload).toEqual({ password: "[REDACTED]" });
    expect(JSON.stringify(deposit.breadcrumbs)).toContain("monwire.wallet_transaction");
  });

  it("counts a 403 as rejected with SDK 10 too", async (ctx) => {
    if (!app) return ctx.skip(skipReason);
    expect(await waitForEnvelopeCount(app.base, "delivered", 2)).toBeGreaterThanOrEqual(2);
    receiver.reply({ status: 403 });
    await post(`${app.base}/api/licenses/403`, {}, { "x-shop": "KM" });
    expect(await waitForEnvelopeCount(app.base, "rejected", 1)).toBeGreaterThanOrEqual(1);
  });

  it("never lets the canary or the bearer token out", async (ctx) => {
    if (!app) return ctx.skip(skipReason);
    await app.stop();
    expect(app.child.exitCode).toBe(0);
    expect(receiver.allText()).not.toContain(CANARY);
    expect(receiver.allText()).not.toContain("abcdefghijklmnop");
    expect(app.output()).not.toContain("[Sentry]");
  });
});
