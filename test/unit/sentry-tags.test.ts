import { describe, expect, it } from "vitest";
import { runWithContext } from "../../src/runtime/context.js";
import { tagEvent, privacyOptions, RESTRICTIVE_DATA_COLLECTION } from "../../src/runtime/sentry/options.js";
import { categorizeError, contextTags, setErrorCategory, type ErrorCategory } from "../../src/runtime/sentry/tags.js";

describe("categorizeError", () => {
  const http = (status: number) => Object.assign(new Error("http"), { status });
  it.each<[string, unknown, string | undefined, ErrorCategory]>([
    ["explicit mark wins over the route", setErrorCategory(new Error("x"), "license"), "POST /api/wallets/:id/deposit", "license"],
    ["category property", Object.assign(new Error("x"), { category: "transaction" }), undefined, "transaction"],
    ["unknown category property is ignored", Object.assign(new Error("x"), { category: "payments" }), undefined, "system"],
    ["4xx status is the user's action", http(422), "POST /api/wallets/:id/deposit", "user_action"],
    ["5xx status falls through to the route", http(503), "POST /api/wallets/:id/deposit", "transaction"],
    ["wallet route", new Error("x"), "POST /api/wallets/:id/deposit", "transaction"],
    ["purchase route", new Error("x"), "POST /api/purchases", "transaction"],
    ["license route", new Error("x"), "GET /api/licenses/:id", "license"],
    ["login route", new Error("x"), "POST /api/login", "user_action"],
    ["branch route", new Error("x"), "POST /api/branches", "user_action"],
    ["other route", new Error("x"), "GET /api/health", "system"],
    ["no route", new Error("x"), undefined, "system"],
    ["a thrown string", "boom", "GET /api/licenses/:id", "license"],
  ])("%s", (_name, error, route, expected) => {
    expect(categorizeError(error, route)).toBe(expected);
  });

  it("rejects an unknown category at the call site", () => {
    expect(() => setErrorCategory(new Error("x"), "payments" as ErrorCategory)).toThrow(/user_action, transaction, license, system/);
  });
});

describe("contextTags / tagEvent", () => {
  const context = { requestId: "req-1", tenant: "KM", actor: { id: "u-7", role: "admin", type: "user" as const }, branch: "sarajevo", txId: "tx-9" };

  it("reads tenant, request id, user id and role, branch and tx id from the request context", () => {
    expect(contextTags(context)).toEqual({ tenant: "KM", request_id: "req-1", user_id: "u-7", user_role: "admin", branch: "sarajevo", tx_id: "tx-9" });
    expect(contextTags(undefined)).toEqual({});
  });

  it("tags an event inside a request, keeping tags the app set", () => {
    const event = runWithContext(context, () => tagEvent({ transaction: "GET /api/licenses/:id", tags: { feature: "x", tenant: "EUR" } }, new Error("x")));
    expect(event.tags).toEqual({ tenant: "EUR", request_id: "req-1", user_id: "u-7", user_role: "admin", branch: "sarajevo", tx_id: "tx-9", error_category: "license", feature: "x" });
  });

  it("names the event after monwire's route template, which also decides the category", () => {
    const inRoute = { ...context, actor: undefined, branch: undefined, txId: undefined, route: "/api/wallets/:walletId/deposit" };
    const event = runWithContext(inRoute, () => tagEvent({ transaction: "POST /api/wallets/5/deposit", request: { method: "POST" } }, new Error("x")));
    expect(event.transaction).toBe("POST /api/wallets/:walletId/deposit");
    expect(event.tags).toEqual({ tenant: "KM", request_id: "req-1", error_category: "transaction" });
  });

  it("falls back to the request URL path for the category", () => {
    const event = tagEvent({ request: { method: "POST", url: "http://h/api/wallets/1/deposit?x=1" } }, new Error("x"));
    expect(event.tags).toEqual({ error_category: "transaction" });
  });
});

describe("privacyOptions", () => {
  it("SDK 10: sendDefaultPii false (plus dataCollection, which later 10.x read)", () => {
    expect(privacyOptions(10)).toEqual({ sendDefaultPii: false, dataCollection: RESTRICTIVE_DATA_COLLECTION });
  });
  it("SDK 11: an explicit restrictive dataCollection and no removed option", () => {
    const options = privacyOptions(11);
    expect(options).toEqual({ dataCollection: RESTRICTIVE_DATA_COLLECTION });
    expect(RESTRICTIVE_DATA_COLLECTION).toMatchObject({ userInfo: false, cookies: false, httpBodies: [], urlQueryParams: false, stackFrameVariables: false });
  });
});
