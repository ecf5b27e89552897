import { readdirSync } from "node:fs";
import { join } from "node:path";
import { FIXTURES } from "./cli.js";

/**
 * The exposition-rule corpus: `openmetrics/<rule>.valid*.om` and `.invalid*.om`, the same for
 * `text/<rule>…prom`, one rule of spec-rules.ts per file name.
 */
export const SPEC_CORPUS = join(FIXTURES, "exposition", "spec");

export function corpusFiles(): string[] {
  return ["openmetrics", "text"].flatMap((dir) => readdirSync(join(SPEC_CORPUS, dir)).sort().map((f) => `${dir}/${f}`));
}
