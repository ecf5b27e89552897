import { execa } from "execa";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { findReleaseStamp, isValidRelease } from "../../src/runtime/sentry/release-file.js";
import { resolveRelease } from "../../src/runtime/sentry/settings.js";
import { stampRelease } from "../../src/sourcemaps/release-stamp.js";
import { makeTempDir, runMon } from "../helpers/cli.js";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});
async function project(pkg: object | undefined = { name: "shop", version: "1.4.0" }): Promise<string> {
  const temp = await makeTempDir("monwire-stamp-");
  cleanups.push(temp.cleanup);
  if (pkg) await writeFile(join(temp.dir, "package.json"), JSON.stringify(pkg));
  await mkdir(join(temp.dir, "dist", "server"), { recursive: true });
  await mkdir(join(temp.dir, "src"), { recursive: true });
  return temp.dir;
}
const NO_CI = { GITHUB_SHA: undefined, CI_COMMIT_SHA: undefined, SOURCE_VERSION: undefined, GIT_COMMIT: undefined, SENTRY_GIT_COMMIT: undefined };

describe("stampRelease", () => {
  it("names the commit of a real checkout (git rev-parse), a CI variable first; idempotent", async () => {
    const dir = await project();
    const git = (...args: string[]) => execa("git", ["-c", "user.name=t", "-c", "user.email=t@example.invalid", ...args], { cwd: dir, env: NO_CI });
    await git("init", "-q");
    await git("commit", "-q", "--allow-empty", "-m", "one");
    await git("pack-refs", "--all");
    const sha = (await git("rev-parse", "HEAD")).stdout.trim();
    const first = await stampRelease({ dir: "dist", cwd: dir, env: {} });
    expect(first).toEqual({ file: "dist/sentry-release.json", release: `shop@1.4.0+${sha.slice(0, 12)}`, commit: sha, status: "stamped" });
    expect((await stampRelease({ dir: "dist", cwd: dir, env: {} })).status).toBe("unchanged");
    const ci = "abcdef0123456789abcdef0123456789abcdef01";
    expect(await stampRelease({ dir: "dist", cwd: dir, env: { GITHUB_SHA: ci }, dryRun: true })).toMatchObject({ release: "shop@1.4.0+abcdef012345", status: "stamped" });
    expect(JSON.parse(await readFile(join(dir, "dist", "sentry-release.json"), "utf8")).commit).toBe(sha);
  });

  it("without a checkout stamps the version alone; SENTRY_RELEASE at build time wins", async () => {
    const dir = await project();
    expect(await stampRelease({ dir: "dist", cwd: dir, env: {} })).toMatchObject({ release: "shop@1.4.0", status: "stamped" });
    expect(await stampRelease({ dir: "dist", cwd: dir, env: { SENTRY_RELEASE: "shop-2026.12" } })).toMatchObject({ release: "shop-2026.12" });
  });

  it("mon sentry release stamp: exit 2 with the fix for a missing directory, a nameless package and an invalid release", async () => {
    const dir = await project({ private: true });
    const missing = await runMon(["sentry", "release", "stamp", "build"], { cwd: dir, env: NO_CI });
    expect(missing.exitCode).toBe(2);
    expect(String(missing.stderr)).toContain("build is not a directory");
    const nameless = await runMon(["sentry", "release", "stamp", "dist"], { cwd: dir, env: { ...NO_CI, SENTRY_RELEASE: undefined } });
    expect(nameless.exitCode).toBe(2);
    expect(String(nameless.stderr)).toContain('has no "name" and "version"');
    expect(String(nameless.stderr)).toContain("SENTRY_RELEASE");
    const invalid = await runMon(["sentry", "release", "stamp", "dist"], { cwd: dir, env: { ...NO_CI, SENTRY_RELEASE: "shop/1 0" } });
    expect(invalid.exitCode).toBe(2);
    expect(String(invalid.stderr)).toContain("is not a valid Sentry release name");
    const ok = await runMon(["sentry", "release", "stamp", "dist"], { cwd: dir, env: { ...NO_CI, SENTRY_RELEASE: "shop@7" } });
    expect(ok.exitCode).toBe(0);
    expect(String(ok.stdout)).toContain("stamped release shop@7 (dist/sentry-release.json)");
  });
});

describe("findReleaseStamp", () => {
  it("reads the stamp next to the entry script or above it up to the root, never from a sibling build, and ignores a bad one", async () => {
    const dir = await project();
    await writeFile(join(dir, "dist", "sentry-release.json"), JSON.stringify({ release: "shop@1.4.0+0123456789ab", commit: "0123456789abcdef0123456789abcdef01234567" }));
    expect(findReleaseStamp(dir, join(dir, "dist", "server", "main.js"))?.release).toBe("shop@1.4.0+0123456789ab");
    // Development (tsx src/index.ts) and an entry outside the project: the build's stamp does not apply.
    expect(findReleaseStamp(dir, join(dir, "src", "index.ts"))).toBeUndefined();
    expect(findReleaseStamp(dir, "/elsewhere/app.js")).toBeUndefined();
    expect(resolveRelease({}, {}, dir, join(dir, "dist", "server", "main.js"))).toBe("shop@1.4.0+0123456789ab");
    expect(resolveRelease({}, {}, dir, join(dir, "src", "index.ts"))).toBe("shop@1.4.0");
    expect(resolveRelease({ SENTRY_RELEASE: "shop@env" }, {}, dir, join(dir, "dist", "main.js"))).toBe("shop@env");
    await writeFile(join(dir, "dist", "sentry-release.json"), JSON.stringify({ release: "bad\nrelease" }));
    expect(findReleaseStamp(dir, join(dir, "dist", "main.js"))).toBeUndefined();
    expect(isValidRelease("..")).toBe(false);
    expect(isValidRelease("shop@1.0.0+abc")).toBe(true);
  });
});
