import { createTwoFilesPatch } from "../vendor/diff.js";
import type { FileChange } from "./types.js";

/**
 * Unified diffs for the preview. CRLF files are diffed on normalised line breaks (the diff says
 * so) to keep the terminal readable; the bytes written keep their CRLF.
 */
export function unifiedDiff(change: FileChange, context = 3): string {
  const before = change.before ?? "";
  const after = change.after ?? "";
  const crlf = /\r\n/.test(before) || /\r\n/.test(after);
  const normalise = (text: string) => text.replace(/\r\n/g, "\n");
  const patch = createTwoFilesPatch(
    change.before === undefined ? "/dev/null" : `a/${change.path}`,
    change.after === undefined ? "/dev/null" : `b/${change.path}`,
    normalise(before),
    normalise(after),
    undefined,
    crlf ? "(CRLF line endings kept)" : undefined,
    { context },
  );
  // Drop the "Index:" / "====" preamble that jsdiff adds; keep the ---/+++ headers and hunks.
  return patch.split("\n").filter((line, i) => !(i < 2 && (line.startsWith("Index:") || line.startsWith("====")))).join("\n");
}

/** Lines added and removed, for the summary line of each change. */
export function diffStats(change: FileChange): { added: number; removed: number } {
  let added = 0;
  let removed = 0;
  for (const line of unifiedDiff(change, 0).split("\n")) {
    if (line.startsWith("+") && !line.startsWith("+++")) added += 1;
    if (line.startsWith("-") && !line.startsWith("---")) removed += 1;
  }
  return { added, removed };
}
