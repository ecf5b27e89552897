import { describe, expect, it } from "vitest";
import type { AuditEntry } from "../../src/audit/entry.js";
import { ACTION_PATTERN } from "../../src/audit/entry.js";
import type { AuditRecordInput } from "../../src/runtime/audit/build-entry.js";
import { createCategoryHelpers, type CategoryHelpers } from "../../src/runtime/audit/helpers.js";

function capture(): { helpers: CategoryHelpers; events: AuditRecordInput[] } {
  const events: AuditRecordInput[] = [];
  const helpers = createCategoryHelpers(async (event) => {
    events.push(event);
    return {} as AuditEntry;
  });
  return { helpers, events };
}

const amount = { minor: 500 };
describe("category helpers", () => {
  it.each<[string, (h: CategoryHelpers) => Promise<unknown>, Partial<AuditRecordInput>]>([
    ["financial.deposit", (h) => h.financial.deposit({ amount, wallet: "w-1" }), { category: "financial", action: "wallet.deposit", target: { type: "wallet", id: "w-1" }, amount }],
    ["financial.purchase", (h) => h.financial.purchase({ amount, wallet: "w-1", product: "pro" }), { action: "wallet.purchase", data: { product: "pro" } }],
    ["financial.refund", (h) => h.financial.refund({ amount, outcome: "failure" }), { action: "wallet.refund", outcome: "failure" }],
    ["financial.withdrawal", (h) => h.financial.withdrawal({ amount }), { action: "wallet.withdrawal" }],
    ["license.generated", (h) => h.license.generated({ product: "pro", count: 3 }), { category: "license", action: "license_key.generated", data: { product: "pro", count: 3 } }],
    ["license.revoked", (h) => h.license.revoked({ key: "AAAA-BBBB-CCCC-DDDD" }), { action: "license_key.revoked", target: { type: "license_key", id: expect.stringMatching(/^\*{4}-\*{4}-\*{4}-DDDD \(sha256:[0-9a-f]{8}\)$/) } }],
    ["user_management.branchCreated", (h) => h.user_management.branchCreated({ branchId: "b-1", name: "Sarajevo" }), { category: "user_management", action: "branch.created", target: { type: "branch", id: "b-1" }, data: { name: "Sarajevo" } }],
    ["user_management.userCreated", (h) => h.user_management.userCreated({ userId: "u-1", role: "cashier" }), { action: "user.created", target: { type: "user", id: "u-1" } }],
    ["user_management.roleChanged", (h) => h.user_management.roleChanged({ userId: "u-1", from: "cashier", to: "admin" }), { action: "user.role_changed", data: { from: "cashier", to: "admin" } }],
    ["authentication.loginSucceeded", (h) => h.authentication.loginSucceeded({ userId: "u-1", method: "password" }), { category: "authentication", action: "login.succeeded", actor: { id: "u-1", type: "user" } }],
    ["authentication.loginFailed", (h) => h.authentication.loginFailed({ username: "eve" }), { action: "login.failed", outcome: "failure", data: { username: "eve" } }],
    ["authentication.logout", (h) => h.authentication.logout(), { action: "session.logout" }],
    ["authentication.lockout", (h) => h.authentication.lockout({ userId: "u-1", failedAttempts: 5 }), { action: "account.locked", data: { failed_attempts: 5 } }],
    ["security.event", (h) => h.security.event({ action: "rate_limit.exceeded" }), { category: "security", action: "rate_limit.exceeded" }],
    ["admin.action", (h) => h.admin.action({ action: "config.changed" }), { category: "admin", action: "config.changed" }],
  ])("%s", async (_name, call, expected) => {
    const { helpers, events } = capture();
    await call(helpers);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject(expected);
    expect(events[0]?.action).toMatch(ACTION_PATTERN);
  });

  it("masks generated license keys and lets the caller's data and target win", async () => {
    const { helpers, events } = capture();
    await helpers.license.generated({ product: "pro", keys: ["AAAA-BBBB-CCCC-DDDD"], data: { product: "override" } });
    await helpers.financial.deposit({ amount, wallet: "w-1", target: { type: "account", id: "acc-9" } });
    expect(events[0]?.data).toMatchObject({ product: "override", count: 1, keys: [expect.stringMatching(/-DDDD \(sha256:/)] });
    expect(JSON.stringify(events[0]?.data)).not.toContain("AAAA-BBBB");
    expect(events[1]?.target).toEqual({ type: "account", id: "acc-9" });
  });
});
