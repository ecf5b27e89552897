import { auditEntrySchema } from "./entry-schema.js";
import { buildLinePattern } from "./schema-line-pattern.js";

/** The fields chain checking needs from an entry. */
export interface PlainEntryFields {
  action: string;
  ts: string;
  writer: string;
  seq: number;
  prev: string;
  hash: string;
  /** Index in the text of the `,` that starts the top-level `,"hash":"…"` member (74 characters). */
  hashAt: number;
}

// The plainest canonical lines are matched by regular expressions derived from the line schema
// (schema-line-pattern.ts): a match means JSON.parse + validateAuditEntry would accept the line
// with these values (a parity test checks that on mutated lines). The object is never built.
// Lines they do not match take the full path, so anything unusual is judged by the compiled
// schema itself.
const CAPTURED = ["action", "hash", "prev", "seq", "ts", "writer"];
const { pattern: PLAIN_ENTRY } = buildLinePattern(auditEntrySchema, { captures: CAPTURED, splitAt: "hash" });
/** The same pattern without captures: `test` allocates nothing. */
const PLAIN_LINE = new RegExp(PLAIN_ENTRY.source.replace(/(?<!\\)\((?!\?)/g, "(?:"));

// verify's pattern leaves hash and prev (128 of a bench line's ~690 characters) to its caller:
// irregexp spends about as long on `[0-9a-f]{64}` twice as on the whole rest of the line, and
// checking them afterwards character by character costs about as much again, while verify
// proves both by comparisons it makes anyway (see ChainChecker.checkPlainFields).
const { pattern: CHAIN_LINE, groups: G, apart: APART } = buildLinePattern(auditEntrySchema, { captures: CAPTURED, splitAt: "hash", apart: ["hash", "prev"] });
const [G_ACTION, G_HASH, G_PREV, G_SEQ, G_TS, G_WRITER] = CAPTURED.map((name) => G[name] as number) as [number, number, number, number, number, number];
// isLowerHex64 is the schema's pattern for both, written out; should the schema change it, the
// module refuses to load rather than let the fast path accept what the schema rejects.
for (const name of ["hash", "prev"]) {
  if (APART[name]?.source !== "^[0-9a-f]{64}$") throw new Error(`audit schema: the line pattern checks ${name} as ^[0-9a-f]{64}$, the schema now says ${APART[name]?.source}`);
}

/**
 * Whether the line matches the schema-derived pattern (exactly when matchPlainEntry does): such a
 * line is a schema-valid entry, so the compiled validator need not run on it (about twice the
 * pattern's cost on parsed JSON).
 */
export function isPlainLine(text: string): boolean {
  return PLAIN_LINE.test(text);
}

/** The chain fields of a plain canonical v1 line, or undefined when the line needs the full parse. */
export function matchPlainEntry(text: string): PlainEntryFields | undefined {
  const fields = matchChainLine(text);
  return fields && isLowerHex64(fields.hash) && isLowerHex64(fields.prev) ? fields : undefined;
}

/**
 * matchPlainEntry without its check of `hash` and `prev`: they are plain strings (their raw text
 * is their value) of unknown content. The line is schema-valid exactly when both pass
 * isLowerHex64 (or equal strings known to pass it); a caller must establish that before it
 * treats the line as an entry.
 */
export function matchChainLine(text: string): PlainEntryFields | undefined {
  const m = CHAIN_LINE.exec(text);
  if (!m) return undefined;
  return { action: m[G_ACTION] as string, hash: m[G_HASH] as string, prev: m[G_PREV] as string, seq: Number(m[G_SEQ]), ts: m[G_TS] as string, writer: m[G_WRITER] as string, hashAt: (m[1] as string).length };
}

// The same pattern for a line inside a text of many lines (see ChainChecker.lineIn): the group
// numbers are the same, since it is derived with the same options.
const { pattern: CHAIN_LINE_IN_TEXT } = buildLinePattern(auditEntrySchema, { captures: CAPTURED, splitAt: "hash", apart: ["hash", "prev"], inText: true });

/**
 * matchChainLine for the line that starts at `at` in `text` and ends at the next "\n" (which
 * must be there): the same fields, the same verdict, without a string of its own for the line.
 * The captured values are slices of `text`, so whoever keeps one keeps the whole text alive.
 */
export function matchChainLineAt(text: string, at: number): PlainEntryFields | undefined {
  CHAIN_LINE_IN_TEXT.lastIndex = at;
  const m = CHAIN_LINE_IN_TEXT.exec(text);
  if (!m) return undefined;
  return { action: m[G_ACTION] as string, hash: m[G_HASH] as string, prev: m[G_PREV] as string, seq: Number(m[G_SEQ]), ts: m[G_TS] as string, writer: m[G_WRITER] as string, hashAt: (m[1] as string).length };
}

/** `^[0-9a-f]{64}$` (the schema's hash and prev), by char codes. */
export function isLowerHex64(text: string): boolean {
  if (text.length !== 64) return false;
  for (let i = 0; i < 64; i++) {
    const c = text.charCodeAt(i);
    if (c > 0x66 || c < 0x30 || (c > 0x39 && c < 0x61)) return false;
  }
  return true;
}

/** Characters in a `,"hash":"…"` or `,"prev":"…"` member: the key, 64 hex digits and the closing quote. */
export const HASH_MEMBER_LENGTH = 74;

/**
 * Whether `text` holds `value` at `at`. For a hash this is several times faster than
 * `text.startsWith(value, at)`, which on Node 20's V8 compares character by character through a
 * generic path (about 600 ns for 64 characters, against 150 ns): `===` on the substring compares
 * memory, and the substring is only a view of `text`.
 */
export function hasAt(text: string, value: string, at: number): boolean {
  return text.substring(at, at + value.length) === value;
}

/**
 * The members `mon report` counts, captured from a plain canonical line (objects as their text).
 * A match plus isLowerHex64 of hash and prev means JSON.parse + the compiled validator would
 * accept the line with exactly these values, as for matchPlainEntry.
 */
const REPORTED = ["action", "actor", "amount", "category", "data", "hash", "ip", "outcome", "prev", "reason", "seq", "target", "tenant", "ts", "writer"] as const;
const { pattern: REPORT_LINE, groups: R } = buildLinePattern(auditEntrySchema, { captures: REPORTED, splitAt: "hash", apart: ["hash", "prev"] });
const R_AT = Object.fromEntries(REPORTED.map((name) => [name, R[name] as number])) as Record<(typeof REPORTED)[number], number>;

/** The chain fields of a matchReportLine result (what matchChainLine gives for the same line). */
export function chainFieldsOf(m: RegExpExecArray): PlainEntryFields {
  return { action: m[R_AT.action] as string, hash: m[R_AT.hash] as string, prev: m[R_AT.prev] as string, seq: Number(m[R_AT.seq]), ts: m[R_AT.ts] as string, writer: m[R_AT.writer] as string, hashAt: (m[1] as string).length };
}

/** Group numbers of the reported members in a matchReportLine result. */
export const REPORT_GROUPS = R_AT;

/**
 * The match of a plain canonical v1 line with its reported members at REPORT_GROUPS (undefined:
 * absent), or null when the line needs the full parse. `bytes`, the line's bytes when the caller
 * has them, lets an ASCII line's hash and prev be checked on the bytes (see hexMembersOf).
 */
export function matchReportLine(text: string, bytes?: Uint8Array): RegExpExecArray | null {
  const m = REPORT_LINE.exec(text);
  return m && hexMembersOf(m, text, bytes) ? m : null;
}

/**
 * matchReportLine without its check of `hash` and `prev` (as matchChainLine): a caller must prove
 * both before it reads the match as an entry. `mon report` with its verdict lets the chain
 * checker do so (ChainChecker.provedFields), which compares both with hashes it holds anyway.
 */
export function matchReportShape(text: string): RegExpExecArray | null {
  return REPORT_LINE.exec(text);
}

// The same pattern for a line inside a decoded window of many (see matchReportShapeAt): derived
// with the same options, so its group numbers are REPORT_GROUPS too.
const { pattern: REPORT_LINE_IN_TEXT } = buildLinePattern(auditEntrySchema, { captures: REPORTED, splitAt: "hash", apart: ["hash", "prev"], inText: true });

/**
 * matchReportShape for the line that starts at `at` in `text` and ends at the next "\n" (which
 * must be there): the same match, without a string of its own for the line. The captured values
 * are slices of `text`: whoever keeps one keeps the whole text alive (see ownString).
 */
export function matchReportShapeAt(text: string, at: number): RegExpExecArray | null {
  REPORT_LINE_IN_TEXT.lastIndex = at;
  return REPORT_LINE_IN_TEXT.exec(text);
}

/**
 * matchReportLine for an ASCII line inside a text of many: the line starts at `at` in `text`,
 * and its bytes at `bytesAt` in `bytes` (every character one byte, so offsets agree). A match
 * whose hash and prev are both `^[0-9a-f]{64}$`, or null when the line needs the full parse.
 */
export function matchReportLineAt(text: string, at: number, bytes: Uint8Array, bytesAt: number): RegExpExecArray | null {
  const m = matchReportShapeAt(text, at);
  return m && hexMembersAt(m, text, at, bytes, bytesAt) ? m : null;
}

/** hexMembersOf for a match at `at` in a text of ASCII lines: the line's bytes start at `bytesAt` in `bytes`. */
function hexMembersAt(m: RegExpExecArray, text: string, at: number, bytes: Uint8Array, bytesAt: number): boolean {
  const hash = m[R_AT.hash] as string;
  const prev = m[R_AT.prev] as string;
  if (hash.length !== 64 || prev.length !== 64) return false;
  const hashAt = at + (m[1] as string).length + HASH_VALUE_AT;
  // The line's own prev member follows its hash (canonical order), so the first key found after
  // the hash is in this line; it is confirmed to hold exactly the captured prev, as in hexMembersOf.
  const prevAt = text.indexOf(PREV_KEY, hashAt + 64) + PREV_KEY.length;
  if (prevAt < PREV_KEY.length || !hasAt(text, prev, prevAt)) return isLowerHex64(hash) && isLowerHex64(prev);
  return hexBytes64(bytes, bytesAt - at + hashAt) && hexBytes64(bytes, bytesAt - at + prevAt);
}

/** Characters of `,"hash":"` (where group 1 ends) before the hash's first digit. */
const HASH_VALUE_AT = ',"hash":"'.length;
const PREV_KEY = ',"prev":"';
/** 1 for the bytes of lower-case hex digits, 0 for every other byte. */
const HEX_DIGIT = new Uint8Array(256);
for (const c of "0123456789abcdef") HEX_DIGIT[c.charCodeAt(0)] = 1;

/**
 * Whether a matchReportShape result's hash and prev are `^[0-9a-f]{64}$`. On an ASCII line (as
 * many bytes as characters: then every character is one byte, so character and byte offsets
 * agree) both are checked on the bytes by a table, about a third of the cost of isLowerHex64's
 * charCodeAt loop on the captured substrings. The hash starts where group 1 ends; prev's place
 * is searched, then confirmed to hold exactly the captured prev before its bytes count as its
 * proof. Anything else (a non-ASCII line, no bytes) takes isLowerHex64.
 */
function hexMembersOf(m: RegExpExecArray, text: string, bytes: Uint8Array | undefined): boolean {
  const hash = m[R_AT.hash] as string;
  const prev = m[R_AT.prev] as string;
  if (hash.length !== 64 || prev.length !== 64) return false;
  if (bytes === undefined || bytes.length !== text.length) return isLowerHex64(hash) && isLowerHex64(prev);
  const hashAt = (m[1] as string).length + HASH_VALUE_AT;
  const prevAt = text.indexOf(PREV_KEY, hashAt + 64) + PREV_KEY.length;
  if (prevAt < PREV_KEY.length || !hasAt(text, prev, prevAt)) return isLowerHex64(hash) && isLowerHex64(prev);
  return hexBytes64(bytes, hashAt) && hexBytes64(bytes, prevAt);
}

function hexBytes64(bytes: Uint8Array, at: number): boolean {
  if (at + 64 > bytes.length) return false;
  let all = 1;
  for (let i = at; i < at + 64; i++) all &= HEX_DIGIT[bytes[i] as number] as number;
  return all === 1;
}
