import { describe, expect, it } from "vitest";
import { collectConfigIssues, resolveConfig } from "../../src/config/validate.js";
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
});
