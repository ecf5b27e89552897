import type { Anchor } from "../audit/anchor.js";
import { formatBytes, formatCount, plural } from "../human-format.js";
import { EMPTY_RUN_MIN } from "./render-verify.js";

/**
 * `mon seal` for people: one line per sealed day, except that a run of days without events
 * (sealing after a long gap writes one anchor per empty day) is one line unless `verbose`.
 */
export function renderSealed(sealed: readonly Anchor[], options: { verbose?: boolean } = {}): string[] {
  const lines: string[] = [];
  const empty = (a: Anchor | undefined) => a !== undefined && a.files.length === 0;
  for (let i = 0; i < sealed.length; i++) {
    let end = i;
    while (!options.verbose && empty(sealed[end])) end += 1;
    const first = sealed[i] as Anchor;
    if (end - i >= EMPTY_RUN_MIN) {
      const last = sealed[end - 1] as Anchor;
      lines.push(`sealed ${first.day} … ${last.day}: ${formatCount(end - i)} days without events (${first.alg}; --verbose lists each)`);
      i = end - 1;
      continue;
    }
    const file = first.files[0];
    const what = file ? `${plural(file.lines, "line")}, ${formatBytes(file.bytes)}, ${plural(first.writers.length, "writer")}` : "no events";
    lines.push(`sealed ${first.day}: ${what} (${first.alg})`);
  }
  return lines;
}
