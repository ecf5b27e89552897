import { parentPort } from "node:worker_threads";
import { scanTask, type ScanTask } from "./report-scan.js";

/**
 * Worker thread of the report pool: scans the pieces it is sent, one at a time, and posts each
 * piece's aggregate back (Maps survive structured cloning). An error is posted, not thrown, so
 * the pool can fail the report with the real message.
 */
parentPort?.on("message", (message: { id: number; task: ScanTask }) => {
  scanTask(message.task).then(
    (result) => parentPort?.postMessage({ id: message.id, result }),
    (error: unknown) => parentPort?.postMessage({ id: message.id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
  );
});
