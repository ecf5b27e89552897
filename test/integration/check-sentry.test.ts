import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { makeTempDir, runMon } from "../helpers/cli.js";
import { startSentryReceiver, type SentryReceiver } from "../helpers/sentry-receiver.js";

/**
 * `mon check --only sentry` with DSNs from the environment and .env, and `--online` against a
 * loopback envelope receiver answering what the test asks for.
 */
interface JsonCheck {
  id: string;
  status: string;
  summary: string;
  hint?: string;
  findings: Array<{ message: string; severity: string; rule: string }>;
}

const KEY = "0123456789abcdef0123456789abcdef";
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function project(files: Record<string, string> = {}): Promise<string> {
  const temp = await makeTempDir("monwire-check-sentry-");
  cleanups.push(temp.cleanup);
  await writeFile(join(temp.dir, "mon.config.json"), JSON.stringify({ service: "shop" }));
  for (const [name, text] of Object.entries(files)) await writeFile(join(temp.dir, name), text);
  return temp.dir;
}

async function check(cwd: string, env: Record<string, string>, args: string[] = []) {
  const result = await runMon(["check", "--only", "sentry", "--json", ...args], { cwd, env: { SENTRY_DSN: "", ...env } });
  if (!String(result.stdout).startsWith("{")) throw new Error(`mon check printed no JSON (exit ${result.exitCode}):\n${String(result.stderr)}`);
  const report = JSON.parse(String(result.stdout)) as { checks: JsonCheck[] };
  return { exitCode: result.exitCode, stdout: String(result.stdout), byId: (id: string) => report.checks.find((c) => c.id === id) as JsonCheck };
}

describe("sentry.dsn verdicts", () => {
  it.each([
    ["valid SaaS", `https://${KEY}@o123456.ingest.us.sentry.io/4506789`, "pass", "project 4506789 on o123456.ingest.us.sentry.io"],
    ["valid self-hosted with a path prefix and IPv6", `https://${KEY}@[2001:db8::1]:9000/sentry/42`, "pass", "project 42 on [2001:db8::1]"],
    ["non-numeric project", `https://${KEY}@o1.ingest.sentry.io/shop`, "fail", 'the project id "shop" is not a number'],
    ["missing key", "https://o1.ingest.sentry.io/42", "fail", "the DSN has no public key"],
    ["plain http to a public host", `http://${KEY}@sentry.example.com/42`, "warn", "project 42 on sentry.example.com"],
  ])("%s", async (_name, dsn, status, summary) => {
    const { byId, stdout } = await check(await project(), { SENTRY_DSN: dsn });
    expect(byId("sentry.dsn").status).toBe(status);
    expect(byId("sentry.dsn").summary).toContain(summary);
    expect(stdout).not.toContain(KEY);
    if (status === "warn") expect(byId("sentry.dsn").findings[0]?.message).toContain("unencrypted over http://");
  });

  it("fails when the DSN is unset, naming the variable and the fix, and reads .env", async () => {
    const dir = await project();
    const unset = await check(dir, {});
    expect(unset.exitCode).toBe(1);
    expect(unset.byId("sentry.dsn").summary).toBe("SENTRY_DSN is not set (environment or .env): the SDK stays disabled and reports nothing");
    await writeFile(join(dir, ".env"), `SENTRY_DSN=https://${KEY}@o1.ingest.sentry.io/7\n`);
    const fromFile = await check(dir, {});
    expect(fromFile.byId("sentry.dsn").status).toBe("pass");
    expect(fromFile.byId("sentry.dsn").summary).toContain("SENTRY_DSN in .env");
    expect(fromFile.stdout).not.toContain(KEY);
  });
});

describe("--online against a loopback receiver", () => {
  let receiver: SentryReceiver;
  beforeAll(async () => {
    receiver = await startSentryReceiver();
  });
  afterAll(async () => receiver?.close());

  it.each([
    [{ status: 200 }, "pass", "accepted a test envelope for project 5 (HTTP 200)", undefined],
    [{ status: 403 }, "fail", "HTTP 403, forbidden", "wrong region (EU vs US ingest)"],
    [{ status: 429, retryAfter: 30 }, "warn", "HTTP 429, rate limited (retry after 30 s)", "quota is exhausted"],
    [{ status: 401 }, "fail", "HTTP 401, the public key is not recognised", "copy the DSN again"],
    [{ status: 413 }, "fail", "HTTP 413, payload too large", "client_max_body_size"],
  ])("classifies %j", async (reply, status, summary, hint) => {
    receiver.reply(reply);
    const before = receiver.envelopes.length;
    const canary = "canary-secret-7f3a";
    const { byId } = await check(await project(), { SENTRY_DSN: receiver.dsn({ projectId: "5" }), CANARY_SECRET: canary }, ["--online"]);
    const online = byId("sentry.online");
    expect(online.status).toBe(status);
    expect(online.summary).toContain(summary);
    if (hint) expect(online.hint).toContain(hint);
    expect(receiver.envelopes.length).toBe(before + 1);
    const envelope = receiver.envelopes[receiver.envelopes.length - 1];
    expect(envelope?.projectId).toBe("5");
    expect(envelope?.items.map((i) => i.header.type)).toEqual(["client_report"]);
    expect(receiver.allText()).not.toContain(canary);
    expect(receiver.allText()).not.toContain(process.env.HOME ?? "/root");
  });

  it("reports an unreachable host as a failure and skips --online by default", async () => {
    const down = await check(await project(), { SENTRY_DSN: `http://${KEY}@127.0.0.1:9/5` }, ["--online"]);
    expect(down.byId("sentry.online").status).toBe("fail");
    expect(down.byId("sentry.online").summary).toContain("could not reach 127.0.0.1");
    const quiet = await check(await project(), { SENTRY_DSN: receiver.dsn() });
    expect(quiet.byId("sentry.online").status).toBe("skip");
  });
});

describe("static checks of the host project", () => {
  const lock = (versions: Record<string, string>) => JSON.stringify({
    lockfileVersion: 3,
    packages: Object.fromEntries([["", { name: "host" }], ...Object.entries(versions).map(([name, version]) => [`node_modules/${name}`, { version }])]),
  });

  it("passes --import in the start script with aligned versions", async () => {
    const dir = await project({
      "package.json": JSON.stringify({ scripts: { start: "node --import ./instrument.mjs server.mjs" } }),
      "package-lock.json": lock({ "@sentry/node": "10.5.0", "@sentry/core": "10.5.0", "@sentry/opentelemetry": "10.5.0", "@sentry/cli": "2.40.0" }),
    });
    const { byId } = await check(dir, { SENTRY_DSN: `https://${KEY}@o1.ingest.sentry.io/7` });
    expect(byId("sentry.instrument").status).toBe("pass");
    expect(byId("sentry.instrument").summary).toBe("loaded by --import ./instrument.mjs in the start script");
    expect(byId("sentry.versions").summary).toBe("3 @sentry/* packages at 10.5.0 (package-lock.json)");
  });

  it("fails express required before the instrument file, and mixed @sentry versions", async () => {
    const dir = await project({
      "package.json": JSON.stringify({ scripts: { start: "node server.js" } }),
      "server.js": 'const express = require("express");\nrequire("./instrument.js");\nconst app = express();\n',
      "package-lock.json": lock({ "@sentry/node": "10.5.0", "@sentry/core": "10.4.0", "node_modules/x/node_modules/@sentry/core": "9.1.0" }),
    });
    const { exitCode, byId } = await check(dir, { SENTRY_DSN: `https://${KEY}@o1.ingest.sentry.io/7` });
    expect(exitCode).toBe(1);
    expect(byId("sentry.instrument").summary).toBe("server.js imports express (line 1) before ./instrument.js (line 2): Sentry cannot instrument express");
    expect(byId("sentry.instrument").hint).toContain('"start": "node --import ./instrument.mjs server.js"');
    expect(byId("sentry.versions").summary).toBe("mixed versions in package-lock.json: @sentry/node 10.5.0, @sentry/core 10.4.0/9.1.0");
  });
});
