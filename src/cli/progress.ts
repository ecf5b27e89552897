import type { Output } from "./output.js";

/**
 * The one progress line of the commands that scan the trail (`mon verify`, `mon report`): on a
 * TTY stderr only, never under --quiet or when `hidden`, at most every 200 ms, and only for
 * input of `minBytes` or more. `done()` erases it, so the result starts on a clean line.
 */
export interface ProgressLine {
  update(label: string, doneBytes: number, totalBytes: number): void;
  done(): void;
}

export function createProgressLine(output: Output, options: { hidden?: boolean; minBytes?: number } = {}): ProgressLine {
  const enabled = output.stderrIsTTY && !output.quiet && !options.hidden;
  let shown = 0;
  return {
    update(label, doneBytes, totalBytes) {
      if (!enabled || totalBytes < (options.minBytes ?? 0) || Date.now() - shown < 200) return;
      shown = Date.now();
      process.stderr.write(`\r${label}… ${Math.floor((doneBytes / Math.max(totalBytes, 1)) * 100)}% of ${(totalBytes / 1e6).toFixed(0)} MB`);
    },
    done() {
      if (shown > 0) process.stderr.write("\r\x1b[K");
      shown = 0;
    },
  };
}
