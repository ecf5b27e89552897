import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream } from "node:fs";
import { MonwireError } from "../errors.js";

/**
 * A process `mon demo` started (the shop, Prometheus). Its output goes to a log file and is kept
 * in memory for error messages; it is stopped by its PID only — SIGTERM, then SIGKILL after a
 * grace period — and, should mon itself exit first (Ctrl-C, a crash), killed on the way out.
 */
export interface DemoChild {
  name: string;
  pid: number;
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
  /** Stops it and waits for it to exit. Idempotent. */
  stop(): Promise<void>;
  readonly exited: boolean;
}

export interface StartChildOptions {
  name: string;
  command: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  logFile: string;
  /** Started once a line of output matches. */
  ready: RegExp;
  readyTimeoutMs: number;
  graceMs?: number;
}

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

/**
 * Stops what is still running when mon exits early (Ctrl-C, a crash): the demo never leaves
 * processes behind. SIGTERM, because mon cannot wait any more and both the shop and Prometheus
 * shut down cleanly on it.
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
  const log = createWriteStream(options.logFile, { flags: "a" });
  const child = spawn(options.command, options.args, { cwd: options.cwd, env: options.env, stdio: ["ignore", "pipe", "pipe"] });
  running.add(child);
  let buffer = "";
  const onData = (chunk: Buffer) => {
    log.write(chunk);
    // Only the start matters for readiness and the end for errors: keep memory bounded.
    buffer = (buffer + chunk.toString("utf8")).slice(-64_000);
  };
  child.stdout?.on("data", onData);
  child.stderr?.on("data", onData);
  const exit = new Promise<void>((resolve) => child.once("close", () => {
    running.delete(child);
    log.end();
    resolve();
  }));
  child.once("error", (error) => {
    buffer += `\n${error.message}`;
  });

  const handle: DemoChild = {
    name: options.name,
    pid: child.pid ?? -1,
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
      await exit;
    },
  };

  const failed = (why: string) =>
    new MonwireError("E_DEMO_FAILED", `${options.name} ${why}`, {
      exitCode: 70,
      hint: `Its last output (full log: ${options.logFile}):\n${tail(buffer) || "(nothing)"}`,
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
    });
  } catch (error) {
    await handle.stop();
    throw error;
  }
  return handle;
}
