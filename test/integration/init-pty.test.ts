import { spawn } from "node:child_process";
import { appendFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { copyFixture, MON_BIN } from "../helpers/cli.js";

// The interactive path in a real pseudo-terminal: util-linux `script` gives the CLI a TTY on
// stdin/stdout, and the test answers each prompt when its text appears.
type Step = [prompt: RegExp, keys: string];

async function drive(cwd: string, args: string[], steps: Step[]): Promise<{ output: string; code: number | null }> {
  const env: NodeJS.ProcessEnv = { ...process.env, TERM: "xterm", NO_COLOR: "1", FORCE_COLOR: "0" };
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

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

describe("mon init in a terminal", () => {
  it("asks for tenants, their source and the features, and writes the answers", async () => {
    const { dir, cleanup } = await copyFixture("host-ts-esm");
    cleanups.push(cleanup);
    const { output, code } = await drive(dir, ["init", "--skip-install"], [
      [/Tenant ids/, "EUR,KM\r"],
      [/tenant come from/, "header:x-shop\r"],
      // Uncheck the audit trail (third item): down twice, space, enter.
      [/Set up/, "\u001b[B\u001b[B \r"],
      // Personal data: keep the IP, uncheck the user agent (second item).
      [/Personal data/, "\u001b[B \r"],
      [/Profile CPU/, "\r"],
      // The route-rule checklist: untick the first proposal (the license fetch), keep the deposit.
      [/Route rules/, " \r"],
    ]);
    expect(code, output).toBe(0);
    const config = JSON.parse(readFileSync(join(dir, "mon.config.json"), "utf8")) as {
      tenants: { values: string[]; from: string; currency: Record<string, string> };
      audit: { enabled: boolean };
      sentry: { enabled: boolean; pii: string; sendUserAgent: boolean; profiling?: boolean };
    };
    expect(config.tenants).toEqual({ values: ["EUR", "KM"], from: "header:x-shop", currency: { EUR: "EUR", KM: "BAM" } });
    expect(config.audit.enabled).toBe(false);
    expect(config.sentry).toMatchObject({ enabled: true, pii: "ip", sendUserAgent: false });
    expect(config.sentry.profiling).toBeUndefined();
    expect((config as unknown as { events: Record<string, unknown> }).events).toEqual({
      "POST /api/wallet/deposit": { event: "wallet.deposit", amount: "body.amountMinor", amountUnit: "minor" },
    });
    expect(output).toContain("CREATE");
    expect(output).toContain("- GET /api/licenses/:id → license.accessed (target params.id)");
  }, 60_000);

  it("asks before overwriting a file the user changed, and keeps it on no", async () => {
    const { dir, cleanup } = await copyFixture("host-js-esm");
    cleanups.push(cleanup);
    const answers: Step[] = [[/Tenant ids/, "EUR\r"], [/tenant come from/, "header:x-shop\r"], [/Set up/, "\r"], [/Personal data/, "\r"], [/Profile CPU/, "\r"], [/Route rules/, "\r"]];
    expect((await drive(dir, ["init", "--skip-install"], answers)).code).toBe(0);
    const file = join(dir, "src", "middleware", "monitoring.js");
    appendFileSync(file, "// mine\n");
    // The answers are in mon.config.json now: the re-run asks only about the changed file.
    const { output, code } = await drive(dir, ["init", "--skip-install"], [[/\(y\/N\)/, "n\r"]]);
    expect(output).not.toContain("Tenant ids");
    expect(output).not.toContain("Route rules for business events");
    expect(code, output).toBe(1);
    expect(readFileSync(file, "utf8")).toContain("// mine");
  }, 60_000);
});
