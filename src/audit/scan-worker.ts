import { parentPort } from "node:worker_threads";
import { scanPiece, type ScanTask } from "./scan.js";

/**
 * Worker-thread entry of the scan pool (verify, report): scans the pieces it is sent, one at a
 * time, and posts each result back. An error is posted, not thrown, so the pool fails the run
 * with the real message.
 */
parentPort?.on("message", (message: { id: number; task: ScanTask }) => {
  scanPiece(message.task).then(
    (result) => parentPort?.postMessage({ id: message.id, ok: true, result }),
    (error: unknown) => parentPort?.postMessage({ id: message.id, ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
  );
});
