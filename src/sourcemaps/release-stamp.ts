import { execFileSync } from "node:child_process";
import { readFile, stat, writeFile } from "node:fs/promises";
import { join, relative, resolve } from "node:path";
import { MonwireError } from "../errors.js";
import { isValidRelease, RELEASE_FILE, type ReleaseStamp } from "../runtime/sentry/release-file.js";
import { commitFromEnv, commitFromGitDir, packageRelease, type Env } from "../runtime/sentry/settings.js";

/**
 * `mon sentry release stamp <dir>`: the build step that fixes the release while the checkout is
 * still there. Writes `<dir>/sentry-release.json` ({ release, commit }), which the instrument file
 * reads at startup (release-file.ts), so a deploy without `.git` still reports
 * `<name>@<version>+<commit>` and matches the source maps uploaded under that release.
 */
export interface StampResult {
  file: string;
  release: string;
  commit?: string;
  status: "stamped" | "unchanged";
}

const SHA = /^[0-9a-f]{40}$/;

/** The commit being built: a CI variable, else `git rev-parse HEAD` (packed refs, worktrees), else `.git/HEAD` read directly. */
export function buildCommit(env: Env, cwd: string): string | undefined {
  const fromVariable = commitFromEnv(env);
  if (fromVariable) return fromVariable;
  try {
    const out = execFileSync("git", ["rev-parse", "HEAD"], { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"], timeout: 10_000 }).trim().toLowerCase();
    if (SHA.test(out)) return out;
  } catch {
    // No git binary or not a checkout: try the files.
  }
  return commitFromGitDir(cwd);
}

export async function stampRelease(options: { dir: string; cwd: string; env: Env; dryRun?: boolean }): Promise<StampResult> {
  const dir = resolve(options.cwd, options.dir);
  const info = await stat(dir).catch(() => undefined);
  if (!info?.isDirectory()) {
    throw new MonwireError("E_USAGE", `${options.dir} is not a directory`, { exitCode: 2, hint: "Pass the build output directory after the build ran, e.g. mon sentry release stamp dist." });
  }
  const commit = buildCommit(options.env, options.cwd);
  const explicit = options.env.SENTRY_RELEASE?.trim();
  const release = explicit || packageRelease(options.env, options.cwd, commit);
  if (!release) {
    throw new MonwireError("E_USAGE", `cannot name the release: ${join(options.cwd, "package.json")} has no "name" and "version"`, {
      exitCode: 2, hint: 'Add "name" and "version" to package.json, or set SENTRY_RELEASE for the build.',
    });
  }
  if (!isValidRelease(release)) {
    throw new MonwireError("E_USAGE", `the release ${JSON.stringify(release)} is not a valid Sentry release name`, {
      exitCode: 2, hint: "Use 1 to 200 characters without whitespace or slashes, e.g. shop@1.4.0+abc123def456.",
    });
  }
  const stamp: ReleaseStamp = { release, ...(commit ? { commit } : {}) };
  const file = join(dir, RELEASE_FILE);
  const text = `${JSON.stringify(stamp)}\n`;
  const before = await readFile(file, "utf8").catch(() => undefined);
  const status = before === text ? "unchanged" : "stamped";
  if (status === "stamped" && !options.dryRun) await writeFile(file, text);
  return { file: relative(options.cwd, file).split("\\").join("/"), ...stamp, status };
}
