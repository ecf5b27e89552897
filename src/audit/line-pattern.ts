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
