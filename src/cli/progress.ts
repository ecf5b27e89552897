import type { Output } from "./output.js";

/**
 * The one progress line of long byte-counting work (`mon verify`, `mon report`) on stderr:
 * "label… 42% of 380 MB", redrawn at most every 200 ms, only when stderr is a terminal and not
 * under --quiet (or when the work is too small to be worth a line). `clear()` erases it before
 * the results are printed.
 */
export interface Progress {
  update(label: string, done: number, total: number): void;
  clear(): void;
}

export function createProgress(output: Output, options: { enabled?: boolean; minTotalBytes?: number } = {}): Progress {
  const enabled = output.stderrIsTTY && !output.quiet && options.enabled !== false;
  let shown = 0;
  return {
    update(label, done, total) {
      if (!enabled || total < (options.minTotalBytes ?? 0) || Date.now() - shown < 200) return;
      shown = Date.now();
      process.stderr.write(`\r${label}… ${Math.floor((done / Math.max(total, 1)) * 100)}% of ${(total / 1e6).toFixed(0)} MB`);
    },
    clear() {
      if (shown > 0) process.stderr.write("\r\x1b[K");
      shown = 0;
    },
  };
}
