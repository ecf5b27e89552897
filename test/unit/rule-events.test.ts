import { describe, expect, it } from "vitest";
import { validateEventRules, type EventRule, type RuleField } from "../../src/config/event-rules.js";
import { buildRuleEvents, type RuleEventInput } from "../../src/runtime/rules/events.js";
import { readValue, type Outcome, type ValueSources } from "../../src/runtime/rules/values.js";

function ruleOf(raw: object): EventRule {
  const { rules, problems } = validateEventRules({ "POST /x": raw });
  expect(problems).toEqual([]);
  return rules[0] as EventRule;
}

function build(raw: object, sources: Partial<ValueSources>, outcome: Outcome, actorId?: string) {
  const rule = ruleOf(raw);
  const unusable: string[] = [];
  const all: ValueSources = { body: {}, params: {}, query: {}, headers: {}, user: undefined, response: undefined, ...sources };
  const input: RuleEventInput = {
    read: (field: RuleField) => (rule.fields[field] ? readValue(rule.fields[field], all) : undefined),
    outcome, actorId, currency: "BAM", products: ["antivirus"], branchPath: undefined,
    unusable: (field) => void unusable.push(field),
  };
  return { events: buildRuleEvents(rule, input), unusable };
}

const ok: Outcome = { outcome: "success" };
const failed = (reason: string): Outcome => ({ outcome: "failure", reason });

describe("buildRuleEvents", () => {
  it("login: the attempt names the account tried, the session belongs to the signed-in user", () => {
    expect(build({ event: "login", actorId: "body.username" }, { body: { username: "alice" } }, ok, "u-1").events).toEqual([
      { kind: "login", outcome: "success", method: "password", actorId: "alice" },
      { kind: "session_started", actorId: "u-1" },
    ]);
    expect(build({ event: "login", actorId: "body.username", method: "sso" }, { body: { username: "x" } }, failed("invalid_credentials")).events).toEqual([
      { kind: "login", outcome: "failure", method: "sso", actorId: "x", reason: "invalid_credentials" },
    ]);
  });

  it("wallet: converts the amount in the tenant's currency and flags an unusable one", () => {
    expect(build({ event: "wallet.deposit", amount: "body.amount", walletId: "params.id" }, { body: { amount: "7.25" }, params: { id: "w2" } }, ok).events).toEqual([
      { kind: "wallet_transaction", type: "deposit", outcome: "success", amountMinor: 725, currency: "BAM", walletId: "w2" },
    ]);
    const bad = build({ event: "wallet.refund", amount: "body.amount" }, { body: { amount: "lots" } }, failed("http_409"));
    expect(bad.events).toEqual([{ kind: "wallet_transaction", type: "refund", outcome: "failure", currency: "BAM", reason: "http_409" }]);
    expect(bad.unusable).toEqual(["amount"]);
    expect(build({ event: "wallet.purchase", amount: 1050, amountUnit: "minor" }, {}, ok).events[0]).toMatchObject({ amountMinor: 1050 });
  });

  it("license.generated: counts the keys, bounds the product, and records nothing for an empty list", () => {
    expect(build({ event: "license.generated", product: "body.product", keys: "response.l[].key" }, { body: { product: "Antivirus" }, response: { l: [{ key: "A" }, { key: "B" }] } }, ok).events).toEqual([
      { kind: "license_keys_generated", product: "antivirus", rawProduct: "Antivirus", count: 2, keys: ["A", "B"] },
    ]);
    expect(build({ event: "license.generated", product: "suite", count: 3 }, {}, ok).events).toEqual([{ kind: "license_keys_generated", product: "other", rawProduct: "suite", count: 3 }]);
    expect(build({ event: "license.generated", keys: "response.l[].key" }, { response: { l: [] } }, ok).events).toEqual([]);
    expect(build({ event: "license.generated", product: "body.p" }, { body: { p: "vpn" } }, failed("http_500")).events).toEqual([
      { kind: "audit", entry: { category: "license", action: "license_key.generated", outcome: "failure", reason: "http_500", data: { product: "vpn" } } },
    ]);
  });

  it.each([
    [{ event: "branch.created", branchId: "response.id" }, {}, ok, { kind: "branch_created", branchId: "unknown" }],
    [{ event: "branch.created", branchId: "response.id" }, {}, failed("not_b2b"), { kind: "audit", entry: { category: "user_management", action: "branch.created", outcome: "failure", reason: "not_b2b" } }],
    [{ event: "logout" }, {}, failed("denied"), { kind: "audit", entry: { category: "authentication", action: "session.ended", outcome: "failure", reason: "denied" } }],
    [{ event: "admin.action", action: "params.a" }, { params: { a: "Re-Index All!" } }, ok, { kind: "audit", entry: { category: "admin", action: "admin.re_index_all", outcome: "success" } }],
    [{ event: "admin.action" }, {}, ok, { kind: "audit", entry: { category: "admin", action: "admin.action", outcome: "success" } }],
    [{ event: "security.event", action: "webhook.signature_invalid", target: "params.id" }, { params: { id: "h-1" } }, ok, { kind: "audit", entry: { category: "security", action: "security.webhook_signature_invalid", outcome: "success", target: { type: "resource", id: "h-1" } } }],
    [{ event: "role.changed", target: "params.id", role: "body.role" }, { params: { id: "u-9" }, body: { role: "admin" } }, ok, { kind: "audit", entry: { category: "user_management", action: "user.role_changed", outcome: "success", target: { type: "user", id: "u-9" }, data: { to: "admin" } } }],
    [{ event: "user.created", target: "response.id" }, { response: { id: 5 } }, ok, { kind: "audit", entry: { category: "user_management", action: "user.created", outcome: "success", target: { type: "user", id: "5" } } }],
  ])("%j → one event", (raw, sources, outcome, expected) => {
    expect(build(raw, sources, outcome).events).toEqual([expected]);
  });
});
