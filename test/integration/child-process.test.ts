import { describe, expect, it } from "vitest";
import { startChild } from "../../src/demo/child.js";
import { isMonwireError } from "../../src/errors.js";
import { startProcess } from "../helpers/process.js";

const node = process.execPath;
const PRINT_THEN_WAIT = "process.stdout.write('x'.repeat(5000) + ' ready\\n'); setInterval(() => {}, 1000);";

describe("the one process starter (mon demo and the tests)", () => {
  it("keeps all the output by default, or only its end when asked, and stops the child by PID", async () => {
    const all = await startChild({ name: "all", command: node, args: ["-e", PRINT_THEN_WAIT], env: process.env, ready: /ready/, readyTimeoutMs: 10_000 });
    const end = await startChild({ name: "end", command: node, args: ["-e", PRINT_THEN_WAIT], env: process.env, ready: /ready/, readyTimeoutMs: 10_000, keepOutputChars: 100 });
    expect(all.output()).toHaveLength(5007);
    expect(end.output()).toBe(`${"x".repeat(93)} ready\n`);
    await Promise.all([all.stop(), end.stop()]);
    expect([all.exited, end.exited, all.child.signalCode]).toEqual([true, true, "SIGTERM"]);
  });

  it("fails with the child's output when it exits before it is ready, and when it cannot start", async () => {
    const early = await startChild({ name: "early", command: node, args: ["-e", "console.error('bad port'); process.exit(3)"], env: process.env, ready: /ready/, readyTimeoutMs: 10_000 }).catch((e: unknown) => e);
    expect(isMonwireError(early) && [early.message, early.hint]).toEqual(["early exited before it was ready (code 3, signal null)", "Its last output:\nbad port\n"]);
    const missing = await startChild({ name: "missing", command: "/nonexistent/monwire-test-binary", args: [], env: process.env, ready: /ready/, readyTimeoutMs: 10_000 }).catch((e: unknown) => e);
    expect(isMonwireError(missing) && missing.message).toMatch(/^missing (could not be started: spawn \/nonexistent\/monwire-test-binary ENOENT|exited before it was ready)/);
  });

  it("gives the tests an Error whose message carries the output", async () => {
    const error = await startProcess(node, ["-e", "console.log('listening nowhere'); process.exit(1)"], { ready: /never/ }).catch((e: unknown) => e as Error);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toContain("listening nowhere");
  });
});
