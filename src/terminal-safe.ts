/**
 * Text from the audit trail, a scraped endpoint or a corrupt file is attacker-chosen: a tenant
 * route parameter `%1B%5D0%3Bpwned%07` reaches the operator's terminal as a real escape sequence
 * (window title rewritten, screen cleared, `ESC[8m` hiding "TAMPERED"), and a bidi override
 * (U+202E) makes `gpj.exe` read as `exe.jpg`. Every human output runs such text through these
 * functions, which turn each dangerous character into a visible escape (`\x1b`, `\u202e`) and
 * leave everything else, including ordinary non-ASCII text, as it is. Machine outputs (JSON,
 * NDJSON) stay exact and never go through here.
 *
 * This module lives at the root of src/ and imports nothing, so the CLI, the probe and audit
 * renderers, and the runtime may all use it without breaking the import rules.
 *
 * A backslash is not escaped: `\x1b` typed literally and an escaped ESC look alike, which costs
 * nothing in safety, and escaping every backslash would garble ordinary text.
 */

/**
 * C0 controls, DEL, C1 controls; soft hyphen; Arabic letter mark; Mongolian vowel separator;
 * zero-width space/non-joiner/joiner, LRM, RLM; line and paragraph separator; bidi embeddings and
 * overrides (U+202A–202E); word joiner and invisible operators (U+2060–2064); bidi isolates
 * (U+2066–2069) and the deprecated format controls after them; BOM / zero-width no-break space;
 * interlinear annotation controls.
 */
const UNSAFE_CLASS = "\\u0000-\\u001f\\u007f-\\u009f\\u00ad\\u061c\\u180e\\u200b-\\u200f\\u2028-\\u202e\\u2060-\\u2064\\u2066-\\u206f\\ufeff\\ufff9-\\ufffb";
const UNSAFE = new RegExp(`[${UNSAFE_CLASS}]`);
const UNSAFE_ALL = new RegExp(`[${UNSAFE_CLASS}]`, "g");
/** The same set without newline and tab, for multi-line text whose line structure is ours. */
const UNSAFE_IN_LINES = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]/;
const UNSAFE_IN_LINES_ALL = new RegExp(UNSAFE_IN_LINES.source, "g");

function visible(char: string): string {
  const code = char.charCodeAt(0);
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
}

/** One value (a tenant, a user name, a file name) made safe for a terminal; newlines are escaped too. */
export function escapeTerminal(text: string): string {
  return UNSAFE.test(text) ? text.replace(UNSAFE_ALL, visible) : text;
}

/** Multi-line text (a message, a hint) made safe for a terminal, keeping its newlines and tabs. */
export function escapeTerminalLines(text: string): string {
  return UNSAFE_IN_LINES.test(text) ? text.replace(UNSAFE_IN_LINES_ALL, visible) : text;
}

/** Whether `text` holds a character escapeTerminal() would change. */
export function hasUnsafeCharacters(text: string): boolean {
  return UNSAFE.test(text);
}

/**
 * A copy of a plain data value (a report object) with every string escaped by escapeTerminal(),
 * so a renderer cannot forget a field. Numbers, booleans and null are kept; object keys are
 * escaped too, since some reports key maps by attacker-chosen values. `keepLines` keeps newlines
 * and tabs, for formats that escape newlines in their own syntax (GitHub commands, XML).
 */
export function escapeTerminalDeep<T>(value: T, options: { keepLines?: boolean } = {}): T {
  const escape = options.keepLines ? escapeTerminalLines : escapeTerminal;
  const walk = (item: unknown): unknown => {
    if (typeof item === "string") return escape(item);
    if (Array.isArray(item)) return item.map(walk);
    if (typeof item !== "object" || item === null) return item;
    const copy: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(item)) copy[escapeTerminal(key)] = walk(inner);
    return copy;
  };
  return walk(value) as T;
}

/**
 * An untrusted value for human output: escaped, and cut to `max` characters with an ellipsis so
 * one request cannot flood a report row.
 */
export function capTerminal(text: string, max: number): string {
  const chars = [...text];
  const cut = chars.length > max ? `${chars.slice(0, max).join("")}…` : text;
  return escapeTerminal(cut);
}
