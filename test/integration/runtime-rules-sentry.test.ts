import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSentryReceiver, type SentryReceiver } from "../helpers/sentry-receiver.js";
import { call, startRulesApp, type RulesApp } from "../helpers/rules-app.js";
import { eventWith, firstEvent } from "./sentry-app.js";

// Real @sentry/node in a real app process, sending to a loopback receiver; the app never calls setActor.
describe.each(["4", "5"] as const)("a crash's Sentry event on Express %s carries the actor found without code", (express) => {
  let receiver: SentryReceiver;
  let app: RulesApp;

  beforeAll(async () => {
    receiver = await startSentryReceiver();
    app = await startRulesApp({ express, sentry: true, env: { SENTRY_DSN: receiver.dsn() } });
  }, 30_000);

  afterAll(async () => {
    await app?.cleanup();
    await receiver?.close();
  });

  it("has user id, role and segment, tenant, branch with its parents, and the transaction id in flight", async () => {
    expect(await call(app, "POST", "/api/wallets/w1/withdraw", { shop: "EUR", user: "alice", body: { amount: 4, txId: "tx-w-9" } })).toBe(500);
    const event = firstEvent(await receiver.waitFor(eventWith("ledger offline"), 10_000));
    expect(event.user).toMatchObject({ id: "u-alice", role: "owner", segment: "b2b" });
    expect(event.tags).toMatchObject({ tenant: "EUR", user_id: "u-alice", user_role: "owner", user_segment: "b2b", branch: "br-sa", tx_id: "tx-w-9" });
    expect(event.contexts?.branch).toEqual({ id: "br-sa", parents: ["br-root", "br-ba"] });
    expect(event.transaction).toBe("POST /api/wallets/:id/withdraw");
  });
});
