import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { makeTempDir } from "../helpers/cli.js";
import { defaultConfig } from "../../src/config/schema.js";
import { loadEnvFileInto } from "../../src/config/env-file.js";
import { eventSignature, tenantDedupeIntegration, withDedupe } from "../../src/runtime/sentry/dedupe.js";
import { resolveEnvironment, resolveRelease, resolveTracesRate } from "../../src/runtime/sentry/settings.js";
import { createTracesSampler } from "../../src/runtime/sentry/traces.js";
import { applyUserPolicy, applyUserPolicyToSpan } from "../../src/runtime/sentry/user-policy.js";

describe("resolveEnvironment", () => {
  it.each([
    [{ SENTRY_ENVIRONMENT: "staging", NODE_ENV: "development" }, "cfg", "staging"],
    [{ NODE_ENV: "development" }, "cfg", "cfg"],
    [{ NODE_ENV: "development" }, undefined, "development"],
    [{ NODE_ENV: " " }, undefined, "production"],
    [{}, undefined, "production"],
  ])("%j with config %s → %s", (env, environment, expected) => {
    expect(resolveEnvironment(env, environment ? { environment } : {})).toBe(expected);
  });
});

describe("resolveRelease", () => {
  it("SENTRY_RELEASE, then the config, then package.json with the commit of .git/HEAD (a branch ref)", async () => {
    const temp = await makeTempDir("monwire-release-");
    try {
      expect(resolveRelease({}, {}, temp.dir)).toBeUndefined();
      await writeFile(join(temp.dir, "package.json"), JSON.stringify({ name: "shop", version: "1.0.0" }));
      expect(resolveRelease({}, {}, temp.dir)).toBe("shop@1.0.0");
      await mkdir(join(temp.dir, ".git", "refs", "heads"), { recursive: true });
      await writeFile(join(temp.dir, ".git", "HEAD"), "ref: refs/heads/main\n");
      await writeFile(join(temp.dir, ".git", "refs", "heads", "main"), "ABCDEF0123456789abcdef0123456789abcdef01\n");
      expect(resolveRelease({}, {}, temp.dir)).toBe("shop@1.0.0+abcdef012345");
      expect(resolveRelease({ GITHUB_SHA: "1234567890ab1234567890ab1234567890ab1234" }, {}, temp.dir)).toBe("shop@1.0.0+1234567890ab");
      expect(resolveRelease({}, { release: "shop@cfg" }, temp.dir)).toBe("shop@cfg");
      expect(resolveRelease({ SENTRY_RELEASE: "shop@env" }, { release: "shop@cfg" }, temp.dir)).toBe("shop@env");
    } finally {
      await temp.cleanup();
    }
  });
});

describe("resolveTracesRate", () => {
  const rates = defaultConfig().sentry.tracesSampleRates;
  it.each([["production", 0.1], ["development", 1], ["test", 0]])("%s → %s by default", (environment, expected) => {
    expect(resolveTracesRate({ tracesSampleRates: rates }, environment)).toBe(expected);
  });
  it("an explicit tracesSampleRate wins in every environment", () => {
    expect(resolveTracesRate({ tracesSampleRate: 0.3, tracesSampleRates: rates }, "development")).toBe(0.3);
  });
});

describe("createTracesSampler", () => {
  const sampler = createTracesSampler({ rate: 1, metricsPath: "/internal/metrics", ignorePaths: ["/api/cron"] });
  it.each([
    [{ name: "GET /internal/metrics" }, 0],
    [{ attributes: { "http.method": "GET", "http.target": "/internal/metrics?x=1" } }, 0],
    [{ normalizedRequest: { method: "GET", url: "http://h/healthz" } }, 0],
    [{ name: "GET /api/health" }, 0],
    [{ name: "OPTIONS /api/licenses/1" }, 0],
    [{ name: "HEAD /" }, 0],
    [{ name: "POST /api/cron" }, 0],
    [{ name: "POST /api/licenses/1" }, 1],
    [{ name: "GET /api/healthy-food" }, 1],
  ])("%j → %s", (context, expected) => {
    expect(sampler(context)).toBe(expected);
  });
  it("keeps an upstream decision", () => {
    expect(sampler({ name: "GET /api/x", parentSampled: false })).toBe(0);
    expect(sampler({ name: "GET /api/x", inheritOrSampleWith: () => 0.42 })).toBe(0.42);
  });
});

describe("tenant dedupe", () => {
  const crash = (tenant: string) => ({
    tags: { tenant },
    exception: { values: [{ type: "Error", value: "boom", stacktrace: { frames: [{ filename: "a.js", lineno: 1, colno: 2, function: "f" }] } }] },
  });
  it("drops a repeat within a tenant, never across tenants", () => {
    const dedupe = tenantDedupeIntegration();
    expect(dedupe.processEvent(crash("EUR"))).not.toBeNull();
    expect(dedupe.processEvent(crash("KM"))).not.toBeNull();
    expect(dedupe.processEvent(crash("KM"))).toBeNull();
    expect(dedupe.processEvent({ ...crash("EUR"), exception: { values: [{ type: "Error", value: "other" }] } })).not.toBeNull();
    expect(dedupe.processEvent({ type: "transaction" })).not.toBeNull();
  });
  it("signatures differ by frame and by message", () => {
    expect(eventSignature(crash("EUR"))).toBe(eventSignature(crash("KM")));
    expect(eventSignature({ message: "a" })).not.toBe(eventSignature({ message: "b" }));
    expect(eventSignature({})).toBeUndefined();
  });
  it.each([
    ["tenant", ["A", "MonwireTenantDedupe"]],
    ["off", ["A"]],
  ] as const)("mode %s replaces the SDK's Dedupe", (mode, names) => {
    const integrations = withDedupe(undefined, mode) as (defaults: Array<{ name: string }>) => Array<{ name: string }>;
    expect(integrations([{ name: "A" }, { name: "Dedupe" }]).map((i) => i.name)).toEqual(names);
  });
  it("mode global leaves the app's option alone", () => {
    expect(withDedupe(undefined, "global")).toBeUndefined();
  });
});

describe("user policy", () => {
  const context = { requestId: "r", tenant: "KM", ip: "203.0.113.9", userAgent: "UA/1" };
  it("adds the IP and keeps the user agent when allowed", () => {
    const out = applyUserPolicy({ user: { id: "u" }, request: { headers: {} } }, context, { sendUserIp: true, sendUserAgent: true });
    expect(out.user).toEqual({ id: "u", ip_address: "203.0.113.9" });
    expect(out.request.headers).toEqual({ "user-agent": "UA/1" });
  });
  it("removes both when not allowed, including the SDK's own IP and UA-derived contexts", () => {
    const out = applyUserPolicy({ user: { ip_address: "{{auto}}" }, request: { headers: { "User-Agent": "UA/1", accept: "*/*" } }, contexts: { browser: {}, os: {} } }, context, { sendUserIp: false, sendUserAgent: false });
    expect(out.user).toBeUndefined();
    expect(out.request.headers).toEqual({ accept: "*/*" });
    expect(out.contexts).toEqual({ os: {} });
  });
  it("strips span attributes by the same policy", () => {
    const span = { attributes: { "client.address": "1.2.3.4", "user_agent.original": "UA", "http.route": "/x" } };
    expect(applyUserPolicyToSpan(span, { sendUserIp: false, sendUserAgent: false }).attributes).toEqual({ "http.route": "/x" });
    expect(applyUserPolicyToSpan(span, { sendUserIp: true, sendUserAgent: true })).toBe(span);
  });
});

describe("loadEnvFileInto", () => {
  it("sets what the environment lacks and never overrides it", async () => {
    const temp = await makeTempDir("monwire-envfile-");
    try {
      const file = join(temp.dir, ".env");
      await writeFile(file, "# c\nSENTRY_DSN='https://k@h/1'\nNODE_ENV=development\nexport EXTRA=1 # note\n");
      const env: Record<string, string | undefined> = { NODE_ENV: "production" };
      expect(loadEnvFileInto(file, env)).toEqual(["SENTRY_DSN", "EXTRA"]);
      expect(env).toEqual({ NODE_ENV: "production", SENTRY_DSN: "https://k@h/1", EXTRA: "1" });
      expect(loadEnvFileInto(join(temp.dir, "missing"), env)).toBeUndefined();
    } finally {
      await temp.cleanup();
    }
  });
});
