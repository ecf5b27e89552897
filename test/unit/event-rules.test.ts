import { describe, expect, it } from "vitest";
import { EACH, parseValueSource, validateEventRules, findUnmatchedRules } from "../../src/config/event-rules.js";
import { resolveConfig } from "../../src/config/validate.js";

describe("parseValueSource", () => {
  it.each([
    ["body.amount", { kind: "path", root: "body", steps: ["amount"], many: false }],
    ["params.id", { kind: "path", root: "params", steps: ["id"], many: false }],
    ["query.page", { kind: "path", root: "query", steps: ["page"], many: false }],
    ["headers.X-Shop", { kind: "path", root: "headers", steps: ["x-shop"], many: false }],
    ["user.profile.role", { kind: "path", root: "user", steps: ["profile", "role"], many: false }],
    ["response.licenses[].key", { kind: "path", root: "response", steps: ["licenses", EACH, "key"], many: true }],
    ["response[].id", { kind: "path", root: "response", steps: [EACH, "id"], many: true }],
    ["response.orders[].items[].sku", { kind: "path", root: "response", steps: ["orders", EACH, "items", EACH, "sku"], many: true }],
  ])("reads %s as a path", (text, expected) => {
    expect(parseValueSource(text)).toMatchObject({ ...expected, text });
  });

  it.each([["antivirus"], ["user"], ["bodyguard.x"], ["EUR"], [42]])("reads %s as a literal", (value) => {
    expect(parseValueSource(value)).toEqual({ kind: "literal", value });
  });

  it.each([
    ["body..amount", /segment 2 \(""\)/],
    ["response.licenses[.key", /segment 2/],
    ["body.a.[]", /"\[\]" must follow a name/],
    ["body", /names the whole body/],
    ["", /expected a path/],
    [null, /expected a path/],
  ])("refuses %j", (value, message) => {
    expect(parseValueSource(value)).toMatch(message);
  });
});

describe("validateEventRules", () => {
  it("compiles a valid set, keeping method, template, reasons and also", () => {
    const { rules, problems } = validateEventRules({
      "POST /api/orders": {
        event: "wallet.purchase", amount: "response.total", txId: "response.orderId", reasons: { "402": "insufficient_funds", "5xx": "server" },
        also: [{ event: "license.generated", product: "body.product", keys: "response.licenses[].key" }],
      },
      "POST /api/auth/logout": { event: "logout" },
    });
    expect(problems).toEqual([]);
    expect(rules.map((r) => [r.method, r.template, r.event])).toEqual([["POST", "/api/orders", "wallet.purchase"], ["POST", "/api/auth/logout", "logout"]]);
    expect([...(rules[0]?.reasons ?? [])]).toEqual([["402", "insufficient_funds"], ["5xx", "server"]]);
    expect(rules[0]?.also[0]?.path).toBe('events["POST /api/orders"].also[0]');
    expect(rules[0]?.amountUnit).toBe("major");
  });

  it.each([
    [{ "POST /x": { event: "teleport" } }, 'events["POST /x"].event', /unknown event "teleport"/],
    [{ "POST /x": { event: "wallet.deposit", amount: "body..amount" } }, 'events["POST /x"].amount', /malformed path/],
    [{ "POST /x": { event: "wallet.deposit" } }, 'events["POST /x"].amount', /wallet.deposit needs amount/],
    [{ "POST /x": { event: "wallet.deposit", amount: "lots" } }, 'events["POST /x"].amount', /expected a number or a path/],
    [{ "POST /x": { event: "wallet.deposit", amount: 5, amountUnit: "cents" } }, 'events["POST /x"].amountUnit', /"major"/],
    [{ "POST /x": { event: "wallet.deposit", amount: 5, currency: "euro" } }, 'events["POST /x"].currency', /ISO 4217/],
    [{ "POST /x": { event: "login", reasons: { "40": "bad" } } }, 'events["POST /x"].reasons["40"]', /status code like "402"/],
    [{ "POST /x": { event: "login", reasons: { "401": "bad reason!" } } }, 'events["POST /x"].reasons["401"]', /1-64 letters/],
    [{ "POST /x": { event: "login", reasons: [] } }, 'events["POST /x"].reasons', /expected an object/],
    [{ "POST /x": { event: "login", amount: 5 } }, 'events["POST /x"].amount', /unknown field for login/],
    [{ "POST /x": { event: "license.generated", keys: "abc" } }, 'events["POST /x"].keys', /path to the keys/],
    [{ "POST /x": { event: "license.accessed", target: "response.items[].id" } }, 'events["POST /x"].target', /only keys and count/],
    [{ "POST /x": { event: "branch.created" } }, 'events["POST /x"].branchId', /needs branchId/],
    [{ "POST /x": { event: "wallet.purchase", amount: 1, also: [{ event: "nope" }] } }, 'events["POST /x"].also[0].event', /unknown event/],
    [{ "POST /x": { event: "wallet.purchase", amount: 1, also: [{ event: "login", also: [] }] } }, 'events["POST /x"].also[0].also', /unknown field/],
    [{ "post /x": { event: "login" } }, 'events["post /x"]', /key like "POST \/api\/orders"/],
    [{ "POST api/x": { event: "login" } }, 'events["POST api/x"]', /key like/],
    [{ "POST /x": "login" }, 'events["POST /x"]', /expected an object/],
    [[], "events", /expected an object/],
  ])("reports %j at its path and turns only that rule off", (events, path, message) => {
    const input = Array.isArray(events) ? events : { ...events, "GET /ok": { event: "license.accessed", target: "params.id" } };
    const result = validateEventRules(input);
    expect(result.problems.some((p) => p.path === path && message.test(p.message))).toBe(true);
    if (!Array.isArray(events)) expect(result.rules.map((r) => r.key)).toEqual(["GET /ok"]);
  });

  it("lists rules whose route no known template has", () => {
    const { rules } = validateEventRules({ "POST /api/orders": { event: "wallet.purchase", amount: 1 }, "GET /api/gone": { event: "license.accessed" } });
    expect(findUnmatchedRules(rules, ["POST /api/orders", "/api/other"])).toEqual(["GET /api/gone"]);
  });
});

describe("config with rules", () => {
  it("loads a config whose rules are broken (the rules are reported, not fatal) but refuses a bad security section", () => {
    const config = resolveConfig({ events: { "POST /x": { event: "nope" } } });
    expect(config.events).toEqual({ "POST /x": { event: "nope" } });
    expect(() => resolveConfig({ security: { bruteForce: { perIp: 0 } } })).toThrow(/security\.bruteForce\.perIp: expected integer ≥ 1/);
    expect(() => resolveConfig({ actor: { from: ["request.user"] } })).toThrow(/actor\.from: expected a non-empty array of paths like "req.user"/);
    expect(() => resolveConfig({ sessions: { source: "redis" } })).toThrow(/sessions\.source: expected one of "auto", "store", "events"/);
  });

  it("fills defaults for actor, security and sessions", () => {
    const config = resolveConfig({ security: { bruteForce: { perIp: 3 } } });
    expect(config.actor.from).toEqual(["req.user", "res.locals.user", "req.session.user"]);
    expect(config.security.bruteForce).toEqual({ windowSeconds: 300, perIp: 3, perAccount: 5 });
    expect(config.sessions).toEqual({ source: "auto", idleTimeoutSeconds: 1800, tenantField: "tenant" });
  });
});
