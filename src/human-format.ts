/**
 * Numbers for people, the same in every command: counts grouped by thousands ("2,806"), nouns
 * that agree with their count ("1 file", "3 files"), sizes in kB/MB ("404.8 kB"). Grouping uses
 * en-US on purpose: output must not change with the host's locale, or scripts and tests that
 * read it would. Machine outputs (JSON) keep plain numbers.
 *
 * At the root of src/ and importing nothing, so audit, probe, cli and demo code can all use it.
 */
const grouped = new Intl.NumberFormat("en-US");

export function formatCount(value: number): string {
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
