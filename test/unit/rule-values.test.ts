import { describe, expect, it } from "vitest";
import { parseValueSource, type ValueSource } from "../../src/config/event-rules.js";
import { MAX_LIST_ITEMS, outcomeOf, readValue, toMinorUnits, type ValueSources } from "../../src/runtime/rules/values.js";

const sources: ValueSources = {
  body: { amount: "10.50", nested: { a: 1 }, product: "pro" },
  params: { id: "w-7" },
  query: { page: "2" },
  headers: { "x-shop": "KM" },
  user: { id: "u-1", role: "admin" },
  response: { total: 25.5, licenses: [{ key: "AAAA-BBBB-CCCC-DDDD" }, { key: "EEEE-FFFF-GGGG-HHHH" }, { other: 1 }], orderId: 991 },
};
const source = (text: string) => parseValueSource(text) as ValueSource;

describe("readValue", () => {
  it.each([
    ["body.amount", "10.50"],
    ["body.nested.a", 1],
    ["params.id", "w-7"],
    ["query.page", "2"],
    ["headers.X-Shop", "KM"],
    ["user.role", "admin"],
    ["response.total", 25.5],
    ["response.orderId", 991],
    ["response.licenses[].key", ["AAAA-BBBB-CCCC-DDDD", "EEEE-FFFF-GGGG-HHHH"]],
    ["body.missing", undefined],
    ["body.amount.deeper", undefined],
    ["response.total[].x", undefined],
    ["body.__proto__", undefined],
    ["body.constructor", undefined],
    ["antivirus", "antivirus"],
  ])("%s → %j", (text, expected) => {
    expect(readValue(source(text), sources)).toEqual(expected);
  });

  it("caps a [] list", () => {
    const many = { ...sources, response: { items: Array.from({ length: 5000 }, (_, i) => ({ id: i })) } };
    expect((readValue(source("response.items[].id"), many) as unknown[]).length).toBe(MAX_LIST_ITEMS);
  });
});

describe("toMinorUnits", () => {
  it.each([
    [10.5, "major", "EUR", 1050],
    ["10.50", "major", "EUR", 1050],
    ["10.5", "major", "BAM", 1050],
    [10.15, "major", "EUR", 1015],
    [0.1 + 0.2, "major", "EUR", 30],
    ["7", "major", "BAM", 700],
    ["-3.25", "major", "EUR", -325],
    [1500, "major", "JPY", 1500],
    ["1.234", "major", "KWD", 1234],
    ["10.500", "major", "EUR", 1050],
    ["10.505", "major", "EUR", undefined],
    ["ten", "major", "EUR", undefined],
    [Number.NaN, "major", "EUR", undefined],
    [1050, "minor", "EUR", 1050],
    ["1050", "minor", "EUR", 1050],
    [10.5, "minor", "EUR", undefined],
    [null, "major", "EUR", undefined],
    [10.5, "major", undefined, 1050],
  ] as const)("%j %s %s → %j", (value, unit, currency, expected) => {
    expect(toMinorUnits(value, unit, currency)).toBe(expected);
  });
});

describe("outcomeOf", () => {
  const reasons = new Map([["402", "insufficient_funds"], ["4xx", "rejected"], ["500", "crashed"]]);
  const none = new Map<string, string>();
  it.each([
    [200, reasons, {}, { outcome: "success" }],
    [201, none, {}, { outcome: "success" }],
    [402, reasons, {}, { outcome: "failure", reason: "insufficient_funds" }],
    [409, reasons, {}, { outcome: "failure", reason: "rejected" }],
    [500, reasons, { exception: true }, { outcome: "failure", reason: "crashed" }],
    [500, none, { exception: true }, { outcome: "failure", reason: "exception" }],
    [401, none, {}, { outcome: "failure", reason: "denied" }],
    [403, none, {}, { outcome: "failure", reason: "denied" }],
    [302, none, {}, { outcome: "failure", reason: "http_302" }],
    [503, none, {}, { outcome: "failure", reason: "http_503" }],
    [499, reasons, { aborted: true }, { outcome: "failure", reason: "aborted" }],
  ] as const)("%i → %j", (status, map, flags, expected) => {
    expect(outcomeOf(status, map, { aborted: false, exception: false, ...flags })).toEqual(expected);
  });
});
