import type { AuditEntry } from "./entry.js";
import { validateAuditEntry } from "./entry.js";
import { MAX_LINE_BYTES } from "./lines.js";

/**
 * What one line of a day file is. A crashed writer can leave a *fragment* (the start of an entry
 * cut off mid-write); the next writer either closes it with "\n" (a fragment line) or, when it
 * did not see it, appends right after it (a fragment glued to the front of a complete entry:
 * `entryOffset` says where the entry starts). Both are crash artifacts, not edits: they remove no
 * acknowledged entry, and chain checks still catch anything that is missing.
 */
export type ParsedLine =
  | { kind: "entry"; entry: AuditEntry; text: string; entryOffset: number }
  | { kind: "invalid"; value: unknown; text: string; entryOffset: number; problems: string[] }
  | { kind: "fragment"; text: string }
  | { kind: "corrupt"; text: string; error: string }
  | { kind: "blank" };

/** Every canonical entry starts with this: `action` sorts first among the required keys. */
const ENTRY_START = '{"action":';

/** Classifies one line (without its "\n"); `validate: false` skips the schema check for speed. */
export function parseAuditLine(text: string, options: { validate?: boolean } = {}): ParsedLine {
  if (text.length === 0 || text.trim().length === 0) return { kind: "blank" };
  const parsed = tryParse(text);
  if (parsed.ok) return classify(parsed.value, text, 0, options.validate !== false);
  // A fragment glued to the front of a complete entry: the entry starts at a later ENTRY_START.
  // Fragments always begin at a line start, so they begin with "{" too.
  const glued = text.startsWith("{") ? text.indexOf(ENTRY_START, 1) : -1;
  for (let at = glued; at !== -1; at = text.indexOf(ENTRY_START, at + 1)) {
    const rest = tryParse(text.slice(at));
    if (rest.ok && isObject(rest.value)) return classify(rest.value, text, at, options.validate !== false);
  }
  if (isFragment(text)) return { kind: "fragment", text };
  return { kind: "corrupt", text, error: parsed.error };
}

/**
 * The start of an entry cut off mid-write: begins like a JSON object but never closes. A line
 * that ends in `}` yet does not parse was edited, not torn.
 */
export function isFragment(text: string): boolean {
  const trimmed = text.trimEnd();
  return trimmed.startsWith("{") && !trimmed.endsWith("}");
}

function classify(value: unknown, text: string, entryOffset: number, validate: boolean): ParsedLine {
  const problems = validate ? validateAuditEntry(value) : isObject(value) ? [] : ["entry is not a JSON object"];
  if (problems.length > 0) return { kind: "invalid", value, text, entryOffset, problems };
  return { kind: "entry", entry: value as AuditEntry, text, entryOffset };
}

function tryParse(text: string): { ok: true; value: unknown } | { ok: false; error: string } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Whether an unterminated final line (`length` bytes, `text` its decoded start) can be a write
 * cut short by a crash, which is reported but is not tampering: it must be the start of an entry
 * (`{"`, or the lone `{` of a write cut after one byte), no longer than any line a writer makes,
 * and free of raw control characters (canonical JSON escapes them all). Anything else at a
 * file's end, such as garbage or 100 MB without a newline, was put there: tampering.
 */
export function isTornPrefix(text: string, length: number): boolean {
  if (length > MAX_LINE_BYTES) return false;
  if (text !== "{" && !text.startsWith('{"')) return false;
  return !CONTROL.test(text);
}

const CONTROL = /[\u0000-\u001f]/;
