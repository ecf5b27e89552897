import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";

export interface StartedProcess {
  child: ChildProcess;
  /** Everything the child wrote to stdout and stderr so far. */
  output: () => string;
  /** Sends SIGTERM to this child only (by PID) and waits for it to exit, SIGKILL after a grace period. */
  stop: () => Promise<void>;
}

/**
 * Starts a real process and resolves once a line of its output matches `ready`. Tests stop only
 * the processes they started, by PID.
 */
export async function startProcess(
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; ready: RegExp; timeoutMs?: number },
): Promise<StartedProcess> {
  const child = spawn(command, args, { cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: ["ignore", "pipe", "pipe"] });
  let buffer = "";
  const output = () => buffer;
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, "exit");
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
    await exited;
    clearTimeout(timer);
  };
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`process did not become ready (${options.ready}) within ${options.timeoutMs ?? 20000} ms:\n${buffer}`));
    }, options.timeoutMs ?? 20000);
    const onData = (chunk: Buffer) => {
      buffer += chunk.toString();
      if (options.ready.test(buffer)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`process exited early (code ${code}, signal ${signal}):\n${buffer}`));
    });
  });
  return { child, output, stop };
}
