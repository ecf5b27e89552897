import { describe, expect, it } from "vitest";
import { quoteJson } from "../../src/audit/canonical.js";
import { computeEntryHash, formatAuditLine } from "../../src/audit/chain.js";
import { validateAuditEntry } from "../../src/audit/entry.js";
import { buildEntry, type AuditRecordInput } from "../../src/runtime/audit/build-entry.js";
import { chainEntry } from "../../src/runtime/audit/serialize.js";

/** Deterministic pseudo-random generator, so a failure reproduces. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

const ALPHABET = ["a", "Z", "0", " ", "\"", "\\", "\n", "\r", "\t", "\u0000", "\u001f", "é", "漢", "😀", "\u2028", "\ud800", "-", "{", "}", ","];

function text(next: () => number, max = 12): string {
  return Array.from({ length: Math.floor(next() * max) + 1 }, () => ALPHABET[Math.floor(next() * ALPHABET.length)]).join("");
}

function event(next: () => number): AuditRecordInput {
  const maybe = <T>(value: T): T | undefined => (next() < 0.5 ? value : undefined);
  return {
    category: "financial",
    action: "wallet.deposit",
    outcome: maybe("failure"),
    tenant: text(next),
    actor: { id: text(next), role: maybe(text(next)), type: "user" },
    target: maybe({ type: text(next), id: text(next) }),
    amount: maybe({ minor: Math.floor(next() * 1e9) - 5e8, currency: "BAM" }),
    ip: maybe(text(next)),
    user_agent: maybe(text(next)),
    request_id: maybe(text(next)),
    tx_id: maybe(text(next)),
    branch: maybe(text(next)),
    reason: maybe(text(next)),
    data: maybe({ [text(next)]: text(next), "10": 1, "9": [true, null, 2.5, { b: 1, a: text(next) }], nested: { z: -0, y: 1e21 } }),
  };
}

/** The plain reference form of canonical JSON, independent of the optimized contract code. */
function reference(value: unknown): string {
  if (Array.isArray(value)) return `[${Array.from(value, (v) => reference(v === undefined ? null : v)).join(",")}]`;
  if (typeof value === "object" && value !== null) {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record).filter((k) => record[k] !== undefined).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${reference(record[k])}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

describe("chainEntry (the writer's serializer)", () => {
  it("quoteJson is JSON.stringify for any string", () => {
    const next = random(7);
    for (let i = 0; i < 2000; i++) {
      const s = text(next, 20);
      expect(quoteJson(s)).toBe(JSON.stringify(s));
    }
  });

  it.each([undefined, "hmac-key"])("matches formatAuditLine and computeEntryHash byte for byte (key %s)", (key) => {
    const next = random(42);
    for (let i = 0; i < 300; i++) {
      const built = buildEntry(event(next), { currency: {}, clock: () => new Date(1_700_000_000_000 + i) });
      const { entry, line } = chainEntry(built, { writer: "abcdef012345", seq: i + 1, prev: "f".repeat(64) }, key);
      expect(line).toBe(formatAuditLine(entry));
      expect(line).toBe(`${reference(JSON.parse(line))}\n`);
      expect(entry.hash).toBe(computeEntryHash(entry, key));
      expect(validateAuditEntry(entry)).toEqual([]);
    }
  });

  it("splices the data computed at build time, and falls back to canonicalizing data itself", () => {
    const body = buildEntry({ category: "admin", action: "a.b", data: { b: 2, a: 1 } }, { currency: {}, clock: () => new Date(0) }).body;
    const withoutJson = chainEntry({ body }, { writer: "w", seq: 1, prev: "0".repeat(64) }, undefined);
    expect(withoutJson.line).toBe(formatAuditLine(withoutJson.entry));
    expect(withoutJson.line).toContain('"data":{"a":1,"b":2}');
  });
});
