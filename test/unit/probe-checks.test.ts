import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { isMonwireError } from "../../src/errors.js";
import { probeAllowed } from "../../src/probe/cardinality.js";
import { parseCheckFlags } from "../../src/probe/check-options.js";
import { parseEnvFile, readSetting } from "../../src/probe/env-file.js";
import { judgeContentType, judgeScrape } from "../../src/probe/metrics-http.js";
import { PROMETHEUS_ACCEPT, scrapeHeaders, type ScrapeOutcome } from "../../src/probe/scrape.js";
import { analyzeStart, importOrder, sentryVersions } from "../../src/probe/sentry-static.js";
import { makeTempDir } from "../helpers/cli.js";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});
async function dirWith(files: Record<string, string>): Promise<string> {
  const temp = await makeTempDir("monwire-probe-unit-");
  cleanups.push(temp.cleanup);
  for (const [name, text] of Object.entries(files)) {
    await mkdir(join(temp.dir, name, ".."), { recursive: true });
    await writeFile(join(temp.dir, name), text);
  }
  return temp.dir;
}

describe("check flags", () => {
  const parse = (flags: Record<string, unknown>) => parseCheckFlags(flags, {}, "/tmp", new Date(0));

  it("fills defaults", () => {
    const { options, format, strict } = parse({});
    expect(options).toMatchObject({ only: ["metrics", "sentry", "audit"], offline: false, online: false, timeoutMs: 10_000, seriesBudget: 1000, sloEdges: [0.1, 0.25, 0.5, 1] });
    expect(options.probeCardinality).toBeUndefined();
    expect([format, strict]).toEqual(["human", false]);
  });

  it.each([
    [{ probeCardinality: true }, { probeCardinality: 50 }],
    [{ probeCardinality: "500" }, { probeCardinality: 500 }],
    [{ only: "audit, METRICS" }, { only: ["metrics", "audit"] }],
    [{ timeout: "2.5" }, { timeoutMs: 2500 }],
    [{ sloEdges: "0.3,1" }, { sloEdges: [0.3, 1] }],
  ])("reads %j", (flags, expected) => {
    expect(parse(flags).options).toMatchObject(expected);
  });

  it.each([
    [{ probeCardinality: "501" }, "--probe-cardinality: expected an integer from 1 to 500, got \"501\""],
    [{ probeCardinality: "0" }, "--probe-cardinality: expected an integer from 1 to 500, got \"0\""],
    [{ only: "metrics,logs" }, '--only: unknown group "logs"'],
    [{ timeout: "0" }, "--timeout: expected seconds from 0 to 300, got \"0\""],
    [{ format: "xml" }, '--format: unknown format "xml"'],
    [{ json: true, format: "junit" }, "--json conflicts with --format junit"],
    [{ offline: true, online: true }, "--offline and --online contradict each other"],
    [{ url: "ftp://x/metrics" }, '--url: "ftp://x/metrics" is not an http(s) URL'],
  ])("rejects %j as a usage error (exit 2)", (flags, message) => {
    try {
      parse(flags);
      expect.unreachable();
    } catch (error) {
      expect(isMonwireError(error) && [error.message, error.exitCode]).toEqual([message, 2]);
    }
  });

  it("limits the cardinality probe to loopback or the configured origin", () => {
    expect(probeAllowed("http://127.0.0.1:3000/metrics", "http://127.0.0.1:5000/metrics")).toBe(true);
    expect(probeAllowed("http://[::1]:3000/metrics", "http://127.0.0.1:5000/metrics")).toBe(true);
    expect(probeAllowed("https://shop.example.com/metrics", "https://shop.example.com/metrics")).toBe(true);
    expect(probeAllowed("https://other.example.com/metrics", "https://shop.example.com/metrics")).toBe(false);
  });
});

describe("scrape judging", () => {
  const ctx = { url: "http://127.0.0.1:1/metrics", timeoutMs: 10_000, tokenEnv: "MONWIRE_METRICS_TOKEN", tokenSent: true };
  const response = (status: number, extra: Partial<Extract<ScrapeOutcome, { kind: "response" }>> = {}): ScrapeOutcome => ({ kind: "response", status, statusText: "", body: "", invalidUtf8: false, bytes: 10, wireBytes: 10, durationMs: 5, ...extra });

  it("sends Prometheus' own headers", () => {
    expect(PROMETHEUS_ACCEPT).toBe("application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1");
    expect(scrapeHeaders({ timeoutMs: 10_000, userAgent: "ua", token: "t" })).toMatchObject({
      Accept: PROMETHEUS_ACCEPT, "X-Prometheus-Scrape-Timeout-Seconds": "10", Authorization: "Bearer t",
    });
    expect(scrapeHeaders({ timeoutMs: 2500, userAgent: "ua" })).not.toHaveProperty("Authorization");
  });

  it.each([
    [response(200), "pass", "HTTP 200 in 5 ms, 10 B"],
    [response(200, { durationMs: 6000 }), "warn", "HTTP 200 in 6000 ms, 10 B"],
    [response(401), "fail", "HTTP 401: the endpoint rejected the bearer token from MONWIRE_METRICS_TOKEN"],
    [response(404, { statusText: "Not Found" }), "fail", "HTTP 404 Not Found"],
    [response(302, { statusText: "Found", location: "/login" }), "fail", "HTTP 302 Found"],
    [{ kind: "timeout" as const, afterMs: 10_000 }, "fail", "no complete response within 10 s (the scrape timeout): Prometheus would mark the target down"],
    [{ kind: "unreachable" as const, code: "ECONNREFUSED", message: "" }, "skip", "app not reachable (ECONNREFUSED): metric checks could not run"],
  ])("judges %j", (outcome, status, summary) => {
    const judged = judgeScrape(outcome, ctx);
    expect([judged.status, judged.summary]).toEqual([status, summary]);
    if ("location" in outcome) expect(judged.hint).toBe("The endpoint redirects to /login: point --url / metrics.url (and the scrape config) at the final URL.");
  });

  it.each([
    ["text/plain; version=0.0.4; charset=utf-8", "x 1\n", "pass"],
    ["application/openmetrics-text; version=1.0.0; charset=utf-8", "x 1\n# EOF\n", "pass"],
    ["text/plain; version=0.0.4", "x 1\n# EOF\n", "fail"],
    ["application/openmetrics-text; version=1.0.0", "x 1\n", "fail"],
    ["application/openmetrics-text; version=2.0.0", "x 1\n# EOF\n", "fail"],
    ["text/html; charset=utf-8", "<html>", "fail"],
    [undefined, "x 1\n", "fail"],
    ["text/plain", "x 1\n", "warn"],
    ["text/plain; version=0.0.4; charset=iso-8859-1", "x 1\n", "warn"],
  ])("Content-Type %s with %j: %s", (header, body, status) => {
    expect(judgeContentType(header, body).status).toBe(status);
  });
});

describe(".env and settings", () => {
  it("parses dotenv lines", () => {
    const values = parseEnvFile('# c\nexport A=1\nB = "two words"\nC=\'x # y\'\nD=plain # comment\nbad line\nE=\n');
    expect(Object.fromEntries(values)).toEqual({ A: "1", B: "two words", C: "x # y", D: "plain", E: "" });
  });

  it("prefers the environment over .env", async () => {
    const dir = await dirWith({ ".env": "TOKEN=from-file\n" });
    expect(readSetting("TOKEN", { TOKEN: "from-env" }, dir)).toEqual({ value: "from-env", from: "env" });
    expect(readSetting("TOKEN", {}, dir)).toEqual({ value: "from-file", from: join(dir, ".env") });
    expect(readSetting("OTHER", {}, dir)).toBeUndefined();
  });
});

describe("Sentry static analysis", () => {
  it("lists imports and requires in order", () => {
    expect(importOrder('import "./instrument.mjs";\nimport express from "express";\nconst x = require("y");\n')).toEqual([
      { specifier: "./instrument.mjs", line: 1 }, { specifier: "express", line: 2 }, { specifier: "y", line: 3 },
    ]);
  });

  it.each([
    [{ "package.json": '{"scripts":{"start":"node -r ./instrument.js app.js"}}' }, "pass", "loaded by -r ./instrument.js in the start script"],
    [{ "package.json": '{"main":"app.js"}', "app.js": 'require("./instrument");\nconst express = require("express");\n' }, "pass", "loaded by first require of app.js"],
    [{ "package.json": '{"main":"app.mjs"}', "app.mjs": 'import "./instrument.mjs";\nimport express from "express";\n' }, "warn", "app.mjs is an ES module: importing ./instrument.mjs there runs after express is loaded; Sentry needs --import for ESM"],
    [{ "package.json": '{"scripts":{"start":"tsx watch src/server.ts"}}', "src/server.ts": 'import express from "express";\n' }, "fail", "src/server.ts never loads the Sentry instrument file and the start script has no --import"],
  ])("judges the start of %j", async (files, status, message) => {
    const analysis = analyzeStart(await dirWith(files));
    const severity = { pass: undefined, warn: "warning", fail: "error" }[status];
    expect(analysis.findings[0]?.severity).toBe(severity);
    expect(analysis.findings[0]?.message ?? `loaded by ${analysis.loadedBy}`).toBe(message);
  });

  it("reads @sentry versions from pnpm and yarn lockfiles", async () => {
    const pnpm = await dirWith({ "pnpm-lock.yaml": "packages:\n\n  '@sentry/node@10.5.0':\n    resolution: {}\n\n  '@sentry/core@10.4.0':\n    resolution: {}\n\n  '@sentry/cli@2.1.0':\n    resolution: {}\n" });
    expect(Object.fromEntries([...sentryVersions(pnpm).versions].map(([k, v]) => [k, [...v]]))).toEqual({ "@sentry/node": ["10.5.0"], "@sentry/core": ["10.4.0"] });
    const yarn = await dirWith({ "yarn.lock": '"@sentry/node@^10.0.0":\n  version "10.5.0"\n  resolved "x"\n\n"@sentry/core@10.5.0":\n  version "10.5.0"\n' });
    expect(Object.fromEntries([...sentryVersions(yarn).versions].map(([k, v]) => [k, [...v]]))).toEqual({ "@sentry/node": ["10.5.0"], "@sentry/core": ["10.5.0"] });
  });
});
