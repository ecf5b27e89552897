import { availableParallelism } from "node:os";
import type { Worker } from "node:worker_threads";
import { verifySegment } from "./verify-segment.js";
import type { SegmentResult, SegmentTask } from "./verify-types.js";
import { stopSpareWorkers, takeVerifyWorker, workersAvailable } from "./verify-workers.js";

/** Below this much input, starting worker threads costs more than it saves. */
export const PARALLEL_MIN_BYTES = 16 * 1024 * 1024;

/**
 * Threads that verify, the calling one included: `auto` uses every core for large inputs and only
 * the calling thread for small ones; never more threads than tasks.
 */
export function resolveJobs(jobs: number | "auto" | undefined, totalBytes: number, tasks: number): number {
  const wanted = jobs === undefined || jobs === "auto" ? (totalBytes >= PARALLEL_MIN_BYTES ? availableParallelism() : 1) : jobs;
  // Run inline when the compiled worker is not there (e.g. tests running the TypeScript sources).
  if (wanted <= 1 || tasks <= 1 || !workersAvailable()) return 1;
  return Math.min(wanted, tasks);
}

/**
 * Verifies every task on `threads` threads and returns the results in task order: the calling
 * thread takes tasks from the same queue as its `threads - 1` workers. It is already running with
 * the verifier loaded, so it starts at once while the workers boot, and no core waits on an idle
 * coordinator. `onDone` sees each result as it arrives (for progress). Dispatch stops early once a
 * segment reports that a key is required, since nothing after it can be checked.
 */
export async function runSegments(tasks: SegmentTask[], threads: number, onDone?: (index: number, result: SegmentResult) => void): Promise<(SegmentResult | undefined)[]> {
  const results: (SegmentResult | undefined)[] = new Array(tasks.length).fill(undefined);
  const queue = tasks.map((_task, index) => index);
  const finish = (index: number, result: SegmentResult) => {
    results[index] = result;
    onDone?.(index, result);
    if (result.keyRequired) queue.length = 0;
  };
  const workers = Array.from({ length: Math.max(0, threads - 1) }, takeVerifyWorker);
  // A failed worker fails the run: empty the queue so that the other threads stop after their task.
  const abandon = (error: unknown): never => {
    queue.length = 0;
    throw error;
  };
  try {
    await Promise.all([drainHere(tasks, queue, finish), ...workers.map((worker) => drain(worker, tasks, queue, finish).catch(abandon))]);
  } finally {
    await Promise.all([...workers.map((worker) => worker.terminate()), stopSpareWorkers()]);
  }
  return results;
}

async function drainHere(tasks: SegmentTask[], queue: number[], finish: (index: number, result: SegmentResult) => void): Promise<void> {
  for (let index = queue.shift(); index !== undefined; index = queue.shift()) finish(index, await verifySegment(tasks[index] as SegmentTask));
}

function drain(worker: Worker, tasks: SegmentTask[], queue: number[], finish: (index: number, result: SegmentResult) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    let current = -1;
    const next = () => {
      const index = queue.shift();
      if (index === undefined) return resolve();
      current = index;
      worker.postMessage(tasks[index]);
    };
    worker.on("message", (message: { ok: true; result: SegmentResult } | { ok: false; error: string }) => {
      if (!message.ok) return reject(new Error(`verify worker failed: ${message.error}`));
      finish(current, message.result);
      next();
    });
    worker.once("error", reject);
    worker.once("exit", (code) => (code === 0 ? resolve() : reject(new Error(`verify worker exited with code ${code}`))));
    next();
  });
}
