import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { AUDIT_CATEGORIES } from "../../src/audit/categories.js";
import { ACTION_PATTERN, validateAuditEntry, type AuditEntry } from "../../src/audit/entry.js";
import { REPO_ROOT } from "../helpers/cli.js";

// schema/audit-entry.schema.json states validateAuditEntry's rules for other tools. This checks
// that the two agree on a table of entries, with a minimal JSON Schema evaluator for exactly the
// keywords the schema uses (no dependency): type, required, properties, additionalProperties,
// enum, const, pattern, minLength, minimum, maximum, items.
type Schema = Record<string, unknown>;
const schema = JSON.parse(readFileSync(join(REPO_ROOT, "schema/audit-entry.schema.json"), "utf8")) as Schema;

const SUPPORTED = new Set(["$schema", "$id", "title", "description", "type", "required", "properties", "additionalProperties", "enum", "const", "pattern", "minLength", "minimum", "maximum", "items"]);

function typeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

function valid(s: Schema, value: unknown): boolean {
  for (const keyword of Object.keys(s)) if (!SUPPORTED.has(keyword)) throw new Error(`evaluator does not support ${keyword}`);
  const type = typeOf(value);
  if (s.type !== undefined && !(s.type === type || (s.type === "number" && type === "integer"))) return false;
  if ("const" in s && s.const !== value) return false;
  if (s.enum !== undefined && !(s.enum as unknown[]).includes(value)) return false;
  if (typeof value === "string") {
    if (s.pattern !== undefined && !new RegExp(s.pattern as string, "u").test(value)) return false;
    if (s.minLength !== undefined && [...value].length < (s.minLength as number)) return false;
  }
  if (typeof value === "number") {
    if (s.minimum !== undefined && value < (s.minimum as number)) return false;
    if (s.maximum !== undefined && value > (s.maximum as number)) return false;
  }
  if (type === "array" && s.items !== undefined && !(value as unknown[]).every((item) => valid(s.items as Schema, item))) return false;
  if (type === "object") {
    const object = value as Record<string, unknown>;
    const properties = (s.properties ?? {}) as Record<string, Schema>;
    if (s.required !== undefined && !(s.required as string[]).every((k) => k in object)) return false;
    for (const [k, v] of Object.entries(object)) {
      if (properties[k]) {
        if (!valid(properties[k], v)) return false;
      } else if (s.additionalProperties === false) return false;
    }
  }
  return true;
}

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

describe("schema/audit-entry.schema.json agrees with validateAuditEntry", () => {
  it.each(cases)("%s", (_name, entry, expected) => {
    expect(validateAuditEntry(entry).length === 0).toBe(expected);
    expect(valid(schema, entry)).toBe(expected);
  });

  it("lists the same categories and action pattern as the code", () => {
    const properties = schema.properties as Record<string, Schema>;
    expect(properties.category?.enum).toEqual([...AUDIT_CATEGORIES]);
    expect(properties.action?.pattern).toBe(ACTION_PATTERN.source);
    expect(schema.$schema).toBe("https://json-schema.org/draft/2020-12/schema");
  });
});
