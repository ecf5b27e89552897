import { describe, expect, it } from "vitest";
import { canonicalize } from "../../src/audit/canonical.js";

describe("canonicalize (RFC 8785)", () => {
  it.each([
    [{ b: 1, a: 2 }, '{"a":2,"b":1}'],
    [{ nested: { z: true, a: null } }, '{"nested":{"a":null,"z":true}}'],
    [[3, "x", { k: 1 }], '[3,"x",{"k":1}]'],
    [{ n: 1e21, f: 0.1, neg: -0 }, '{"f":0.1,"n":1e+21,"neg":0}'],
    [{ s: "line\nbreak\r\u2028" }, '{"s":"line\\nbreak\\r\u2028"}'],
    [{ skip: undefined, keep: 1 }, '{"keep":1}'],
    // Keys sort by UTF-16 code units: "B" (0x42) < "a" (0x61) < "é" (0xe9).
    [{ é: 1, a: 2, B: 3 }, '{"B":3,"a":2,"é":1}'],
  ])("%j → %s", (value, expected) => {
    expect(canonicalize(value)).toBe(expected);
  });

  it("refuses values JSON cannot represent", () => {
    expect(() => canonicalize({ x: Number.NaN })).toThrow(/NaN/);
    expect(() => canonicalize({ x: () => 1 })).toThrow(/function/);
  });

  it("never emits a raw newline, so a value can never forge a second line", () => {
    expect(canonicalize({ reason: 'x"}\n{"forged":true' })).not.toContain("\n");
  });
});
