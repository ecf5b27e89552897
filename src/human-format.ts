/**
 * Numbers for people, the same in every command: counts grouped by thousands ("2,806"), nouns
 * that agree with their count ("1 file", "3 files"), sizes in kB/MB ("404.8 kB"). Grouping uses
 * en-US on purpose: output must not change with the host's locale, or scripts and tests that
 * read it would. Machine outputs (JSON) keep plain numbers.
 *
 * At the root of src/ and importing nothing, so audit, probe, cli and demo code can all use it.
 */
let grouped: Intl.NumberFormat | undefined;

export function formatCount(value: number): string {
  // Whole numbers (every count) are grouped here: building an Intl.NumberFormat loads ICU's
  // locale data, about 20 ms of CPU at the start of every command that prints a count.
  if (Number.isSafeInteger(value) && !Object.is(value, -0)) {
    const digits = String(Math.abs(value));
    let out = digits.slice(0, ((digits.length - 1) % 3) + 1);
    for (let at = out.length; at < digits.length; at += 3) out += `,${digits.slice(at, at + 3)}`;
    return value < 0 ? `-${out}` : out;
  }
  grouped ??= new Intl.NumberFormat("en-US");
  return grouped.format(value);
}

/** "1 file", "2,806 entries": `pluralForm` for irregular nouns (default: add "s"). */
export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${formatCount(count)} ${count === 1 ? singular : pluralForm}`;
}

const UNITS = ["B", "kB", "MB", "GB", "TB"];

/** 912 B, 404.8 kB, 12.3 MB (powers of 1024, one decimal above bytes). */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${formatCount(bytes)} B` : `${value.toFixed(1)} ${UNITS[unit]}`;
}
