import type { ChildProcess } from "node:child_process";
import { startChild } from "../../src/demo/child.js";
import { isMonwireError } from "../../src/errors.js";

export interface StartedProcess {
  child: ChildProcess;
  /** Everything the child wrote to stdout and stderr so far. */
  output: () => string;
  /** Sends SIGTERM to this child only (by PID) and waits for it to exit, SIGKILL after a grace period. */
  stop: () => Promise<void>;
}

/**
 * Starts a real process and resolves once its output matches `ready`: the same starter `mon demo`
 * uses, keeping all the output. Tests stop only the processes they started, by PID.
 */
export async function startProcess(
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; ready: RegExp; timeoutMs?: number },
): Promise<StartedProcess> {
  try {
    const started = await startChild({
      name: [command, ...args].join(" "), command, args, env: { ...process.env, ...options.env },
      ...(options.cwd ? { cwd: options.cwd } : {}),
      ready: options.ready, readyTimeoutMs: options.timeoutMs ?? 20000, graceMs: 5000,
    });
    return { child: started.child, output: started.output, stop: started.stop };
  } catch (error) {
    // A test failure shows the message, not the hint: the child's output belongs in the message.
    if (isMonwireError(error)) throw new Error(`${error.message}\n${error.hint ?? ""}`, { cause: error });
    throw error;
  }
}
