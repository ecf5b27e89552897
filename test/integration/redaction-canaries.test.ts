import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAuditTrail } from "../../src/runtime/audit/index.js";
import { runWithContext } from "../../src/runtime/context.js";
import { buildCanaryCorpus, leakedCanaries } from "../helpers/canaries.js";
import { makeTempDir } from "../helpers/cli.js";
import { startSentryReceiver, type SentryReceiver } from "../helpers/sentry-receiver.js";
import { checkTrail } from "../fixtures/audit-writer/check-chain.js";
import { post, prepareMajorHost, SDK_MAJORS, SHOP_CONFIG, startSentryApp, type RunningApp } from "./sentry-app.js";

const corpus = buildCanaryCorpus();
/** Each text carries a marker, so the test also proves the text itself arrived (not dropped or cut). */
const marked = corpus.texts.map((text, i) => `#c${i}# ${text}`);
/** Personal data, which only the privacy policy (sentry.pii) may let through. */
const pii = (i: number) => ({ email: `buyer${i}@shop.example`, ip: `203.0.113.${i + 1}` });

describe("the canary corpus", () => {
  it("holds more than 100 secrets", () => {
    expect(corpus.canaries.length).toBeGreaterThanOrEqual(100);
    // Unscrubbed, every one of them is findable: the leak check below can fail.
    expect(leakedCanaries(corpus, JSON.stringify(corpus.fields) + corpus.texts.join("\n")).length).toBeGreaterThanOrEqual(corpus.canaries.length);
  });
});

describe("audit files", () => {
  let temp: Awaited<ReturnType<typeof makeTempDir>>;
  beforeAll(async () => {
    temp = await makeTempDir("monwire-canary-audit-");
  });
  afterAll(() => temp.cleanup());

  it("never hold a canary: nested fields, reasons, targets, notes", async () => {
    const dir = join(temp.dir, "logs");
    const audit = createAuditTrail({ dir, tenants: { values: ["KM"], currency: { KM: "BAM" } } });
    await runWithContext({ requestId: "r-1", tenant: "KM" }, async () => {
      await audit.record({ category: "financial", action: "payout.requested", data: corpus.fields });
      for (const text of marked) {
        await audit.record({ category: "security", action: "request.rejected", reason: text, target: { type: "note", id: text.slice(0, 200) }, data: { note: text, nested: { deeper: [{ text }] } } });
      }
    });
    await audit.close();
    expect(checkTrail(dir).problems).toEqual([]);
    const files = readdirSync(dir).map((name) => readFileSync(join(dir, name), "utf8")).join("\n");
    expect(leakedCanaries(corpus, files)).toEqual([]);
    marked.forEach((_, i) => expect(files, `text #c${i}# was written`).toContain(`#c${i}#`));
  });
});

describe.each(SDK_MAJORS)("Sentry envelopes from the real @sentry/node %s", (major) => {
  let host: { dir: string; cleanup: () => Promise<void> };
  let appDir: string | undefined;
  let skipReason: string | undefined;
  beforeAll(async () => {
    host = await makeTempDir(`monwire-canary-sdk${major}-`);
    const prepared = await prepareMajorHost(host.dir, major);
    if ("skip" in prepared) skipReason = prepared.skip;
    else appDir = prepared.appDir;
  }, 240_000);
  afterAll(async () => host?.cleanup());

  describe.each([
    ["none (default)", undefined],
    ["ip+email", "ip+email"],
  ] as const)("with sentry.pii %s", (_label, policy) => {
    let receiver: SentryReceiver;
    let app: RunningApp | undefined;
    beforeAll(async () => {
      if (!appDir) return;
      receiver = await startSentryReceiver();
      const config = { ...SHOP_CONFIG, sentry: { ...SHOP_CONFIG.sentry, ...(policy ? { pii: policy } : {}) } };
      app = await startSentryApp({ SENTRY_DSN: receiver.dsn() }, { config, appDir });
    });
    afterAll(async () => {
      await app?.cleanup();
      await receiver?.close();
    });

    // SDK 10 also copies Sentry.setUser into the release-health session envelope, which no before* hook sees.
    it("never carry a canary in exception messages, breadcrumbs, extra or user; email and IP follow the policy, sessions included", async (ctx) => {
      if (!app) return ctx.skip(skipReason);
      for (const [i, text] of marked.entries()) {
        const { email, ip } = pii(i);
        const res = await post(`${app.base}/api/canary`, { text: `${text} (by ${email} from ${ip})`, fields: corpus.fields, user: { id: `u-${i}`, email, ip_address: ip } }, { "x-shop": "KM" });
        expect(res.status).toBe(500);
      }
      await app.stop();
      const events = receiver.items("event");
      expect((receiver.envelopes[0]!.header.sdk as { version: string }).version.split(".")[0]).toBe(major);
      const all = receiver.allText();
      marked.forEach((_, i) => expect(all, `text #c${i}# arrived`).toContain(`#c${i}#`));
      expect(events.length).toBe(marked.length);
      expect(leakedCanaries(corpus, all)).toEqual([]);
      const kept = marked.map((_, i) => pii(i)).filter(({ email, ip }) => all.includes(email) || all.includes(ip));
      expect(kept.length).toBe(policy ? marked.length : 0);
    });
  });
});
