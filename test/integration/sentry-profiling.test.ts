import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTempDir } from "../helpers/cli.js";
import { startSentryReceiver, type SentryReceiver } from "../helpers/sentry-receiver.js";
import { prepareSdkHost, startSentryApp } from "./sentry-app.js";

// @sentry/profiling-node as the optional peer, at the same version as @sentry/node (its native
// module ships prebuilt inside @sentry/node-cpu-profiler; npm runs no install script). Where the
// registry is unreachable the test skips locally and fails in CI; where the binary does not load
// on this platform it skips with the loader's message — and in CI only when the platform has no
// prebuilt binary at all.
const TENANTS = { values: ["EUR", "KM"], from: "header:x-shop", currency: { EUR: "EUR", KM: "BAM" } };

describe.each([["11.1.0"], ["10.75.3"]])("profiling with @sentry/node and @sentry/profiling-node %s", (version) => {
  let host: { dir: string; cleanup: () => Promise<void> };
  let appDir: string | undefined;
  let skipReason: string | undefined;

  beforeAll(async () => {
    host = await makeTempDir("monwire-profiling-");
    const prepared = await prepareSdkHost(host.dir, version, { "@sentry/profiling-node": version });
    if ("error" in prepared) {
      if (process.env.CI === "true") throw new Error(prepared.error);
      skipReason = prepared.error;
      return;
    }
    const load = await execa(process.execPath, ["-e", 'require("@sentry/profiling-node")'], { cwd: host.dir, reject: false });
    if (load.exitCode !== 0) {
      const noBinary = /sentry_cpu_profiler|Cannot find module .*\.node/.test(load.stderr);
      const reason = `@sentry/profiling-node does not load on ${process.platform}-${process.arch} Node ${process.versions.node}: ${load.stderr.split("\n")[0]}`;
      if (process.env.CI === "true" && !noBinary) throw new Error(reason);
      skipReason = reason;
      return;
    }
    appDir = prepared.appDir;
  }, 300_000);
  afterAll(async () => {
    await host?.cleanup();
  });

  it("sends profile data for traced requests when sentry.profiling is on", async (ctx) => {
    if (!appDir) return ctx.skip(skipReason);
    const receiver: SentryReceiver = await startSentryReceiver();
    const config = { service: "shop", tenants: TENANTS, audit: { enabled: false }, sentry: { profiling: true, tracesSampleRate: 1 } };
    const app = await startSentryApp({ SENTRY_DSN: receiver.dsn() }, { appDir, config });
    try {
      for (let i = 0; i < 20; i++) await (await fetch(`${app.base}/api/licenses/${i}`, { headers: { "x-shop": "KM" } })).text();
      await app.stop();
      expect(app.output()).not.toContain("profiling is off");
      const types = new Set(receiver.envelopes.flatMap((e) => e.items.map((item) => item.header.type)));
      expect([...types].some((t) => t === "profile_chunk" || t === "profile"), `item types: ${[...types].join(", ")}`).toBe(true);
    } finally {
      await app.cleanup();
      await receiver.close();
    }
  });

  it("without sentry.profiling no profile is sent", async (ctx) => {
    if (!appDir) return ctx.skip(skipReason);
    const receiver = await startSentryReceiver();
    const app = await startSentryApp({ SENTRY_DSN: receiver.dsn() }, { appDir, config: { service: "shop", tenants: TENANTS, audit: { enabled: false }, sentry: { tracesSampleRate: 1 } } });
    try {
      for (let i = 0; i < 5; i++) await (await fetch(`${app.base}/api/licenses/${i}`, { headers: { "x-shop": "KM" } })).text();
      await app.stop();
      const types = receiver.envelopes.flatMap((e) => e.items.map((item) => item.header.type));
      expect(types.filter((t) => t === "profile_chunk" || t === "profile")).toEqual([]);
    } finally {
      await app.cleanup();
      await receiver.close();
    }
  });
});
