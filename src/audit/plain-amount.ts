/**
 * A plain line's amount read by position. The line pattern admits an amount only as
 * `{"currency":"EUR","minor":1500}` (keys sorted, three upper-case letters, an integer of at most
 * 15 digits), and JSON.parse of that member was a tenth of the report's time. Each reader checks
 * the shape it relies on, so a pattern that one day admits more falls back to JSON.parse
 * instead of being misread.
 */
import { auditEntrySchema } from "./entry-schema.js";

const HEAD = '{"currency":"';
const MINOR_KEY = '","minor":';
/** Where the three letters of the currency start. */
export const CURRENCY_AT = HEAD.length;
const MINOR_AT = CURRENCY_AT + 3 + MINOR_KEY.length;
const SHAPE = `${HEAD}AAA${MINOR_KEY}`;

/**
 * The minor units of an amount member of exactly that shape, whose currency is then the three
 * letters at CURRENCY_AT; undefined for any other text (the caller parses it).
 */
export function readAmountMinor(text: string): number | undefined {
  const end = text.length - 1;
  if (end <= MINOR_AT || text.charCodeAt(end) !== 0x7d) return undefined;
  for (let i = 0; i < MINOR_AT; i++) {
    const c = text.charCodeAt(i);
    if (i >= CURRENCY_AT && i < CURRENCY_AT + 3 ? c < 0x41 || c > 0x5a : c !== SHAPE.charCodeAt(i)) return undefined;
  }
  const negative = text.charCodeAt(MINOR_AT) === 0x2d;
  const from = negative ? MINOR_AT + 1 : MINOR_AT;
  // JSON's integer: no leading zero except for 0 itself; at most 15 digits keeps it exact.
  if (end - from < 1 || end - from > 15 || (end - from > 1 && text.charCodeAt(from) === 0x30)) return undefined;
  let value = 0;
  for (let i = from; i < end; i++) {
    const digit = text.charCodeAt(i) - 0x30;
    if (digit < 0 || digit > 9) return undefined;
    value = value * 10 + digit;
  }
  return negative ? -value : value;
}

/**
 * The minor units of an amount the line pattern matched, whose shape the schema fixes (checked
 * when this module loads): only the sign and digits after `"minor":` are read.
 */
export function matchedAmountMinor(text: string): number {
  const end = text.length - 1;
  const negative = text.charCodeAt(MINOR_AT) === 0x2d;
  let value = 0;
  for (let i = negative ? MINOR_AT + 1 : MINOR_AT; i < end; i++) value = value * 10 + text.charCodeAt(i) - 0x30;
  return negative ? -value : value;
}

// matchedAmountMinor relies on the line pattern admitting amounts only as
// {"currency":"<3 upper-case letters>","minor":<integer>}: the schema's amount must be exactly
// that object, or the module refuses to load rather than misread an amount.
const amount = auditEntrySchema.properties.amount;
const members = amount?.properties ?? {};
if (
  amount?.type !== "object" || Object.keys(members).sort().join() !== "currency,minor" || [...(amount.required ?? [])].sort().join() !== "currency,minor" ||
  members.currency?.type !== "string" || members.currency.pattern !== "^[A-Z]{3}$" || members.minor?.type !== "integer"
) {
  throw new Error("audit schema: the report reads amount as {currency: ^[A-Z]{3}$, minor: integer}, the schema now says otherwise");
}

/** The amount as an object, by position when it has the plain shape, else by JSON.parse. */
export function readAmount(text: string): unknown {
  const minor = readAmountMinor(text);
  return minor === undefined ? JSON.parse(text) : { currency: text.substring(CURRENCY_AT, CURRENCY_AT + 3), minor };
}
