import { Chalk } from "chalk";
import { describe, expect, it } from "vitest";
import type { AuditEntry } from "../../src/audit/entry.js";
import { formatChainBreak, formatTailLine } from "../../src/cli/render-tail.js";

const entry = (fields: Partial<AuditEntry>): AuditEntry => ({
  v: 1, ts: "2025-01-04T10:15:02.123Z", category: "financial", action: "wallet.deposit", outcome: "success", tenant: "KM",
  actor: { id: "branch-7", role: "cashier", type: "user" }, writer: "w", seq: 1, prev: "0".repeat(64), hash: "1".repeat(64), ...fields,
});
const plain = new Chalk({ level: 0 });
const colored = new Chalk({ level: 1 });

describe("formatTailLine", () => {
  it.each([
    [{ amount: { minor: 1250, currency: "BAM" } }, /^2025-01-04 10:15:02\.123  KM +branch-7 \(cashier\) +wallet\.deposit +BAM\u00a012\.50  ✓$/],
    [{ outcome: "failure" as const, amount: { minor: 99, currency: "EUR" }, reason: "insufficient funds" }, /€0\.99  ✗  reason="insufficient funds"$/],
    [{ outcome: "unknown" as const, category: "security" as const, action: "rate_limit.exceeded", ip: "203.0.113.9", amount: undefined }, /rate_limit\.exceeded +\?  ip=203\.0\.113\.9$/],
    [{ actor: { id: "anonymous", type: "anonymous" as const }, target: { type: "user", id: "u-2" } }, /anonymous +wallet\.deposit +✓  user:u-2$/],
  ])("renders %j", (fields, expected) => {
    expect(formatTailLine(entry(fields), { color: plain, locale: "en-US" })).toMatch(expected);
  });

  it("colours only when its chalk does", () => {
    expect(formatTailLine(entry({}), { color: plain })).not.toMatch(/\u001b\[/);
    const line = formatTailLine(entry({ outcome: "failure" }), { color: colored });
    expect(line).toContain("\u001b[31m✗\u001b[39m");
    expect(formatChainBreak({ file: "audit-2025-01-04.log", line: 7, message: "hash mismatch at seq 6 (line 7)" }, plain)).toBe("✗ chain break at audit-2025-01-04.log:7: hash mismatch at seq 6 (line 7)");
  });
});
