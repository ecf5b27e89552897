import { describe, expect, it } from "vitest";
import { capTerminal, escapeTerminal, escapeTerminalDeep, escapeTerminalLines } from "../../src/terminal-safe.js";
import { createTenantLabel } from "../../src/cli/render-tenant.js";
import { csvCell } from "../../src/cli/render-report-text.js";

/** Every character a human output must never print raw. */
const HOSTILE = [
  ...Array.from({ length: 0x20 }, (_, i) => i),
  0x7f,
  ...Array.from({ length: 0x20 }, (_, i) => 0x80 + i),
  0x061c, 0x200b, 0x200c, 0x200d, 0x200e, 0x200f, 0x2028, 0x2029, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e,
  0x2060, 0x2066, 0x2067, 0x2068, 0x2069, 0xfeff,
];
export const RAW_UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060\u2066-\u2069\ufeff]/;

describe("escapeTerminal", () => {
  it.each([
    ["\x1b]0;pwned\x07\x1b[2J", "\\x1b]0;pwned\\x07\\x1b[2J"],
    ["\x1b[8mTAMPERED", "\\x1b[8mTAMPERED"],
    ["invoice\u202egpj.exe", "invoice\\u202egpj.exe"],
    ["EUR\u200b", "EUR\\u200b"],
    ["a\nb\rc\td", "a\\x0ab\\x0dc\\x09d"],
    ["\u009b31m", "\\x9b31m"],
    ["\x7f", "\\x7f"],
    ["\ufeffBOM", "\\ufeffBOM"],
  ])("%j → %s", (input, expected) => {
    expect(escapeTerminal(input)).toBe(expected);
  });

  it("escapes every hostile character and leaves ordinary text, umlauts, emoji and backslashes alone", () => {
    for (const code of HOSTILE) expect(escapeTerminal(`x${String.fromCharCode(code)}y`), code.toString(16)).not.toMatch(RAW_UNSAFE);
    for (const text of ["Zürich €12,50", "KM 1.234,00", "✓ ✗ 🔒", "C:\\path\\x1b", "ünïcödé ąčęėįšųūž 日本"]) expect(escapeTerminal(text)).toBe(text);
  });

  it("is idempotent, so renderers may escape what was escaped already", () => {
    const once = escapeTerminal("\x1b[2J\u202e");
    expect(escapeTerminal(once)).toBe(once);
  });

  it("escapeTerminalLines keeps newlines and tabs but nothing else", () => {
    expect(escapeTerminalLines("line 1\n\tline 2\x1b[2J\r")).toBe("line 1\n\tline 2\\x1b[2J\\x0d");
  });

  it("escapeTerminalDeep escapes every string of a report, keys included, and keeps numbers", () => {
    const report = { a: "\x1b[2J", list: [{ n: 3, s: "\u202e" }], nothing: null, ok: true, ["\x07key"]: 1 };
    expect(escapeTerminalDeep(report)).toEqual({ a: "\\x1b[2J", list: [{ n: 3, s: "\\u202e" }], nothing: null, ok: true, ["\\x07key"]: 1 });
    expect(report.a).toBe("\x1b[2J");
  });

  it("capTerminal cuts long values with an ellipsis and counts characters, not UTF-16 units", () => {
    expect(capTerminal("🔒".repeat(70), 64)).toBe(`${"🔒".repeat(64)}…`);
    expect(capTerminal("EUR", 64)).toBe("EUR");
  });
});

describe("tenant labels", () => {
  it("marks tenants outside the configured list as raw, escaped and capped at 64 characters", () => {
    const label = createTenantLabel(["EUR", "KM"]);
    expect(label("EUR")).toBe("EUR");
    expect(label("none")).toBe("none");
    expect(label("unknown")).toBe("unknown");
    expect(label("\x1b]0;pwned\x07")).toBe('raw:"\\x1b]0;pwned\\x07"');
    expect(label("x".repeat(128))).toBe(`raw:"${"x".repeat(64)}…"`);
  });

  it("without a configured list only escapes and caps", () => {
    expect(createTenantLabel([])("EUR\u202e")).toBe("EUR\\u202e");
  });
});

describe("CSV cells (OWASP CSV injection)", () => {
  it.each([
    ["=HYPERLINK(\"http://evil.example\",\"click\")", "\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"click\"\")\""],
    ["=cmd|' /C calc'!A0", "\"'=cmd|' /C calc'!A0\""],
    ["+1+cmd", "\"'+1+cmd\""],
    ["-2+3", "\"'-2+3\""],
    ["@SUM(A1)", "\"'@SUM(A1)\""],
    ["\t=1", "\"'\\x09=1\""],
    ["\r=1", "\"'\\x0d=1\""],
    ["alice", "alice"],
    ["a,b", "\"a,b\""],
    ["-12.50", "-12.50"],
    ["12", "12"],
  ])("%j → %s", (input, expected) => {
    expect(csvCell(input)).toBe(expected);
  });

  it("keeps our numeric columns numbers, negative ones included", () => {
    expect(csvCell(-3)).toBe("-3");
    expect(csvCell(0.25)).toBe("0.25");
    expect(csvCell(null)).toBe("");
  });
});
