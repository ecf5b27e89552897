import { describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspectConfigFile } from "../../src/config/load.js";
import { checkConfig, collectConfigIssues, resolveConfig } from "../../src/config/validate.js";
import { MonwireError } from "../../src/errors.js";

describe("config validation", () => {
  it("fills defaults for an empty config", () => {
    const config = resolveConfig({});
    expect(config.audit.retentionDays).toBe(2555);
    expect(config.metrics.path).toBe("/metrics");
    expect(config.sentry.dsnEnv).toBe("SENTRY_DSN");
  });

  it.each([
    [{ audit: { retentionDays: 0 } }, "audit.retentionDays", "expected integer ≥ 1"],
    [{ audit: { retentionDays: 1.5 } }, "audit.retentionDays", "expected integer ≥ 1"],
    [{ audit: { durability: "sometimes" } }, "audit.durability", 'expected one of "write", "fsync"'],
    [{ tenants: { from: "cookie:x" } }, "tenants.from", "expected"],
    [{ tenants: { values: ["EUR"], currency: { KM: "BAM" } } }, "tenants.currency.KM", "not listed"],
    [{ tenants: { currency: { EUR: "euro" } } }, "tenants.currency", "ISO 4217"],
    [{ metrics: { path: "metrics" } }, "metrics.path", 'starting with "/"'],
    [{ metrics: { url: "not a url" } }, "metrics.url", "URL"],
    [{ metrics: { buckets: [1, 0.5] } }, "metrics.buckets", "increasing"],
    [{ sentry: { dsnEnv: "has space" } }, "sentry.dsnEnv", "environment variable"],
    [{ sentry: { sampleRate: 2 } }, "sentry.sampleRate", "0 to 1"],
    [{ audti: {} }, "audti", "unknown section"],
    [{ audit: { retention: 5 } }, "audit.retention", "unknown field"],
  ])("%j → %s", (input, path, message) => {
    const issues = collectConfigIssues(input);
    expect(issues).toEqual(expect.arrayContaining([expect.objectContaining({ path, message: expect.stringContaining(message) })]));
  });

  it("throws one error listing every problem with its path", () => {
    try {
      resolveConfig({ audit: { retentionDays: -1 }, sentry: { sampleRate: 5 } });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(MonwireError);
      const e = error as MonwireError;
      expect(e.code).toBe("E_CONFIG_INVALID");
      expect(e.exitCode).toBe(2);
      expect(e.issues.map((i) => i.path)).toEqual(["audit.retentionDays", "sentry.sampleRate"]);
    }
  });

  it("checks without throwing: errors and no config for an unusable one, warnings for a rule that will be off", () => {
    const bad = checkConfig({ audit: { retentionDays: -1 }, sentry: { sampleRate: 5 } });
    expect(bad.config).toBeUndefined();
    expect(bad.errors.map((i) => i.path)).toEqual(["audit.retentionDays", "sentry.sampleRate"]);
    const partly = checkConfig({ $schema: "./node_modules/monwire/schema/mon.config.schema.json", events: { "POST /x": { event: "nope" }, "POST /login": { event: "login" } } });
    expect(partly.errors).toEqual([]);
    expect(partly.config?.$schema).toBe("./node_modules/monwire/schema/mon.config.schema.json");
    expect(partly.warnings.map((w) => w.path)).toEqual(['events["POST /x"].event']);
  });

  it("reads a file without throwing for what is in it: bad JSON and bad fields come back as errors", () => {
    const dir = mkdtempSync(join(tmpdir(), "monwire-config-"));
    try {
      writeFileSync(join(dir, "syntax.json"), '{"audit": {,}}');
      writeFileSync(join(dir, "fields.json"), '{"audit": {"dir": ""}}');
      expect(inspectConfigFile(join(dir, "syntax.json")).errors[0]?.message).toMatch(/^not valid JSON: /);
      const fields = inspectConfigFile(join(dir, "fields.json"));
      expect([fields.config, fields.errors]).toEqual([undefined, [{ path: "audit.dir", message: "expected a non-empty string" }]]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
