import { execa } from "execa";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { makeTempDir } from "../helpers/cli.js";
import { startSentryReceiver } from "../helpers/sentry-receiver.js";
import { envelopeCount, installMonwireInto, post, SHOP_CONFIG, startSentryApp } from "./sentry-app.js";

/** Runs an instrument file in a host without @sentry/node and returns its status and stderr. */
async function runBareHost(config: object, env: Record<string, string>): Promise<{ status: Record<string, unknown>; stderr: string }> {
  const host = await makeTempDir("monwire-sentry-bare-");
  try {
    await installMonwireInto(host.dir);
    await writeFile(join(host.dir, "mon.config.json"), JSON.stringify(config));
    await writeFile(join(host.dir, "instrument.mjs"), 'import { initSentry } from "monwire/runtime";\nconsole.log(JSON.stringify(await initSentry()));\n');
    const run = await execa(process.execPath, ["instrument.mjs"], { cwd: host.dir, env: { SENTRY_DSN: "", ...env }, reject: false, timeout: 30_000 });
    expect(run.exitCode).toBe(0);
    return { status: JSON.parse(run.stdout) as Record<string, unknown>, stderr: run.stderr };
  } finally {
    await host.cleanup();
  }
}

// What a host sees when the DSN is missing or wrong: one precise line, Sentry off, the app serving.
describe("initSentry without a usable DSN", () => {
  it("with an invalid DSN: says exactly what is wrong and how to fix it, sends nothing, the app keeps running", async () => {
    const receiver = await startSentryReceiver();
    // The SDK would swallow this one silently: its project id is not numeric.
    const app = await startSentryApp({ SENTRY_DSN: `http://keyd0n0tleak@127.0.0.1:${receiver.port}/shop` });
    try {
      expect((await fetch(`${app.base}/api/health`)).status).toBe(200);
      expect((await post(`${app.base}/api/licenses/1`, {}, { "x-shop": "KM" })).status).toBe(500);
      expect(await envelopeCount(app.base, "delivered")).toBe(0);
      await app.stop();
      const lines = app.output().split("\n").filter((line) => line.includes("Sentry"));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toBe(
        `monwire: Sentry error tracking is off: SENTRY_DSN (http://***@127.0.0.1:${receiver.port}/shop) is invalid: ` +
          'the project id "shop" is not a number (the SDK disables itself silently in this case). ' +
          "Fix: Copy the DSN from Sentry → Project Settings → Client Keys (DSN); it ends in a numeric project id such as /4506789.",
      );
      expect(app.output()).not.toContain("keyd0n0tleak");
      expect(receiver.envelopes).toHaveLength(0);
    } finally {
      await app.cleanup();
      await receiver.close();
    }
  });

  it("with a DSN missing its key: names the missing part", async () => {
    const app = await startSentryApp({ SENTRY_DSN: "https://o1.ingest.sentry.io/42" });
    try {
      expect(app.output()).toContain("SENTRY_DSN (https://o1.ingest.sentry.io/42) is invalid: the DSN has no public key (expected https://<key>@<host>/<project-id>)");
      expect((await fetch(`${app.base}/api/health`)).status).toBe(200);
    } finally {
      await app.cleanup();
    }
  });

  it("with no DSN: one line saying how to activate it, under the configured variable name; the app works", async () => {
    const config = { ...SHOP_CONFIG, sentry: { dsnEnv: "SHOP_SENTRY_DSN" } };
    const app = await startSentryApp({ SHOP_SENTRY_DSN: undefined }, { config });
    try {
      expect((await fetch(`${app.base}/api/health`)).status).toBe(200);
      const failed = await post(`${app.base}/api/licenses/1`, {}, { "x-shop": "KM" });
      expect(failed.status).toBe(500);
      expect(await failed.json()).toEqual({ error: "internal error" });
      await app.stop();
      const lines = app.output().split("\n").filter((line) => /sentry/i.test(line));
      expect(lines).toEqual([
        "monwire: Sentry error tracking is off because SHOP_SENTRY_DSN is not set. " +
          "To activate it, set SHOP_SENTRY_DSN=https://<key>@<host>/<project-id> (Sentry → Project Settings → Client Keys).",
      ]);
      expect(app.child.exitCode).toBe(0);
    } finally {
      await app.cleanup();
    }
  });

  it("with the SDK not installed: says to install it, and the host still starts", async () => {
    const { status, stderr } = await runBareHost(SHOP_CONFIG, { SENTRY_DSN: "https://abc@o1.ingest.sentry.io/42" });
    expect(status).toMatchObject({ state: "sdk-missing", active: false });
    expect(stderr.trim()).toBe("monwire: Sentry error tracking is off: SENTRY_DSN is set but @sentry/node is not installed. Fix: npm install @sentry/node@^11");
  });

  it("with an invalid mon.config.json: names the field, Sentry stays off, nothing is thrown", async () => {
    const { status, stderr } = await runBareHost({ ...SHOP_CONFIG, sentry: { sampleRate: 2 } }, { SENTRY_DSN: "https://abc@o1.ingest.sentry.io/42" });
    expect(status).toMatchObject({ state: "config-invalid", active: false });
    expect(stderr).toMatch(/^monwire: Sentry error tracking is off: .*mon\.config\.json is invalid: sentry\.sampleRate: expected a number from 0 to 1\. Fix: /);
  });
});
