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

// The plainest canonical lines are matched by one regular expression derived from the line
// schema (schema-line-pattern.ts): a match means JSON.parse + validateAuditEntry would accept the
// line with these values (a parity test checks that on mutated lines). irregexp runs it in about
// a third of JSON.parse's time, and the object is never built. Lines it does not match take the
// full path, so anything unusual is judged by the compiled schema itself.
const { pattern: PLAIN_ENTRY, groups: G } = buildLinePattern(auditEntrySchema, { captures: ["action", "hash", "prev", "seq", "ts", "writer"], splitAt: "hash" });
const [G_ACTION, G_HASH, G_PREV, G_SEQ, G_TS, G_WRITER] = ["action", "hash", "prev", "seq", "ts", "writer"].map((name) => G[name] as number) as [number, number, number, number, number, number];

/** The same pattern without captures: `test` allocates nothing. */
const PLAIN_LINE = new RegExp(PLAIN_ENTRY.source.replace(/(?<!\\)\((?!\?)/g, "(?:"));

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
  const m = PLAIN_ENTRY.exec(text);
  if (!m) return undefined;
  return { action: m[G_ACTION] as string, hash: m[G_HASH] as string, prev: m[G_PREV] as string, seq: Number(m[G_SEQ]), ts: m[G_TS] as string, writer: m[G_WRITER] as string, hashAt: (m[1] as string).length };
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
