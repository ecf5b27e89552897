import { describe, expect, it } from "vitest";
import type { AuditEntry } from "../../src/audit/entry.js";
import { compileActionPattern, compileAuditFilter, resolveCategories, type AuditFilterOptions } from "../../src/audit/filters.js";

const entry = (fields: Partial<AuditEntry>): AuditEntry => ({
  v: 1, ts: "2025-03-10T12:00:00.000Z", category: "financial", action: "wallet.deposit", outcome: "success", tenant: "KM",
  actor: { id: "branch-7", role: "cashier", type: "user" }, writer: "w", seq: 1, prev: "0".repeat(64), hash: "1".repeat(64), ...fields,
});

describe("compileAuditFilter", () => {
  const deposit = entry({});
  const loginFailed = entry({ category: "authentication", action: "login.failed", outcome: "failure", tenant: "EUR", actor: { id: "anonymous", type: "anonymous" } });
  const keyGenerated = entry({ category: "license", action: "license_key.generated", ts: "2025-03-11T00:00:00.000Z" });

  it.each<[string, AuditFilterOptions, boolean[]]>([
    ["no filters", {}, [true, true, true]],
    ["category alias", { category: "auth" }, [false, true, false]],
    ["category OR within the field", { category: ["finance", "licence"] }, [true, false, true]],
    ["tenant, any case", { tenant: "km" }, [true, false, true]],
    ["outcome", { outcome: "failure" }, [false, true, false]],
    ["actor glob", { actor: "branch-*" }, [true, false, true]],
    ["actor exact", { actor: "anonymous" }, [false, true, false]],
    ["action prefix", { action: "wallet" }, [true, false, false]],
    ["action glob", { action: "*.failed" }, [false, true, false]],
    ["action regex", { action: "/^license_key\\.(generated|revoked)$/" }, [false, false, true]],
    ["AND across fields", { tenant: "KM", category: "license" }, [false, false, true]],
    ["since (inclusive)", { since: new Date("2025-03-11T00:00:00.000Z") }, [false, false, true]],
    ["until (exclusive)", { until: new Date("2025-03-11T00:00:00.000Z") }, [true, true, false]],
    ["empty values match all", { tenant: [], category: [" "] }, [true, true, true]],
  ])("%s", (_name, options, expected) => {
    const accept = compileAuditFilter(options);
    expect([deposit, loginFailed, keyGenerated].map(accept)).toEqual(expected);
  });

  it.each<[AuditFilterOptions, RegExp]>([
    [{ category: "weather" }, /unknown audit category "weather"/],
    [{ outcome: "maybe" }, /unknown outcome "maybe"/],
    [{ action: "/(/" }, /not a valid regular expression/],
    [{ since: new Date("nope") }, /since is not a valid date/],
  ])("rejects %j with a usage error", (options, message) => {
    expect(() => compileAuditFilter(options)).toThrow(message);
    try {
      compileAuditFilter(options);
    } catch (error) {
      expect((error as { exitCode: number }).exitCode).toBe(2);
    }
  });
});

describe("patterns", () => {
  it.each([
    ["wallet.deposit", "wallet.deposit", true],
    ["wallet.deposit", "wallet.deposit_x", false],
    ["wallet", "wallet.refund", true],
    ["wallet", "walletx.refund", false],
    ["license_key.*", "license_key.generated", true],
    ["l?gin.failed", "login.failed", true],
    ["wallet.*", "walletxdeposit", false],
  ])("action %s vs %s → %s", (pattern, action, expected) => {
    expect(compileActionPattern(pattern)(action)).toBe(expected);
  });

  it("normalizes category aliases to canonical ids", () => {
    expect(resolveCategories(["AUTH", "user", "system", "security"])).toEqual(["authentication", "user_management", "admin", "security"]);
  });
});
