import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, type WriteStream } from "node:fs";
import { MonwireError } from "../errors.js";

/**
 * A process started and waited for until ready: the demo's shop and Prometheus, and every app the
 * tests start. Its output is kept in memory (and in a log file when asked); it is stopped by its
 * PID only — SIGTERM, then SIGKILL after a grace period — and, should mon itself exit first
 * (Ctrl-C, a crash), killed on the way out.
 */
export interface DemoChild {
  name: string;
  pid: number;
  /** The process itself, for callers that signal it or read its exit code. */
  child: ChildProcess;
  /** Everything it printed so far (stdout and stderr), or its last `keepOutputChars` characters. */
  output(): string;
  /** Stops it and waits for it to exit. Idempotent. */
  stop(): Promise<void>;
  readonly exited: boolean;
}

export interface StartChildOptions {
  name: string;
  command: string;
  args: string[];
  cwd?: string;
  env: NodeJS.ProcessEnv;
  /** Appends the output to this file too. */
  logFile?: string;
  /** Started once the output so far matches. */
  ready: RegExp;
  readyTimeoutMs: number;
  graceMs?: number;
  /** Output kept in memory (default: all of it). A long-running child keeps only its end. */
  keepOutputChars?: number;
}

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

/**
 * Stops what is still running when mon exits early (Ctrl-C, a crash): nothing is left behind.
 * SIGTERM, because mon cannot wait any more and the children shut down cleanly on it.
 */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", () => {
    for (const child of running) {
      if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
        try {
          process.kill(child.pid, "SIGTERM");
        } catch {
          // Already gone.
        }
      }
    }
  });
}

const tail = (text: string) => text.split("\n").slice(-15).join("\n");

export async function startChild(options: StartChildOptions): Promise<DemoChild> {
  installExitHook();
  const log: WriteStream | undefined = options.logFile ? createWriteStream(options.logFile, { flags: "a" }) : undefined;
  const child = spawn(options.command, options.args, { cwd: options.cwd, env: options.env, stdio: ["ignore", "pipe", "pipe"] });
  running.add(child);
  const keep = options.keepOutputChars ?? Number.POSITIVE_INFINITY;
  let buffer = "";
  const onData = (chunk: Buffer) => {
    log?.write(chunk);
    buffer += chunk.toString("utf8");
    if (buffer.length > keep) buffer = buffer.slice(-keep);
  };
  child.stdout?.on("data", onData);
  child.stderr?.on("data", onData);
  const exit = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  // Output still in the pipes after the exit is flushed by "close"; a grandchild holding the pipes
  // open must not keep stop() waiting, so close is awaited only briefly.
  const closed = new Promise<void>((resolve) => child.once("close", () => {
    running.delete(child);
    log?.end();
    resolve();
  }));
  child.once("error", (error) => {
    buffer += `\n${error.message}`;
  });

  const handle: DemoChild = {
    name: options.name,
    pid: child.pid ?? -1,
    child,
    output: () => buffer,
    get exited() {
      return child.exitCode !== null || child.signalCode !== null;
    },
    async stop() {
      if (!handle.exited && child.pid !== undefined) {
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), options.graceMs ?? 6000);
        await exit;
        clearTimeout(timer);
      }
      if (child.pid !== undefined) await exit;
      await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 1000).unref())]);
    },
  };

  const failed = (why: string) =>
    new MonwireError("E_DEMO_FAILED", `${options.name} ${why}`, {
      exitCode: 70,
      hint: `Its last output${options.logFile ? ` (full log: ${options.logFile})` : ""}:\n${tail(buffer) || "(nothing)"}`,
    });
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(failed(`did not start within ${options.readyTimeoutMs / 1000} s`)), options.readyTimeoutMs);
      const check = () => {
        if (!options.ready.test(buffer)) return;
        clearTimeout(timer);
        resolve();
      };
      child.stdout?.on("data", check);
      child.stderr?.on("data", check);
      child.once("close", (code, signal) => {
        clearTimeout(timer);
        reject(failed(`exited before it was ready (code ${code}, signal ${signal})`));
      });
      child.once("error", (error) => {
        clearTimeout(timer);
        reject(failed(`could not be started: ${error.message}`));
      });
    });
  } catch (error) {
    await handle.stop();
    throw error;
  }
  return handle;
}
