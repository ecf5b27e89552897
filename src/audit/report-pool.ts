import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { splitAtLines } from "./verify-segment.js";
import { scanTask, type ScanResult, type ScanTask } from "./report-scan.js";

/**
 * Spreads the report's scanning over the machine's cores. Large plain files are cut into byte
 * ranges at line boundaries (one per core), `.gz` files are one piece each (a gzip stream cannot
 * be entered in the middle), and the pieces run on a small pool of worker threads. Small inputs
 * stay on the main thread: starting a worker costs more than reading a few megabytes.
 */
export interface PoolOptions {
  /** Bytes of input from which workers are used (default 16 MiB). */
  parallelFrom?: number;
  /** Worker count; defaults to the available cores (at most the number of pieces). */
  workers?: number;
  /** Called as each piece finishes (for progress). */
  onDone?: (index: number) => void;
}

const DEFAULT_PARALLEL_FROM = 16 * 1024 * 1024;
/** Files below this stay one piece. */
const SPLIT_FROM_BYTES = 8 * 1024 * 1024;

/** Byte ranges (at line boundaries, via the verifier's splitter) giving each core a share of a big plain file. */
export async function planRanges(path: string, size: number, cores = availableParallelism()): Promise<Array<{ start: number; end: number }>> {
  if (cores <= 1 || size < SPLIT_FROM_BYTES) return [{ start: 0, end: size }];
  const ranges = await splitAtLines(path, size, Math.ceil(size / cores));
  return ranges.map(([start, end]) => ({ start, end }));
}

const WORKER_FILE = fileURLToPath(new URL("./report-worker.js", import.meta.url));

/** Worker threads the pool will start for this input: 0 runs on the main thread. */
export function workerCount(tasks: number, totalBytes: number, options: PoolOptions = {}): number {
  const cores = options.workers ?? availableParallelism();
  // The compiled worker is missing when the TypeScript sources run directly (unit tests): stay inline.
  if (tasks < 2 || cores < 2 || totalBytes < (options.parallelFrom ?? DEFAULT_PARALLEL_FROM) || !existsSync(WORKER_FILE)) return 0;
  return Math.min(cores, tasks);
}

/** Runs the pieces and returns their results in the same order. */
export async function runScanTasks(tasks: ScanTask[], totalBytes: number, options: PoolOptions = {}): Promise<ScanResult[]> {
  const workers = workerCount(tasks.length, totalBytes, options);
  if (workers === 0) {
    const results: ScanResult[] = [];
    for (const [index, task] of tasks.entries()) {
      results.push(await scanTask(task));
      options.onDone?.(index);
    }
    return results;
  }
  return runOnWorkers(WORKER_FILE, tasks, workers, options.onDone);
}

async function runOnWorkers(workerFile: string, tasks: ScanTask[], count: number, onDone?: (index: number) => void): Promise<ScanResult[]> {
  const results = new Array<ScanResult>(tasks.length);
  const workers = Array.from({ length: count }, () => new Worker(workerFile));
  let next = 0;
  try {
    await Promise.all(workers.map((worker) => new Promise<void>((resolve, reject) => {
      const feed = () => {
        if (next >= tasks.length) return resolve();
        const id = next++;
        worker.postMessage({ id, task: tasks[id] });
      };
      worker.on("message", (message: { id: number; result?: ScanResult; error?: string }) => {
        if (message.error !== undefined || !message.result) return reject(new Error(`report worker failed: ${message.error}`));
        results[message.id] = message.result;
        onDone?.(message.id);
        feed();
      });
      worker.once("error", reject);
      worker.once("exit", (code) => (next < tasks.length || code !== 0 ? reject(new Error(`report worker exited with code ${code}`)) : undefined));
      feed();
    })));
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
  return results;
}
