import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";

const WORKER_URL = new URL("./verify-worker.js", import.meta.url);

/**
 * Verification allocates a short-lived string per line. The limit leaves V8 room to grow a
 * worker's young generation, which it does only while much survives a scavenge.
 */
const WORKER_LIMITS = { maxYoungGenerationSizeMb: 96 };

/** Workers started ahead of need, idle and not keeping the process alive until taken. */
const spares: Worker[] = [];

/** Whether the compiled worker exists (it does not when the TypeScript sources run directly, e.g. in unit tests). */
export function workersAvailable(): boolean {
  return existsSync(fileURLToPath(WORKER_URL));
}

/**
 * Starts `count` verify workers now, so that they boot on the other cores while the CLI is still
 * loading and planning: a worker takes tens of milliseconds to start, the CLI about as long to get
 * to its first task. Unused ones cost nothing but that start, and never hold the process open.
 */
export function prestartVerifyWorkers(count: number): void {
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

/** A started worker (a spare if any), holding the process open until terminated. */
export function takeVerifyWorker(): Worker {
  const worker = spares.shift() ?? new Worker(WORKER_URL, { resourceLimits: WORKER_LIMITS });
  worker.ref();
  return worker;
}

/** Stops the spares nobody took. */
export async function stopSpareWorkers(): Promise<void> {
  await Promise.all(spares.splice(0).map((worker) => worker.terminate()));
}
