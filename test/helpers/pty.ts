import { spawn } from "node:child_process";
import { expect } from "vitest";
import { MON_BIN } from "./cli.js";

/**
 * Runs the built CLI in a real pseudo-terminal: util-linux `script` gives it a TTY on stdin and
 * stdout, and the test answers each prompt when its text appears.
 */
export type Step = [prompt: RegExp, keys: string];

export async function drive(cwd: string, args: string[], steps: Step[], extraEnv: NodeJS.ProcessEnv = {}): Promise<{ output: string; code: number | null }> {
  const env: NodeJS.ProcessEnv = { ...process.env, TERM: "xterm", NO_COLOR: "1", FORCE_COLOR: "0", ...extraEnv };
  delete env.CI;
  const command = [process.execPath, MON_BIN, ...args].map((part) => `'${part}'`).join(" ");
  const child = spawn("script", ["-qfec", command, "/dev/null"], { cwd, env, stdio: ["pipe", "pipe", "pipe"] });
  let output = "";
  let consumed = 0;
  let step = 0;
  const onData = (chunk: Buffer) => {
    output += chunk.toString();
    // Answer a prompt only once, when its text shows up after the previous answer.
    while (step < steps.length && steps[step]![0].test(output.slice(consumed))) {
      consumed = output.length;
      child.stdin.write(steps[step]![1]);
      step += 1;
    }
  };
  child.stdout.on("data", onData);
  child.stderr.on("data", onData);
  const code = await new Promise<number | null>((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    child.on("exit", (exitCode) => {
      clearTimeout(timer);
      resolve(exitCode);
    });
  });
  expect(step, `answered ${step} of ${steps.length} prompts; output:\n${output}`).toBe(steps.length);
  return { output, code };
}
