import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTempDir } from "../helpers/cli.js";
import { startSentryReceiver, type SentryReceiver } from "../helpers/sentry-receiver.js";
import { call, startRulesApp, type RulesApp } from "../helpers/rules-app.js";
import { eventWith, firstEvent, prepareMajorHost, SDK_MAJORS } from "./sentry-app.js";

// Real @sentry/node (11 from the repo, 10 from the registry) in a real app process, sending to a
// loopback receiver; the app never calls setActor. The user, tenant, branch list and transaction
// id must arrive the same on both majors.
describe.each(SDK_MAJORS)("with @sentry/node %s", (major) => {
  let host: { dir: string; cleanup: () => Promise<void> };
  let skipReason: string | undefined;

  beforeAll(async () => {
    host = await makeTempDir(`monwire-rules-sentry-${major}-`);
    const prepared = await prepareMajorHost(host.dir, major);
    if ("skip" in prepared) skipReason = prepared.skip;
  }, 240_000);
  afterAll(async () => {
    await host?.cleanup();
  });

  describe.each(["4", "5"] as const)("a crash's Sentry event on Express %s carries the actor found without code", (express) => {
    let receiver: SentryReceiver;
    let app: RulesApp | undefined;

    beforeAll(async () => {
      if (skipReason) return;
      receiver = await startSentryReceiver();
      app = await startRulesApp({ express, sentry: true, host: host.dir, env: { SENTRY_DSN: receiver.dsn() } });
    }, 30_000);

    afterAll(async () => {
      await app?.cleanup();
      await receiver?.close();
    });

    it("has user id, role and segment, tenant, branch with its parents, and the transaction id in flight", async (ctx) => {
      if (!app) return ctx.skip(skipReason);
      expect(await call(app, "POST", "/api/wallets/w1/withdraw", { shop: "EUR", user: "alice", body: { amount: 4, txId: "tx-w-9" } })).toBe(500);
      const envelope = await receiver.waitFor(eventWith("ledger offline"), 10_000);
      expect((envelope.header.sdk as { version: string }).version.split(".")[0]).toBe(major);
      const event = firstEvent(envelope);
      expect(event.user).toMatchObject({ id: "u-alice", role: "owner", segment: "b2b" });
      expect(event.tags).toMatchObject({ tenant: "EUR", user_id: "u-alice", user_role: "owner", user_segment: "b2b", branch: "br-sa", tx_id: "tx-w-9" });
      expect(event.contexts?.branch).toEqual({ id: "br-sa", parents: ["br-root", "br-ba"] });
      expect(event.transaction).toBe("POST /api/wallets/:id/withdraw");
      // The restrictive default privacy policy: no IP address.
      expect(event.user?.ip_address).toBeUndefined();
    });
  });
});
