import { execa } from "execa";
import { cp, mkdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { SourceMapConsumer } from "source-map-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FIXTURES, makeTempDir, REPO_ROOT, runMon } from "../helpers/cli.js";
import { startProcess } from "../helpers/process.js";
import { startSentryReceiver, type SentryReceiver } from "../helpers/sentry-receiver.js";
import { planSourcemapEdits } from "../../src/scaffold/sourcemap-edit.js";
import { eventWith, firstEvent, installMonwireInto, prepareSdkHost } from "./sentry-app.js";

// A TypeScript shop bundled by esbuild with --sourcemap, debug ids injected by
// `mon sentry sourcemaps inject`: its crash event must carry debug ids that, with the emitted
// map, resolve the throwing frame to src/licenses.ts and the line of the throw. SDK 11 (the
// repo's) and SDK 10 (from the registry; skipped locally without it, required in CI).
const ESBUILD = join(REPO_ROOT, "node_modules", ".bin", "esbuild");

describe.each([["11"], ["10"]])("source-mapped crash with @sentry/node %s", (major) => {
  let host: { dir: string; cleanup: () => Promise<void> };
  let receiver: SentryReceiver;
  let skipReason: string | undefined;
  let throwLine = 0;

  beforeAll(async () => {
    host = await makeTempDir("monwire-sourcemaps-");
    if (major === "10") {
      const prepared = await prepareSdkHost(host.dir, "^10.0.0");
      if ("error" in prepared) {
        if (process.env.CI === "true") throw new Error(prepared.error);
        skipReason = prepared.error;
        return;
      }
    } else {
      await installMonwireInto(host.dir);
      await symlink(join(REPO_ROOT, "node_modules", "@sentry"), join(host.dir, "node_modules", "@sentry"));
    }
    await cp(join(FIXTURES, "sourcemap-app"), host.dir, { recursive: true });
    throwLine = (await readFile(join(host.dir, "src", "licenses.ts"), "utf8")).split("\n").findIndex((l) => l.includes("THROW-LINE")) + 1;
    const build = await execa(ESBUILD, ["src/server.ts", "--bundle", "--platform=node", "--format=esm", "--sourcemap", "--packages=external", "--outfile=dist/server.mjs"], { cwd: host.dir, reject: false });
    expect(build.exitCode, build.stderr).toBe(0);
    receiver = await startSentryReceiver();
  }, 240_000);
  afterAll(async () => {
    await receiver?.close();
    await host?.cleanup();
  });

  it("mon sentry sourcemaps inject adds one debug id to the bundle and its map, idempotently", async (ctx) => {
    if (skipReason) return ctx.skip(skipReason);
    const first = await runMon(["sentry", "sourcemaps", "inject", "dist", "--json"], { cwd: host.dir });
    expect(first.exitCode, String(first.stderr)).toBe(0);
    const [file] = (JSON.parse(String(first.stdout)) as { files: Array<{ file: string; debugId: string; status: string }> }).files;
    expect(file).toMatchObject({ file: "dist/server.mjs", status: "injected" });
    const again = await runMon(["sentry", "sourcemaps", "inject", "dist", "--json"], { cwd: host.dir });
    expect(JSON.parse(String(again.stdout)).files[0]).toMatchObject({ status: "unchanged", debugId: file!.debugId });
    const bundle = await readFile(join(host.dir, "dist", "server.mjs"), "utf8");
    expect(bundle).toContain(`//# debugId=${file!.debugId}`);
    expect(bundle.trimEnd().endsWith("//# sourceMappingURL=server.mjs.map")).toBe(true);
  });

  it("the crash event's frame resolves through its debug id and the map to src/licenses.ts at the throw", async (ctx) => {
    if (skipReason) return ctx.skip(skipReason);
    const app = await startProcess(process.execPath, ["--import", "./instrument.mjs", "dist/server.mjs"], {
      cwd: host.dir,
      env: { SENTRY_DSN: receiver.dsn(), NODE_ENV: undefined, SENTRY_RELEASE: undefined },
      ready: /listening on http:\/\/127\.0\.0\.1:\d+/,
    });
    try {
      const port = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(app.output())![1];
      const res = await fetch(`http://127.0.0.1:${port}/api/licenses/77/activate`, { method: "POST", headers: { "x-shop": "KM" } });
      expect(res.status).toBe(500);
      const event = firstEvent(await receiver.waitFor(eventWith("license 77 could not be activated")));
      expect(event.release).toBe("bundled-shop@3.0.0");
      const frames = event.exception.values[0].stacktrace.frames as Array<{ filename?: string; abs_path?: string; lineno: number; colno: number }>;
      const top = frames[frames.length - 1]!;
      const images = event.debug_meta?.images as Array<{ code_file: string; debug_id: string }>;
      const image = images.find((i) => i.code_file === (top.abs_path ?? top.filename));
      expect(image, JSON.stringify({ top, images })).toBeDefined();
      const map = JSON.parse(await readFile(join(host.dir, "dist", "server.mjs.map"), "utf8")) as { debug_id: string };
      expect(map.debug_id).toBe(image!.debug_id);
      const original = new SourceMapConsumer(map as never).originalPositionFor({ line: top.lineno, column: top.colno - 1 });
      expect(original.source).toMatch(/(?:^|\/)src\/licenses\.ts$/);
      expect(original.line).toBe(throwLine);
    } finally {
      await app.stop();
    }
  });
  it("the init-wired build stamps the release with the commit: built in a git checkout, started without .git, the crash names the commit", async (ctx) => {
    if (skipReason) return ctx.skip(skipReason);
    const pkgPath = join(host.dir, "package.json");
    const pkg = JSON.parse(await readFile(pkgPath, "utf8")) as Record<string, unknown>;
    const { scripts } = planSourcemapEdits({ scripts: { build: "esbuild src/server.ts --bundle --platform=node --format=esm --packages=external --outfile=dist/server.mjs" } });
    expect(scripts.build).toContain("mon sentry release stamp dist");
    await writeFile(pkgPath, JSON.stringify({ ...pkg, scripts }));
    // What npm puts on PATH for a host that depends on monwire and esbuild.
    const bin = join(host.dir, "node_modules", ".bin");
    await mkdir(bin, { recursive: true });
    await rm(join(bin, "mon"), { force: true });
    await rm(join(bin, "esbuild"), { force: true });
    await symlink(join(REPO_ROOT, "bin", "mon.js"), join(bin, "mon"));
    await symlink(ESBUILD, join(bin, "esbuild"));
    await writeFile(join(host.dir, ".gitignore"), "node_modules\ndist\n");
    // No CI commit variable may stand in for the checkout.
    const env = { GITHUB_SHA: undefined, CI_COMMIT_SHA: undefined, SOURCE_VERSION: undefined, GIT_COMMIT: undefined, SENTRY_GIT_COMMIT: undefined, SENTRY_RELEASE: undefined };
    const git = (...args: string[]) => execa("git", ["-c", "user.name=shop", "-c", "user.email=shop@example.invalid", ...args], { cwd: host.dir, env });
    await git("init", "-q");
    await git("add", "-A");
    await git("commit", "-qm", "release candidate");
    const sha = (await git("rev-parse", "HEAD")).stdout.trim();
    const build = await execa("npm", ["run", "build", "--silent"], { cwd: host.dir, env, reject: false });
    expect(build.exitCode, `${build.stdout}\n${build.stderr}`).toBe(0);
    expect(JSON.parse(await readFile(join(host.dir, "dist", "sentry-release.json"), "utf8"))).toEqual({ release: `bundled-shop@3.0.0+${sha.slice(0, 12)}`, commit: sha });
    await rm(join(host.dir, ".git"), { recursive: true, force: true });

    const app = await startProcess(process.execPath, ["--import", "./instrument.mjs", "dist/server.mjs"], {
      cwd: host.dir,
      env: { SENTRY_DSN: receiver.dsn(), NODE_ENV: undefined, ...env },
      ready: /listening on http:\/\/127\.0\.0\.1:\d+/,
    });
    try {
      const port = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(app.output())![1];
      await fetch(`http://127.0.0.1:${port}/api/licenses/78/activate`, { method: "POST", headers: { "x-shop": "KM" } });
      const event = firstEvent(await receiver.waitFor(eventWith("license 78 could not be activated")));
      expect(event.release).toBe(`bundled-shop@3.0.0+${sha.slice(0, 12)}`);
    } finally {
      await app.stop();
    }
  });
});
