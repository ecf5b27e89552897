import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTempDir, runMon } from "../helpers/cli.js";
import { startSentryReceiver, type SentryReceiver } from "../helpers/sentry-receiver.js";
import { eventWith, firstEvent, post, prepareMajorHost, SDK_MAJORS, startSentryApp, type StartOptions } from "./sentry-app.js";

// What a production shop needs from Sentry, with the real SDK 11 (the repo's) and SDK 10 (installed
// from the registry into a temp host): the DSN from .env, environment and release, per-tenant
// dedupe, the user's IP/user agent by policy, and tracing that leaves the scrape path alone.
const TENANTS = { values: ["EUR", "KM"], from: "header:x-shop", currency: { EUR: "EUR", KM: "BAM" } };
const BASE_CONFIG = { service: "shop", tenants: TENANTS, audit: { enabled: false } };
const COMMIT = "0123456789abcdef0123456789abcdef01234567";

interface Events {
  receiver: SentryReceiver;
  events: () => Record<string, any>[];
}

describe.each(SDK_MAJORS)("Sentry in production shape with @sentry/node %s", (major) => {
  let appDir: string | undefined;
  let skipReason: string | undefined;
  let host: { dir: string; cleanup: () => Promise<void> } | undefined;

  beforeAll(async () => {
    host = await makeTempDir(`monwire-sentry-prod-${major}-`);
    const prepared = await prepareMajorHost(host.dir, major);
    if ("skip" in prepared) skipReason = prepared.skip;
    else appDir = prepared.appDir;
  }, 240_000);
  afterAll(async () => {
    await host?.cleanup();
  });

  /** Runs the fixture with `env` and `options`, hands `body` a receiver, always cleans up. */
  async function withApp(env: Record<string, string | undefined>, options: StartOptions, body: (base: string, seen: Events) => Promise<void>, afterStop?: (seen: Events) => void): Promise<void> {
    const receiver = await startSentryReceiver();
    const app = await startSentryApp(typeof env.SENTRY_DSN === "string" ? env : { ...env, SENTRY_DSN: receiver.dsn() }, { ...options, ...(appDir ? { appDir } : {}) });
    try {
      await body(app.base, { receiver, events: () => receiver.items("event") as Record<string, any>[] });
      await app.stop();
      expect(app.output()).not.toContain("[Sentry]");
      afterStop?.({ receiver, events: () => receiver.items("event") as Record<string, any>[] });
    } finally {
      await app.cleanup();
      await receiver.close();
    }
  }

  it("delivers with the DSN only in .env; environment from NODE_ENV; release from package.json and the commit", async (ctx) => {
    if (!appDir) return ctx.skip(skipReason);
    const receiver = await startSentryReceiver();
    const app = await startSentryApp({ NODE_ENV: "development" }, {
      ...(appDir ? { appDir } : {}), config: BASE_CONFIG, envFile: `# the shop's activation step\nSENTRY_DSN=${receiver.dsn()}\n`,
      packageJson: { name: "shop", version: "2.4.0" }, gitHead: COMMIT,
    });
    try {
      const res = await post(`${app.base}/api/licenses/42`, {}, { "x-shop": "KM" });
      expect(res.status).toBe(500);
      const event = firstEvent(await receiver.waitFor(eventWith("license 42 could not be activated")));
      expect(event.environment).toBe("development");
      expect(event.release).toBe(`shop@2.4.0+${COMMIT.slice(0, 12)}`);
      expect(event.transaction).toBe("POST /api/licenses/:id");
      expect(event.tags.request_id).toBe(res.headers.get("x-request-id"));
    } finally {
      await app.cleanup();
      await receiver.close();
    }
  });

  it("SENTRY_ENVIRONMENT and SENTRY_RELEASE win; nothing set means production", async (ctx) => {
    if (!appDir) return ctx.skip(skipReason);
    await withApp({ NODE_ENV: "development", SENTRY_ENVIRONMENT: "staging", SENTRY_RELEASE: "shop@9.9.9" }, { config: BASE_CONFIG }, async (base, { receiver }) => {
      await post(`${base}/api/licenses/1`, {}, { "x-shop": "EUR" });
      const event = firstEvent(await receiver.waitFor(eventWith("license 1 could")));
      expect(event.environment).toBe("staging");
      expect(event.release).toBe("shop@9.9.9");
    });
    await withApp({}, { config: BASE_CONFIG }, async (base, { receiver }) => {
      await post(`${base}/api/licenses/2`, {}, { "x-shop": "EUR" });
      expect(firstEvent(await receiver.waitFor(eventWith("license 2 could"))).environment).toBe("production");
    });
  });

  it("delivers the same crash for EUR and then KM (one tenant's outage is never hidden by another's)", async (ctx) => {
    if (!appDir) return ctx.skip(skipReason);
    await withApp({}, { config: BASE_CONFIG }, async (base, { receiver, events }) => {
      await post(`${base}/api/licenses/7`, {}, { "x-shop": "EUR" });
      await receiver.waitFor((e) => eventWith("license 7 could")(e) && firstEvent(e).tags.tenant === "EUR");
      await post(`${base}/api/licenses/7`, {}, { "x-shop": "KM" });
      await receiver.waitFor((e) => eventWith("license 7 could")(e) && firstEvent(e).tags.tenant === "KM", 5000);
      expect(events().map((e) => e.tags.tenant)).toEqual(["EUR", "KM"]);
    });
  });

  it("sends the user's IP address and user agent only when the config says so", async (ctx) => {
    if (!appDir) return ctx.skip(skipReason);
    const ua = "ShopClient/3.1 (monwire-test)";
    await withApp({}, { config: { ...BASE_CONFIG, sentry: { pii: "ip", sendUserAgent: true } } }, async (base, { receiver }) => {
      await post(`${base}/api/licenses/11`, {}, { "x-shop": "KM", "user-agent": ua, "x-user": "u-11", "x-role": "b2b" });
      const event = firstEvent(await receiver.waitFor(eventWith("license 11 could")));
      expect(event.user).toMatchObject({ id: "u-11", role: "b2b", ip_address: "127.0.0.1" });
      expect(event.tags).toMatchObject({ tenant: "KM", user_id: "u-11", user_role: "b2b" });
      expect(JSON.stringify(event.request?.headers ?? {})).toContain(ua);
    });
    await withApp({}, { config: { ...BASE_CONFIG, sentry: { pii: "none", sendUserAgent: false, tracesSampleRate: 0 } } }, async (base, { receiver }) => {
      await post(`${base}/api/licenses/12`, {}, { "x-shop": "KM", "user-agent": ua });
      const event = firstEvent(await receiver.waitFor(eventWith("license 12 could")));
      expect(event.user?.ip_address).toBeUndefined();
      expect(receiver.allText()).not.toContain(ua);
    });
  });

  it("at a trace sample rate of 1.0 traces routes by template with the tenant, never /metrics, health checks or OPTIONS", async (ctx) => {
    if (!appDir) return ctx.skip(skipReason);
    await withApp({}, { config: { ...BASE_CONFIG, sentry: { tracesSampleRate: 1 } } }, async (base, { receiver }) => {
      for (let i = 0; i < 3; i++) await (await fetch(`${base}/metrics`)).text();
      await (await fetch(`${base}/api/health`)).text();
      await (await fetch(`${base}/api/licenses/5`, { method: "OPTIONS" })).text();
      await (await fetch(`${base}/api/licenses/5`, { headers: { "x-shop": "KM" } })).text();
      const traced = await receiver.waitFor((e) => JSON.stringify(e.items).includes("GET /api/licenses/:id"));
      // SDK 10 sends a transaction with tags, SDK 11 streams spans with typed attributes.
      expect(JSON.stringify(traced.items)).toMatch(/"tenant":(?:"KM"|\{"value":"KM")/);
    }, ({ receiver }) => {
      // Everything queued was sent by the graceful stop: nothing may name the scrape path, the health check or a preflight.
      const text = receiver.allText();
      expect(text).toContain("GET /api/licenses/:id");
      expect(text).not.toContain("/metrics");
      expect(text).not.toContain("/api/health");
      expect(text).not.toContain("OPTIONS");
    });
  });
  it("mon check in this SDK's host: the DSN only in .env passes (exit 0); no DSN anywhere fails (exit 1)", async (ctx) => {
    if (!appDir || !host) return ctx.skip(skipReason);
    const pkgPath = join(host.dir, "package.json");
    const pkg = JSON.parse(await readFile(pkgPath, "utf8")) as Record<string, unknown>;
    await writeFile(pkgPath, JSON.stringify({ ...pkg, scripts: { start: "node --import ./app/instrument.mjs app/app.mjs" } }));
    await writeFile(join(host.dir, "mon.config.json"), JSON.stringify(BASE_CONFIG));
    const check = async () => {
      const run = await runMon(["check", "--only", "sentry", "--offline", "--json"], { cwd: host!.dir, env: { SENTRY_DSN: undefined } });
      const checks = (JSON.parse(String(run.stdout)) as { checks: Array<{ id: string; status: string; summary: string }> }).checks;
      return { exitCode: run.exitCode, byId: (id: string) => checks.find((c) => c.id === id), stdout: String(run.stdout) };
    };
    await writeFile(join(host.dir, ".env"), "SENTRY_DSN=https://0123456789abcdef0123456789abcdef@o1.ingest.sentry.io/7\n");
    const present = await check();
    expect(present.exitCode, present.stdout).toBe(0);
    expect(present.byId("sentry.dsn-source")!.summary).toContain(".env, loaded by monwire's instrument file");
    expect(present.byId("sentry.versions")!.status).not.toBe("fail");
    await writeFile(join(host.dir, ".env"), "# no DSN yet\n");
    const absent = await check();
    expect(absent.exitCode).toBe(1);
    expect(absent.byId("sentry.dsn")!.status).toBe("fail");
  });
});
