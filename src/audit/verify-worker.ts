import { parentPort } from "node:worker_threads";
import { verifySegment } from "./verify-segment.js";
import type { SegmentTask } from "./verify-types.js";

/** Worker-thread entry for `mon verify`: verifies the segments it is sent, one at a time. */
parentPort?.on("message", (task: SegmentTask) => {
  verifySegment(task).then(
    (result) => parentPort?.postMessage({ ok: true, result }),
    (error: unknown) => parentPort?.postMessage({ ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
  );
});
