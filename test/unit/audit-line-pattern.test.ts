import { describe, expect, it } from "vitest";
import { canonicalize } from "../../src/audit/canonical.js";
import { auditEntrySchema } from "../../src/audit/entry-schema.js";
import { REPORT_GROUPS, chainFieldsOf, hasAt, isLowerHex64, isPlainLine, matchChainLine, matchPlainEntry, matchReportLine } from "../../src/audit/line-pattern.js";
import type { JsonSchema } from "../../src/audit/schema-compile.js";
import { buildLinePattern } from "../../src/audit/schema-line-pattern.js";
import { parseAuditLine } from "../../src/audit/parse-line.js";
import { TestTrail, type TestEvent } from "../helpers/audit-trail.js";

// matchPlainEntry is verify's hot path, signed lines or not; its pattern is derived from the schema. Its promise: whenever it matches, JSON.parse +
// validateAuditEntry accept the line too, with the same field values. It may decline anything.
function agrees(text: string): "matched" | "declined" {
  const fields = matchPlainEntry(text);
  expect(isPlainLine(text), text).toBe(fields !== undefined);
  // The report's match (its members read straight from the line) takes exactly the same lines.
  const reported = matchReportLine(text);
  expect(reported !== null, text).toBe(fields !== undefined);
  // With the line's bytes (hash and prev then checked on an ASCII line's bytes), the same verdict.
  expect(matchReportLine(text, Buffer.from(text)) !== null, text).toBe(fields !== undefined);
  if (!fields) return "declined";
  // ...and gives verify's chain fields too (a report that verifies matches each line once).
  expect(chainFieldsOf(reported as RegExpExecArray)).toEqual(fields);
  const parsed = parseAuditLine(text);
  expect(parsed.kind, text).toBe("entry");
  if (parsed.kind === "entry") {
    const objects = new Set(["actor", "amount", "target", "data", "seq"]);
    for (const [name, group] of Object.entries(REPORT_GROUPS)) {
      const raw = reported?.[group];
      // Objects and numbers are captured as their JSON text.
      const value = raw === undefined || !objects.has(name) ? raw : JSON.parse(raw);
      expect(value, `${name} of ${text}`).toEqual((parsed.entry as unknown as Record<string, unknown>)[name]);
    }
    const { action, ts, writer, seq, prev, hash } = parsed.entry;
    const { hashAt, ...chain } = fields;
    expect(chain).toEqual({ action, ts, writer, seq, prev, hash });
    expect(text.slice(hashAt, hashAt + 74)).toBe(`,"hash":"${hash}"`);
    expect(parsed.entryOffset).toBe(0);
  }
  return "matched";
}

const shapes: [string, TestEvent, "matched" | "declined"][] = [
  ["a deposit with flat data", { amount: { minor: 1500, currency: "BAM" }, data: { wallet: "w-1", n: -1.5e3, ok: true, none: null } }, "matched"],
  ["every optional field", { target: { type: "wallet", id: "w-1" }, ip: "10.0.0.1", user_agent: "Mozilla/5.0 (X11)", request_id: "r-1", tx_id: "t-1", branch: "Sarajevo", reason: "čćžšđ €", truncated: ["data.note"] }, "matched"],
  ["no optional fields", { actor: { id: "", type: "anonymous" } }, "matched"],
  ["a refund (negative minor)", { amount: { minor: -250, currency: "EUR" } }, "matched"],
  ["nested data", { data: { wallet: { id: "w-1" } } }, "declined"],
  ["an escaped quote", { reason: 'said "no"' }, "declined"],
  ["a newline in a value", { reason: "line\nbreak" }, "declined"],
  ["an actor with extra fields", { actor: { id: "u", type: "user", email: "x" } as never }, "declined"],
  ["an unknown category", { category: "weather" as never }, "declined"],
];

describe("matchPlainEntry", () => {
  const trail = new TestTrail({ key: "k" });
  const writer = trail.writer();
  const started = trail.entries[0];

  it.each(shapes)("%s → %s", (_name, event, expected) => {
    expect(agrees(canonicalize(writer.record(event)))).toBe(expected);
  });

  it("agrees with the reference on calendar edges the pattern lets through (Feb 30, Apr 31, year 0000)", () => {
    const line = canonicalize(writer.record({}));
    for (const ts of ["2025-02-30T00:00:00.000Z", "2025-04-31T23:59:59.999Z", "0000-01-01T00:00:00.000Z", "9999-12-31T23:59:59.999Z"]) {
      expect(agrees(line.replace(/"ts":"[^"]*"/, `"ts":"${ts}"`))).toBe("matched");
    }
  });

  it("matches a first chain.started (flat data) and declines one that links a previous writer", () => {
    // ChainChecker sends every chain.started to the full path anyway: it reads their data.
    expect(agrees(canonicalize(started))).toBe("matched");
    trail.writer();
    expect(agrees(canonicalize(trail.entries[trail.entries.length - 1]))).toBe("declined");
  });

  it("never matches a line the reference rejects, over thousands of mutations", () => {
    const seeds = [
      canonicalize(writer.record({ amount: { minor: 1500, currency: "BAM" }, data: { wallet: "w-1", n: 12 }, ip: "10.0.0.7" })),
      canonicalize(writer.record({ category: "authentication", action: "login.failed", outcome: "failure", target: { type: "user", id: "mallory" }, truncated: ["reason"] })),
    ];
    const alphabet = ['"', "\\", ",", ":", "{", "}", "[", "]", "0", "1", "9", "-", ".", "e", "a", "z", "A", "Z", " ", "\n", "\u0001", "é", "_", "t", "n"];
    let state = 42;
    const random = (n: number) => {
      state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
      return state % n;
    };
    const counts = { matched: 0, declined: 0 };
    for (let i = 0; i < 6000; i++) {
      let text = seeds[i % seeds.length] as string;
      for (let edits = 1 + random(2); edits > 0; edits--) {
        const at = random(text.length);
        const char = alphabet[random(alphabet.length)] as string;
        const op = random(3);
        text = op === 0 ? text.slice(0, at) + char + text.slice(at + 1) : op === 1 ? text.slice(0, at) + text.slice(at + 1) : text.slice(0, at) + char + text.slice(at);
      }
      counts[agrees(text)] += 1;
    }
    // Both outcomes occur, so the comparison above really ran on matched mutants.
    expect(counts.matched).toBeGreaterThan(100);
    expect(counts.declined).toBeGreaterThan(1000);
  });
});

// verify's pattern leaves hash and prev to the chain checker (matchChainLine); matchPlainEntry
// and isPlainLine must still decline every line whose hash or prev the schema rejects.
describe("hash and prev, checked apart from the pattern", () => {
  const trail = new TestTrail({ key: "k" });
  const writer = trail.writer();
  const line = canonicalize(writer.record({ amount: { minor: 5, currency: "BAM" } }));
  const entry = JSON.parse(line) as { hash: string; prev: string };
  const bad = [
    ["upper-case hex", (h: string) => h.toUpperCase().replace(/^./, "A")],
    ["63 digits", (h: string) => h.slice(1)],
    ["65 digits", (h: string) => `${h}0`],
    ["a non-hex letter", (h: string) => `g${h.slice(1)}`],
    ["a space", (h: string) => ` ${h.slice(1)}`],
    ["empty", () => ""],
  ] as const;

  it.each(bad)("declines a prev of %s, as the reference does", (_name, change) => {
    const text = line.replace(`"prev":"${entry.prev}"`, `"prev":"${change(entry.prev)}"`);
    expect(parseAuditLine(text).kind).toBe("invalid");
    expect(matchPlainEntry(text)).toBeUndefined();
    expect(isPlainLine(text)).toBe(false);
    expect(matchReportLine(text)).toBeNull();
    // The loose match does take it: the caller must prove prev (ChainChecker compares it with
    // the writer's last hash, or runs isLowerHex64).
    expect(matchChainLine(text)?.prev).toBe(change(entry.prev));
    expect(isLowerHex64(change(entry.prev))).toBe(false);
  });

  it.each(bad)("declines a hash of %s, as the reference does", (_name, change) => {
    const text = line.replace(`"hash":"${entry.hash}"`, `"hash":"${change(entry.hash)}"`);
    expect(parseAuditLine(text).kind).toBe("invalid");
    expect(matchPlainEntry(text)).toBeUndefined();
    expect(isPlainLine(text)).toBe(false);
    expect(matchReportLine(text)).toBeNull();
  });

  // matchReportLine checks an ASCII line's hash and prev on its bytes; a line with other
  // characters (or bytes that are not UTF-8) takes the string check. Every way must decline.
  const variants = [
    ["ASCII", (text: string): [string, Buffer] => [text, Buffer.from(text)]],
    ["non-ASCII", (text: string): [string, Buffer] => {
      const wide = text.replace(',"seq":', ',"reason":"čćž €","seq":');
      return [wide, Buffer.from(wide)];
    }],
    // Each invalid byte decodes to one U+FFFD: as many characters as bytes, yet not ASCII.
    ["invalid UTF-8", (text: string): [string, Buffer] => {
      const bytes = Buffer.from(text.replace(',"seq":', ',"reason":"xx","seq":'));
      const at = bytes.indexOf('"reason":"xx"') + 10;
      bytes[at] = 0xff;
      bytes[at + 1] = 0xfe;
      return [bytes.toString(), bytes];
    }],
  ] as const;
  const cases = variants.flatMap(([how, make]) => bad.flatMap(([name, change]) => (["hash", "prev"] as const).map((member) => [`${member} of ${name}, ${how} line`, member, change, make] as const)));

  it.each(cases)("declines a %s when given the bytes too", (_name, member, change, make) => {
    const value = entry[member];
    const [text, bytes] = make(line.replace(`"${member}":"${value}"`, `"${member}":"${change(value)}"`));
    expect(parseAuditLine(text).kind).toBe("invalid");
    expect(matchReportLine(text, bytes)).toBeNull();
    expect(matchReportLine(text)).toBeNull();
  });

  it.each(variants)("accepts a valid %s line when given the bytes", (_how, make) => {
    const [text, bytes] = make(line);
    // The non-ASCII variants changed the line after it was hashed: still schema-valid.
    expect(parseAuditLine(text).kind).toBe("entry");
    expect(matchReportLine(text, bytes)?.[REPORT_GROUPS.prev]).toBe(entry.prev);
  });

  it("declines a bad prev although a valid hex string sits elsewhere in the line", () => {
    // A reason that spells out `,"prev":"` cannot be written plainly (quotes are escaped), so
    // the only unescaped one is prev's own; here the captured prev is bad and must be declined
    // although a valid hash-like string sits elsewhere in the line.
    const text = line.replace(`"prev":"${entry.prev}"`, `"prev":"${entry.prev.toUpperCase().replace(/^./, "A")}"`).replace('"outcome":"success"', `"ip":"${entry.prev}","outcome":"success"`);
    expect(parseAuditLine(text).kind).toBe("invalid");
    expect(matchReportLine(text, Buffer.from(text))).toBeNull();
  });

  it("accepts exactly 64 lower-case hex digits", () => {
    expect(isLowerHex64(entry.hash)).toBe(true);
    expect(isLowerHex64("0123456789abcdef".repeat(4))).toBe(true);
    // The neighbours of each accepted range, and a control character.
    for (const c of ["/", ":", "`", "g", "F", "\u0000"]) expect(isLowerHex64(`${"0".repeat(63)}${c}`), JSON.stringify(c)).toBe(false);
  });
});

describe("hasAt", () => {
  const hash = "0123456789abcdef".repeat(4);
  const text = `{"hash":"${hash}","x":1}`;
  it.each([
    ["the value where it is", hash, 9, true],
    ["one character off", hash, 8, false],
    ["the last character differing", `${hash.slice(0, 63)}0`, 9, false],
    ["a value running past the end", `${hash}","x":1}!`, 9, false],
    ["a short value at the start", '{"hash"', 0, true],
    ["the empty value", "", 5, true],
  ])("%s", (_name, value, at, expected) => {
    expect(hasAt(text, value, at)).toBe(expected);
    expect(hasAt(text, value, at)).toBe(text.startsWith(value, at));
  });
});

describe("buildLinePattern (the fast path, derived from the schema)", () => {
  const options = { captures: ["action", "hash", "prev", "seq", "ts", "writer"], splitAt: "hash" } as const;
  const trail = new TestTrail();
  const line = canonicalize(trail.writer().record({ outcome: "unknown" }));

  it("follows the schema: widen an enum there and the pattern accepts the new value", () => {
    const maybe = line.replace('"outcome":"unknown"', '"outcome":"maybe"');
    expect(buildLinePattern(auditEntrySchema, options).pattern.test(maybe)).toBe(false);
    const widened = { ...auditEntrySchema, properties: { ...auditEntrySchema.properties, outcome: { enum: ["success", "failure", "unknown", "maybe"] } } };
    expect(buildLinePattern(widened, options).pattern.test(maybe)).toBe(true);
  });

  it.each([
    ["an integer range it cannot express", { seq: { type: "integer", minimum: 5 } }, /integer minimum 5/],
    ["a string length it cannot count", { writer: { type: "string", minLength: 3 } }, /minLength above 1/],
    ["an unanchored pattern", { action: { type: "string", pattern: "[a-z]+" } }, /must be anchored/],
  ])("refuses %s instead of matching more than the schema allows", (_name, change, error) => {
    const schema = { ...auditEntrySchema, properties: { ...auditEntrySchema.properties, ...change } } as JsonSchema;
    expect(() => buildLinePattern(schema, options)).toThrow(error);
  });

  it("checks a member apart only when the caller captures it and its schema is a bare string pattern", () => {
    const { apart } = buildLinePattern(auditEntrySchema, { ...options, apart: ["hash", "prev"] });
    expect(Object.fromEntries(Object.entries(apart).map(([name, re]) => [name, re.source]))).toEqual({ hash: "^[0-9a-f]{64}$", prev: "^[0-9a-f]{64}$" });
    expect(() => buildLinePattern(auditEntrySchema, { captures: ["hash"], splitAt: "hash", apart: ["prev"] })).toThrow(/checked apart only/);
    expect(() => buildLinePattern(auditEntrySchema, { ...options, apart: ["seq"] })).toThrow(/checked apart only/);
    expect(() => buildLinePattern(auditEntrySchema, { ...options, apart: ["writer"] })).toThrow(/checked apart only/);
  });
});
