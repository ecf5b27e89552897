/**
 * A line's `ts` as a number that orders like the string, read from its characters. Comparing the
 * strings themselves cost `mon report` about a tenth of its time: a captured `ts` is a slice of
 * its line, and V8 compares such strings through a generic runtime path (~100 ns), where this
 * reads 17 digits. The number is hour × 3,600,000 + the milliseconds into the hour, where the
 * hour counts from year 0 with every month taken as 31 days (so it orders like the text's first 13
 * characters). The schema admits only `YYYY-MM-DDTHH:MM:SS.mmmZ` with months, days, hours,
 * minutes and seconds in range, so a matched `ts` is read by its digits alone (matchedTimeKey);
 * timeKeyOf checks the form first and gives -1 for any other text.
 */

import { auditEntrySchema } from "./entry-schema.js";

/** The schema's `ts`, which the line pattern embeds: a matched `ts` has exactly this form. */
const TS_PATTERN = String.raw`^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{3}Z$`;
// matchedTimeKey relies on it; should the schema change it, the module refuses to load rather
// than let the report misread a time the pattern then admits.
if (auditEntrySchema.properties.ts?.pattern !== TS_PATTERN) throw new Error(`audit schema: the report reads ts as ${TS_PATTERN}, the schema now says ${auditEntrySchema.properties.ts?.pattern}`);

/** The digits of `text` from `at` for `count` characters, or -1 when one is not a digit. */
function digits(text: string, at: number, count: number): number {
  let value = 0;
  for (let i = at; i < at + count; i++) {
    const digit = text.charCodeAt(i) - 0x30;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

/** The number of a canonical `ts` (see above), or -1 for any other text. */
export function timeKeyOf(text: string): number {
  if (
    text.length !== 24 || text.charCodeAt(4) !== 0x2d || text.charCodeAt(7) !== 0x2d || text.charCodeAt(10) !== 0x54 ||
    text.charCodeAt(13) !== 0x3a || text.charCodeAt(16) !== 0x3a || text.charCodeAt(19) !== 0x2e || text.charCodeAt(23) !== 0x5a
  ) return -1;
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 2);
  const day = digits(text, 8, 2);
  const hour = digits(text, 11, 2);
  const minute = digits(text, 14, 2);
  const second = digits(text, 17, 2);
  const ms = digits(text, 20, 3);
  if (year < 0 || month < 1 || month > 12 || day < 1 || day > 31 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59 || ms < 0) return -1;
  return (((year * 12 + month - 1) * 31 + day - 1) * 24 + hour) * HOUR + (minute * 60 + second) * 1000 + ms;
}

/** timeKeyOf of a `ts` the line pattern matched (so of the schema's form), reading only its digits. */
export function matchedTimeKey(ts: string): number {
  const at = (i: number) => ts.charCodeAt(i) - 0x30;
  const year = at(0) * 1000 + at(1) * 100 + at(2) * 10 + at(3);
  const month = at(5) * 10 + at(6);
  const day = at(8) * 10 + at(9);
  const hour = at(11) * 10 + at(12);
  const msIn = ((at(14) * 10 + at(15)) * 60 + at(17) * 10 + at(18)) * 1000 + at(20) * 100 + at(21) * 10 + at(22);
  return (((year * 12 + month - 1) * 31 + day - 1) * 24 + hour) * HOUR + msIn;
}

/** Milliseconds in an hour: timeKeyOf(ts) / HOUR, rounded down, numbers the hour. */
export const HOUR = 3_600_000;
