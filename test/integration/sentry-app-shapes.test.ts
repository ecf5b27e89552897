import { execa } from "execa";
import { readFile, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyFixture, REPO_ROOT, runMon } from "../helpers/cli.js";
import { startProcess, type StartedProcess } from "../helpers/process.js";
import { startSentryReceiver, type SentryReceiver } from "../helpers/sentry-receiver.js";
import { eventWith, firstEvent, installMonwireInto } from "./sentry-app.js";

// A real-world CommonJS layout whose error middleware is imported by name from another file:
// `mon init` must put monitoring.errorHandler before it, the error must reach Sentry and
// api_errors_total{kind="exception"}, and `mon check` must prove that at runtime — and fail when
// the handler sits where it never runs. Also: where the app gets its DSN from (`.env`).
const TOKEN = "probe-token-7f3a9c";
const FIXTURE = "host-cjs-imported-errors";

describe("an app whose error middleware is imported (CommonJS)", () => {
  let host: { dir: string; cleanup: () => Promise<void> };
  let receiver: SentryReceiver;

  beforeAll(async () => {
    host = await copyFixture(FIXTURE);
    await execa("git", ["init", "-q"], { cwd: host.dir });
    const init = await runMon(["init", "--yes", "--skip-install", "--no-audit", "--tenants", "EUR,KM", "--tenant-from", "header:x-shop"], { cwd: host.dir });
    expect(init.exitCode, String(init.stderr)).toBe(0);
    await installMonwireInto(host.dir);
    await symlink(join(REPO_ROOT, "node_modules", "@sentry"), join(host.dir, "node_modules", "@sentry"));
    receiver = await startSentryReceiver();
  }, 120_000);
  afterAll(async () => {
    await receiver?.close();
    await host?.cleanup();
  });

  const start = (env: Record<string, string | undefined> = {}): Promise<StartedProcess> =>
    startProcess(process.execPath, ["src/index.js"], {
      cwd: host.dir,
      env: { PORT: "0", SENTRY_DSN: receiver.dsn(), MONWIRE_METRICS_TOKEN: TOKEN, NODE_ENV: undefined, ...env },
      ready: /listening on http:\/\/127\.0\.0\.1:\d+/,
    });
  const baseOf = (app: StartedProcess) => `http://127.0.0.1:${/listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(app.output())![1]}`;
  const check = (base: string, extra: string[] = []) =>
    runMon(["check", "--only", "sentry", "--url", `${base}/metrics`, "--json", ...extra], { cwd: host.dir, env: { MONWIRE_METRICS_TOKEN: TOKEN, SENTRY_DSN: receiver.dsn() } });
  const result = (stdout: unknown, id: string) => (JSON.parse(String(stdout)) as { checks: Array<{ id: string; status: string; summary: string }> }).checks.find((c) => c.id === id);

  it("init puts monitoring.errorHandler before the imported errorConverter and says why", async () => {
    const app = await readFile(join(host.dir, "src", "app.js"), "utf8");
    expect(app.indexOf("app.use(monitoring.errorHandler);")).toBeGreaterThan(app.indexOf("app.use('/v1', routes);"));
    expect(app.indexOf("app.use(monitoring.errorHandler);")).toBeLessThan(app.indexOf("app.use(errorConverter);"));
  });

  it("a route's error reaches Sentry and api_errors_total{kind=exception}; mon check's probe passes and reports nothing to Sentry", async () => {
    const app = await start();
    try {
      const base = baseOf(app);
      const res = await fetch(`${base}/v1/licenses/5/activate`, { method: "POST", headers: { "x-shop": "KM" } });
      expect(res.status).toBe(500);
      const event = firstEvent(await receiver.waitFor(eventWith("license 5 could not be activated")));
      expect(event.tags).toMatchObject({ tenant: "KM" });
      const metrics = await (await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).text();
      expect(metrics).toMatch(/api_errors_total\{[^}]*kind="exception"[^}]*\} 1/);

      const run = await check(base);
      expect(result(run.stdout, "sentry.error-handler")).toMatchObject({ status: "pass" });
      // Without the token the probe header is an ordinary request.
      const anonymous = await fetch(`${base}/metrics`, { method: "POST", headers: { "x-monwire-probe": "error-handler" } });
      expect(anonymous.headers.get("x-monwire-probe")).toBeNull();
    } finally {
      await app.stop();
    }
    expect(receiver.allText()).not.toContain("error-handler probe");
  });

  it("mon check fails (exit 1) when monitoring.errorHandler sits after the app's error handler", async () => {
    const file = join(host.dir, "src", "app.js");
    const wired = await readFile(file, "utf8");
    const region = /\/\/ monwire:begin error-handler\n[^]*?\/\/ monwire:end error-handler\n/.exec(wired)![0];
    await writeFile(file, wired.replace(region, "").replace("app.use(errorHandler);\n", `app.use(errorHandler);\n${region}`));
    const app = await start();
    try {
      const run = await check(baseOf(app));
      expect(run.exitCode).toBe(1);
      expect(result(run.stdout, "sentry.error-handler")).toMatchObject({ status: "fail" });
      expect(result(run.stdout, "sentry.error-handler")!.summary).toContain("never reached monitoring.errorHandler");
    } finally {
      await app.stop();
      await writeFile(file, wired);
    }
  });

  it("mon check: DSN only in .env passes (exit 0); absent, or .env not loaded, fails (exit 1)", async () => {
    const offline = (env: Record<string, string | undefined>) => runMon(["check", "--only", "sentry", "--offline", "--json"], { cwd: host.dir, env: { SENTRY_DSN: undefined, ...env } });
    await writeFile(join(host.dir, ".env"), `SENTRY_DSN=${receiver.dsn()}\n`);
    const present = await offline({});
    expect(present.exitCode, String(present.stdout)).toBe(0);
    expect(result(present.stdout, "sentry.dsn-source")!.summary).toContain(".env, loaded by monwire's instrument file");

    const configPath = join(host.dir, "mon.config.json");
    const config = JSON.parse(await readFile(configPath, "utf8")) as { sentry?: Record<string, unknown> };
    await writeFile(configPath, JSON.stringify({ ...config, sentry: { ...config.sentry, loadEnvFile: false } }));
    const notLoaded = await offline({});
    expect(notLoaded.exitCode).toBe(1);
    expect(result(notLoaded.stdout, "sentry.dsn-source")!.summary).toContain("nothing loads that file");
    await writeFile(configPath, JSON.stringify(config));

    await writeFile(join(host.dir, ".env"), "# no DSN yet\n");
    const absent = await offline({});
    expect(absent.exitCode).toBe(1);
  });

  it("the app started with the DSN only in .env delivers to Sentry", async () => {
    await writeFile(join(host.dir, ".env"), `SENTRY_DSN=${receiver.dsn()}\n`);
    const app = await start({ SENTRY_DSN: undefined });
    try {
      await fetch(`${baseOf(app)}/v1/licenses/9/activate`, { method: "POST", headers: { "x-shop": "EUR" } });
      expect(firstEvent(await receiver.waitFor(eventWith("license 9 could not be activated"))).tags).toMatchObject({ tenant: "EUR" });
    } finally {
      await app.stop();
    }
  });
});
