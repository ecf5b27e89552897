import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { scanPiece, type ScanResult, type ScanTask } from "./scan.js";

/**
 * The one worker pool of the scan engine (verify, report). The calling thread takes pieces from
 * the same queue as its `threads - 1` workers: it is already running with the scanner loaded, so
 * it starts at once while the workers boot, and no core waits on an idle coordinator. Small
 * inputs stay on the calling thread: starting a worker costs more than reading a few megabytes.
 */
const WORKER_URL = new URL("./scan-worker.js", import.meta.url);

/** Below this much input, starting worker threads costs more than it saves. */
export const PARALLEL_MIN_BYTES = 16 * 1024 * 1024;

/**
 * Scanning allocates a short-lived string per line. The limit leaves V8 room to grow a worker's
 * young generation, which it does only while much survives a scavenge.
 */
const WORKER_LIMITS = { maxYoungGenerationSizeMb: 96 };

/** Workers started ahead of need, idle and not keeping the process alive until taken. */
const spares: Worker[] = [];

/** Whether the compiled worker exists (it does not when the TypeScript sources run directly, e.g. in unit tests). */
export function workersAvailable(): boolean {
  return existsSync(fileURLToPath(WORKER_URL));
}

/**
 * Threads to scan on, the calling one included: `auto` uses every core for large inputs and only
 * the calling thread for small ones; never more threads than tasks.
 */
export function resolveJobs(jobs: number | "auto" | undefined, totalBytes: number, tasks: number): number {
  const wanted = plannedThreads(jobs, totalBytes);
  // Run inline when the compiled worker is not there (e.g. tests running the TypeScript sources).
  if (wanted <= 1 || tasks <= 1 || !workersAvailable()) return 1;
  return Math.min(wanted, tasks);
}

/** Threads a scan of `totalBytes` is meant to run on, before its pieces are cut (resolveJobs caps it by them). */
export function plannedThreads(jobs: number | "auto" | undefined, totalBytes: number): number {
  return jobs === undefined || jobs === "auto" ? (totalBytes >= PARALLEL_MIN_BYTES ? availableParallelism() : 1) : jobs;
}

/**
 * Starts `count` workers now, so that they boot on the other cores while the CLI is still loading
 * and planning: a worker takes tens of milliseconds to start, the CLI about as long to get to its
 * first piece. Unused ones cost nothing but that start, and never hold the process open.
 */
export function prestartScanWorkers(count: number): void {
  if (!workersAvailable()) return;
  while (spares.length < count) {
    const worker = new Worker(WORKER_URL, { resourceLimits: WORKER_LIMITS });
    worker.unref();
    // A spare that fails to start is dropped; the pool then starts a fresh one when it needs it.
    worker.once("error", () => {
      const at = spares.indexOf(worker);
      if (at !== -1) spares.splice(at, 1);
    });
    spares.push(worker);
  }
}

function takeWorker(): Worker {
  const worker = spares.shift() ?? new Worker(WORKER_URL, { resourceLimits: WORKER_LIMITS });
  worker.ref();
  return worker;
}

/**
 * Scans every task on `threads` threads and returns the results in task order. `onDone` sees each
 * result as it arrives (for progress). Dispatch stops early once a piece reports that a key is
 * required, since nothing after it can be checked.
 */
export async function runScan(tasks: ScanTask[], threads: number, onDone?: (index: number, result: ScanResult) => void): Promise<(ScanResult | undefined)[]> {
  const results: (ScanResult | undefined)[] = new Array(tasks.length).fill(undefined);
  const queue = tasks.map((_task, index) => index);
  const finish = (index: number, result: ScanResult) => {
    results[index] = result;
    onDone?.(index, result);
    if (result.verify?.keyRequired) queue.length = 0;
  };
  const workers = Array.from({ length: Math.max(0, threads - 1) }, takeWorker);
  // A failed worker fails the run: empty the queue so that the other threads stop after their piece.
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

/** Stops the spares nobody took. */
async function stopSpareWorkers(): Promise<void> {
  await Promise.all(spares.splice(0).map((worker) => worker.terminate()));
}

async function drainHere(tasks: ScanTask[], queue: number[], finish: (index: number, result: ScanResult) => void): Promise<void> {
  for (let index = queue.shift(); index !== undefined; index = queue.shift()) finish(index, await scanPiece(tasks[index] as ScanTask));
}

type Reply = { id: number; ok: true; result: ScanResult } | { id: number; ok: false; error: string };

function drain(worker: Worker, tasks: ScanTask[], queue: number[], finish: (index: number, result: ScanResult) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const next = () => {
      const id = queue.shift();
      if (id === undefined) return resolve();
      worker.postMessage({ id, task: tasks[id] });
    };
    worker.on("message", (message: Reply) => {
      if (!message.ok) return reject(new Error(`scan worker failed: ${message.error}`));
      finish(message.id, message.result);
      next();
    });
    worker.once("error", reject);
    worker.once("exit", (code) => (code === 0 ? resolve() : reject(new Error(`scan worker exited with code ${code}`))));
    next();
  });
}
