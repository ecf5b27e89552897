import { escapedByte } from "./parse-utf8.js";

/**
 * Number grammars of the two exposition formats, and Go's `%q` quoting so that text-format
 * errors read exactly like promtool's (`expected float as value, got "abc"`).
 */

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const INFINITY = /^[+-]?(inf|infinity)$/i;

/**
 * `strconv.ParseFloat(s, 64)` as expfmt calls it: decimal, `Inf`/`Infinity` with a sign, bare
 * `NaN` (case-insensitive); hex floats and `_` are refused by expfmt before Go sees them, and
 * a value overflowing float64 is an error (Go returns ErrRange).
 */
export function parseGoFloat(text: string): number | undefined {
  if (/[pP_]/.test(text)) return undefined;
  if (INFINITY.test(text)) return text.startsWith("-") ? -Infinity : Infinity;
  if (/^nan$/i.test(text)) return Number.NaN;
  if (!DECIMAL.test(text)) return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** `strconv.ParseInt(s, 10, 64)`: the text format's millisecond timestamps. */
export function parseGoInt64(text: string): number | undefined {
  if (!/^[+-]?\d+$/.test(text)) return undefined;
  const value = BigInt(text);
  if (value < INT64_MIN || value > INT64_MAX) return undefined;
  return Number(value);
}

/**
 * OpenMetrics 1.0 `number`: a real number (digits, optional fraction, optional exponent),
 * `+Inf`/`-Inf`/`Infinity` in any case, or `NaN`.
 */
export function parseOmNumber(text: string): number | undefined {
  if (INFINITY.test(text)) return text.startsWith("-") ? -Infinity : Infinity;
  if (/^nan$/i.test(text)) return Number.NaN;
  if (!DECIMAL.test(text)) return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}

/** OpenMetrics timestamps: a real number of seconds (no Inf/NaN). */
export function parseOmTimestamp(text: string): number | undefined {
  if (!DECIMAL.test(text)) return undefined;
  const seconds = Number(text);
  return Number.isFinite(seconds) ? Math.round(seconds * 1000) : undefined;
}

const GO_ESCAPES: Record<string, string> = {
  "\x07": "\\a",
  "\b": "\\b",
  "\f": "\\f",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
  "\v": "\\v",
  "\\": "\\\\",
};

function escapeGoChar(ch: string, quote: string): string {
  if (ch === quote) return `\\${quote}`;
  const known = GO_ESCAPES[ch];
  if (known) return known;
  const code = ch.codePointAt(0) ?? 0;
  const byte = escapedByte(code);
  if (byte !== undefined) return `\\x${byte.toString(16).padStart(2, "0")}`;
  if (code < 0x20 || code === 0x7f) return `\\x${code.toString(16).padStart(2, "0")}`;
  return ch;
}

/** Go's `%q` of a string (printable characters stay as they are). */
export function goQuote(text: string): string {
  let out = '"';
  for (const ch of text) out += escapeGoChar(ch, '"');
  return `${out}"`;
}

/** Go's `%q` of a single byte, as in `found 'b'`. */
export function goQuoteChar(ch: string): string {
  return `'${escapeGoChar(ch, "'")}'`;
}
