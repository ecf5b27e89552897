import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { AUDIT_CATEGORIES } from "../../src/audit/categories.js";
import { ACTION_PATTERN, validateAuditEntry, type AuditEntry } from "../../src/audit/entry.js";
import { auditEntrySchema, validateEntryBody } from "../../src/audit/entry-schema.js";
import { compileSchema, type JsonSchema } from "../../src/audit/schema-compile.js";
import { REPO_ROOT } from "../helpers/cli.js";

// schema/audit-entry.schema.json is the one definition of a line; validateAuditEntry is compiled
// from it. The table pins what the compiled validator accepts, and the compiler's refusals pin
// that no keyword is silently ignored.
const schema = JSON.parse(readFileSync(join(REPO_ROOT, "schema/audit-entry.schema.json"), "utf8")) as JsonSchema;

const base: AuditEntry = {
  v: 1, ts: "2025-03-10T12:34:56.789Z", category: "financial", action: "wallet.deposit", outcome: "success", tenant: "KM",
  actor: { id: "branch-7", role: "cashier", type: "user" }, amount: { minor: 1500, currency: "BAM" },
  writer: "a1b2c3d4e5f6", seq: 1, prev: "0".repeat(64), hash: "ab".repeat(32),
};

const cases: [string, unknown, boolean][] = [
  ["a full entry", base, true],
  ["every optional field", { ...base, target: { type: "wallet", id: "w-1" }, ip: "10.0.0.1", user_agent: "ua", request_id: "r", tx_id: "t", branch: "b", reason: "why", data: { a: [1] }, truncated: ["data.note"] }, true],
  ["no optional fields", (({ amount: _a, ...rest }) => rest)(base), true],
  ["an actor without role", { ...base, actor: { id: "x", type: "system" } }, true],
  ["a negative amount (refund)", { ...base, amount: { minor: -250, currency: "EUR" } }, true],
  ["v 2", { ...base, v: 2 }, false],
  ["a timestamp without ms", { ...base, ts: "2025-03-10T12:34:56Z" }, false],
  ["a timestamp at hour 24", { ...base, ts: "2025-03-10T24:00:00.000Z" }, false],
  ["month 13", { ...base, ts: "2025-13-10T12:00:00.000Z" }, false],
  ["a non-UTC timestamp", { ...base, ts: "2025-03-10T12:34:56.789+01:00" }, false],
  ["an unknown category", { ...base, category: "weather" }, false],
  ["an alias as category", { ...base, category: "auth" }, false],
  ["an undotted action", { ...base, action: "deposit" }, false],
  ["an upper-case action", { ...base, action: "Wallet.deposit" }, false],
  ["an unknown outcome", { ...base, outcome: "maybe" }, false],
  ["an empty tenant", { ...base, tenant: "" }, false],
  ["an actor without type", { ...base, actor: { id: "x" } }, false],
  ["an actor with a bad type", { ...base, actor: { id: "x", type: "robot" } }, false],
  ["a numeric role", { ...base, actor: { id: "x", type: "user", role: 3 } }, false],
  ["a target without id", { ...base, target: { type: "wallet" } }, false],
  ["a fractional amount", { ...base, amount: { minor: 10.5, currency: "EUR" } }, false],
  ["a lower-case currency", { ...base, amount: { minor: 10, currency: "eur" } }, false],
  ["a numeric ip", { ...base, ip: 10 }, false],
  ["data as an array", { ...base, data: [1, 2] }, false],
  ["truncated as a string", { ...base, truncated: "data" }, false],
  ["an empty writer", { ...base, writer: "" }, false],
  ["seq 0", { ...base, seq: 0 }, false],
  ["a fractional seq", { ...base, seq: 1.5 }, false],
  ["an upper-case hash", { ...base, hash: "AB".repeat(32) }, false],
  ["a short prev", { ...base, prev: "0".repeat(63) }, false],
  ["a missing hash", (({ hash: _h, ...rest }) => rest)(base), false],
  ["an unknown field", { ...base, extra: true }, false],
  ["an array", [base], false],
  ["null", null, false],
];

describe("validateAuditEntry, compiled from schema/audit-entry.schema.json", () => {
  it.each(cases)("%s", (_name, entry, expected) => {
    expect(validateAuditEntry(entry).length === 0).toBe(expected);
  });

  it("says what is wrong, by path", () => {
    expect(validateAuditEntry({ ...base, outcome: "maybe", amount: { minor: 1.5, currency: "eur" } })).toEqual([
      'outcome: expected one of success, failure, unknown, got "maybe"',
      "amount.minor: expected an integer, got 1.5",
      'amount.currency: "eur" does not match ^[A-Z]{3}$',
    ]);
    expect(validateAuditEntry(null)).toEqual(["entry is not an object"]);
  });

  it("the writer's body check is the same schema without the chain members", () => {
    const { writer: _w, seq: _s, prev: _p, hash: _h, ...body } = base;
    expect(validateEntryBody(body)).toEqual([]);
    expect(validateEntryBody({ ...body, outcome: "maybe" })).toHaveLength(1);
    expect(validateAuditEntry(body)).toHaveLength(4);
  });

  it("is compiled from the shipped file, and lists the categories the code knows", () => {
    expect(auditEntrySchema).toEqual(schema);
    expect(schema.properties?.category?.enum).toEqual([...AUDIT_CATEGORIES]);
    expect(ACTION_PATTERN.source).toBe(schema.properties?.action?.pattern);
    expect(schema.$schema).toBe("https://json-schema.org/draft/2020-12/schema");
  });

  it("refuses keywords it does not implement instead of ignoring them", () => {
    expect(() => compileSchema({ type: "object", properties: { a: { type: "string", format: "email" } as JsonSchema } })).toThrow(/keyword format at a is not supported/);
  });
});
