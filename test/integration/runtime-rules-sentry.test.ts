import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTempDir } from "../helpers/cli.js";
import { startSentryReceiver, type SentryReceiver } from "../helpers/sentry-receiver.js";
import { call, RULES_CONFIG, startRulesApp, type RulesApp } from "../helpers/rules-app.js";
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

// Tracing on: the request's transaction (SDK 11 streams it as spans) carries the same user as its errors.
describe.each(["4", "5"] as const)("a traced request's transaction on Express %s carries the actor found without code", (express) => {
  let receiver: SentryReceiver;
  let app: RulesApp;

  beforeAll(async () => {
    receiver = await startSentryReceiver();
    const config = { ...RULES_CONFIG, sentry: { environment: "test", tracesSampleRate: 1 } };
    app = await startRulesApp({ express, sentry: true, config, env: { SENTRY_DSN: receiver.dsn() } });
  }, 30_000);

  afterAll(async () => {
    await app?.cleanup();
    await receiver?.close();
  });

  it.each([
    ["a route with a rule", "/api/licenses/L-7", "GET /api/licenses/:id"],
    ["a route without a rule", "/api/readme/deposit", "POST /api/readme/deposit"],
  ])("on %s: user id on the transaction, never another request's user", async (_name, path, name) => {
    const method = name.split(" ")[0] as string;
    expect(await call(app, method, path, { shop: "EUR", user: "alice" })).toBeLessThan(300);
    expect(await call(app, method, path, { shop: "KM" })).toBeLessThan(300);
    // Found by path: on Express 4 the SDK names the transaction by method only.
    const traced = await receiver.waitFor((e) => JSON.stringify(e.items).includes(path) && JSON.stringify(e.items).includes("u-alice"), 10_000);
    const text = JSON.stringify(traced.items);
    // SDK 10: a transaction event with `user`; SDK 11: the segment span's `user.id` attribute.
    expect(text).toMatch(/"user":\{[^}]*"id":"u-alice"|"user\.id":\{[^}]*"value":"u-alice"/);
    // The anonymous KM request's transaction has no user.
    await new Promise((r) => setTimeout(r, 500));
    const km = receiver.envelopes.map((e) => JSON.stringify(e.items)).filter((t) => t.includes(path) && /"tenant":(?:"KM"|\{"value":"KM")/.test(t));
    expect(km.length).toBeGreaterThan(0);
    for (const t of km) expect(t).not.toContain("u-alice");
  });
});
