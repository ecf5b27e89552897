import { AUDIT_CATEGORIES } from "./categories.js";
import { ACTION_PATTERN, AUDIT_OUTCOME_VALUES } from "./entry.js";

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

// One regular expression for the plainest canonical lines: every field in sorted key order, no
// escapes or control characters in strings, and a flat `data` object. For such a line it is
// exactly validateAuditEntry's rules, so a match means JSON.parse + validateAuditEntry would
// accept the line with these values (a parity test checks that on mutated lines). irregexp runs
// it in about a third of JSON.parse's time, and the object is never built. Lines it does not
// match take the full path, so anything unusual is judged by the reference code.
const STR = String.raw`[^"\\\u0000-\u001f]*`;
const NONEMPTY = String.raw`[^"\\\u0000-\u001f]+`;
const NUMBER = String.raw`-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?`;
const VALUE = `(?:"${STR}"|${NUMBER}|true|false|null)`;
const FLAT_OBJECT = `\\{(?:"${STR}":${VALUE}(?:,"${STR}":${VALUE})*)?\\}`;
const TS = String.raw`\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{3}Z`;
const HEX64 = "[0-9a-f]{64}";
const optional = (key: string, value: string) => `(?:,"${key}":${value})?`;
const string = `"${STR}"`;

const PLAIN_ENTRY = new RegExp(
  [
    `^(\\{"action":"(${ACTION_PATTERN.source.slice(1, -1).replace(/\((?!\?)/g, "(?:")})"`,
    `,"actor":\\{"id":${string}(?:,"role":${string})?,"type":"(?:user|service|system|anonymous)"\\}`,
    optional("amount", String.raw`\{"currency":"[A-Z]{3}","minor":-?(?:0|[1-9]\d{0,14})\}`),
    optional("branch", string),
    `,"category":"(?:${AUDIT_CATEGORIES.join("|")})"`,
    optional("data", FLAT_OBJECT),
    // The group opened at ^ ends here: its length is where the hash member starts.
    ")",
    `,"hash":"(${HEX64})"`,
    optional("ip", string),
    `,"outcome":"(?:${AUDIT_OUTCOME_VALUES.join("|")})"`,
    `,"prev":"(${HEX64})"`,
    optional("reason", string),
    optional("request_id", string),
    String.raw`,"seq":([1-9]\d{0,14})`,
    optional("target", `\\{"id":${string},"type":${string}\\}`),
    `,"tenant":"${NONEMPTY}"`,
    optional("truncated", `\\[(?:${string}(?:,${string})*)?\\]`),
    `,"ts":"(${TS})"`,
    optional("tx_id", string),
    optional("user_agent", string),
    `,"v":1,"writer":"(${NONEMPTY})"\\}$`,
  ].join(""),
);

/** The chain fields of a plain canonical v1 line, or undefined when the line needs the full parse. */
export function matchPlainEntry(text: string): PlainEntryFields | undefined {
  const m = PLAIN_ENTRY.exec(text);
  if (!m) return undefined;
  // The pattern bounds every part of ts (years 0000-9999, day <= 31, ...), and V8's Date.parse
  // accepts all such strings (Feb 30 rolls over), so validateAuditEntry's Date.parse check cannot
  // fail on a match; the unit parity test pins that, and skipping it saves a call per line.
  return { action: m[2] as string, hash: m[3] as string, prev: m[4] as string, seq: Number(m[5]), ts: m[6] as string, writer: m[7] as string, hashAt: (m[1] as string).length };
}

const ACTION_PREFIX = '{"action":"';
/** Characters in a `,"hash":"…"` or `,"prev":"…"` member: the key, 64 hex digits and the closing quote. */
export const HASH_MEMBER_LENGTH = 74;
/** Where the 64 hex digits start within such a member. */
export const HASH_VALUE_OFFSET = 9;
const HASH_VALUE_END = HASH_MEMBER_LENGTH - 1;
const HASH_MEMBER = ',"hash":"';
const PREV_MEMBER = ',"prev":"';
const SEQ_MEMBER = ',"seq":';
const TS_MEMBER = ',"ts":"';
const WRITER_SUFFIX = ',"v":1,"writer":"';

/** Where the chain members of a canonical line are, as character offsets into its text. */
export interface ChainFieldOffsets {
  /** End of the action's value (it starts right after `{"action":"`). */
  actionEnd: number;
  /** The `,` that starts the top-level `,"hash":"…"` member (74 characters). */
  hashAt: number;
  /** The `,` that starts `,"prev":"…"` (74 characters). */
  prevAt: number;
  seq: number;
  /** Start of the ts value. */
  tsAt: number;
  /** The writer's value is text[writerAt, text.length - 2). */
  writerAt: number;
}

export function newChainFieldOffsets(): ChainFieldOffsets {
  return { actionEnd: 0, hashAt: 0, prevAt: 0, seq: 0, tsAt: 0, writerAt: 0 };
}

/**
 * Finds the chain members of a canonical line by position alone and stores their offsets in
 * `at`, for a line whose HMAC is then checked: nothing is copied out of the text. No schema
 * check: a signature that verifies proves a key holder wrote these exact bytes, and the only key
 * holder that writes lines is monwire's writer, which validates every entry first. Lines whose
 * signature does not verify take the full path, which explains them. False when the line does
 * not have this shape.
 *
 * Only structure is relied on, and only forward searches (V8's indexOf is much faster than
 * lastIndexOf). In JSON text `,"` never occurs inside a string (a quote in a string is escaped),
 * so each member searched for is a key. Canonical key order puts the top-level `hash` right after
 * `data`, the one free-form object; should the first `hash` found be one nested in `data`, the
 * wrong bytes are cut and the signature fails. After the top-level `hash` lie only strings, the
 * enums and `target`, which the writer writes as exactly {id, type}: so the next `prev`, `seq`,
 * `ts` and `v`+`writer` members found are the top-level ones.
 */
export function locateChainFields(text: string, at: ChainFieldOffsets): boolean {
  const end = text.length - 2;
  if (!text.startsWith(ACTION_PREFIX) || text.charCodeAt(end) !== 0x22 || text.charCodeAt(end + 1) !== 0x7d) return false;
  const actionEnd = text.indexOf('"', ACTION_PREFIX.length);
  const hashAt = text.indexOf(HASH_MEMBER, actionEnd);
  if (actionEnd === -1 || hashAt === -1 || text.charCodeAt(hashAt + HASH_VALUE_END) !== 0x22) return false;
  const prevAt = text.indexOf(PREV_MEMBER, hashAt + HASH_MEMBER_LENGTH);
  if (prevAt === -1 || text.charCodeAt(prevAt + HASH_VALUE_END) !== 0x22) return false;
  const seqAt = text.indexOf(SEQ_MEMBER, prevAt + HASH_MEMBER_LENGTH);
  const seq = seqAt === -1 ? undefined : readSeq(text, seqAt + SEQ_MEMBER.length);
  if (seq === undefined) return false;
  const tsAt = text.indexOf(TS_MEMBER, seqAt + SEQ_MEMBER.length) + TS_MEMBER.length;
  const tsEnd = text.indexOf('"', tsAt);
  const writerAt = text.indexOf(WRITER_SUFFIX, tsEnd) + WRITER_SUFFIX.length;
  if (tsAt < TS_MEMBER.length || tsEnd === -1 || writerAt < WRITER_SUFFIX.length || writerAt >= end) return false;
  // An escape would make the raw characters differ from the string's value. Most lines have no
  // backslash at all, which one search of the whole line (memchr) settles.
  if (text.indexOf('"', writerAt) !== end) return false;
  if (text.indexOf("\\", ACTION_PREFIX.length) !== -1 && (hasEscapeBetween(text, writerAt, end) || hasEscapeBetween(text, ACTION_PREFIX.length, actionEnd) || hasEscapeBetween(text, tsAt, tsEnd))) return false;
  at.actionEnd = actionEnd;
  at.hashAt = hashAt;
  at.prevAt = prevAt;
  at.seq = seq;
  at.tsAt = tsAt;
  at.writerAt = writerAt;
  return true;
}

/** The chain fields at the offsets locateChainFields found, as strings. */
export function chainFieldsAt(text: string, at: ChainFieldOffsets): PlainEntryFields {
  return {
    action: text.slice(ACTION_PREFIX.length, at.actionEnd), ts: text.slice(at.tsAt, text.indexOf('"', at.tsAt)), writer: text.slice(at.writerAt, text.length - 2),
    seq: at.seq, prev: text.slice(at.prevAt + HASH_VALUE_OFFSET, at.prevAt + HASH_VALUE_END), hash: text.slice(at.hashAt + HASH_VALUE_OFFSET, at.hashAt + HASH_VALUE_END), hashAt: at.hashAt,
  };
}

/**
 * Whether `text` holds `value` at `at`. For a hash this is several times faster than
 * `text.startsWith(value, at)`, which on Node 20's V8 compares character by character through a
 * generic path (about 600 ns for 64 characters, against 150 ns): `===` on the substring compares
 * memory, and the substring is only a view of `text`.
 */
export function hasAt(text: string, value: string, at: number): boolean {
  return text.substring(at, at + value.length) === value;
}

/** Whether the action at the offsets locateChainFields found is `action`, compared in place. */
export function actionIs(text: string, at: ChainFieldOffsets, action: string): boolean {
  return at.actionEnd === ACTION_PREFIX.length + action.length && text.startsWith(action, ACTION_PREFIX.length);
}

function hasEscapeBetween(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (text.charCodeAt(i) === 0x5c) return true;
  return false;
}

/**
 * A positive safe integer written at `at` and followed by a comma, as canonical JSON writes seq.
 * Computed digit by digit (exact below 2^53): a small seq stays a small integer for V8, where
 * Number() of a slice would allocate, and could hand the chain state a heap number.
 */
function readSeq(text: string, at: number): number | undefined {
  let seq = 0;
  let i = at;
  for (let c = text.charCodeAt(i); c >= 0x30 && c <= 0x39; c = text.charCodeAt(++i)) seq = seq * 10 + (c - 0x30);
  if (i === at || i - at > 16 || text.charCodeAt(at) === 0x30 || text.charCodeAt(i) !== 0x2c) return undefined;
  return Number.isSafeInteger(seq) ? seq : undefined;
}
