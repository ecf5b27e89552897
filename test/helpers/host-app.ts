import { execa } from "execa";
import { createHash } from "node:crypto";
import { cpSync, existsSync, utimesSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join, relative } from "node:path";
import { FIXTURES, REPO_ROOT, runMon } from "./cli.js";
import { startProcess, type StartedProcess } from "./process.js";

/**
 * Host-app fixtures as users get them: monwire is `npm pack`ed once per build, and each fixture's
 * dependencies are installed once (by a real `mon init` run, which calls the package manager)
 * into a cache dir keyed by content. Tests copy the fixture to a fresh temp dir, run `mon init
 * --skip-install`, and link node_modules from the cache.
 */
/**
 * The suite's one cache (packed tarballs, fixture installs, pnpm): `$MONWIRE_TEST_CACHE`, else
 * `$XDG_CACHE_HOME/monwire-test`, else `~/.cache/monwire-test`. Not the temp dir, which tests
 * must leave as they found it; not the repo's node_modules either, because packages installed
 * below it would resolve the repo's own dependencies as a parent folder and hide one the tarball
 * forgot to declare. Bounded: per fixture at most MAX_INSTALLS installs are kept (older builds'
 * go once unused for a few minutes), and one tarball per build.
 */
export const CACHE_ROOT = process.env.MONWIRE_TEST_CACHE ?? join(process.env.XDG_CACHE_HOME || join(homedir(), ".cache"), "monwire-test");
const MAX_INSTALLS = 2;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** sha256 of every file under `root` (relative path → hash; folders as "dir"), skipping the named entries. */
export function hashTree(root: string, skip: string[] = ["node_modules", "dist", "logs"]): Record<string, string> {
  const result: Record<string, string> = {};
  const visit = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const abs = join(dir, name);
      const rel = relative(root, abs);
      if (skip.includes(rel) || skip.includes(name)) continue;
      const stat = statSync(abs, { throwIfNoEntry: false });
      if (!stat) continue;
      if (stat.isDirectory()) {
        // Folders are part of the tree: a rollback must remove the ones it created.
        result[`${rel}/`] = "dir";
        visit(abs);
      }
      else result[rel] = createHash("sha256").update(readFileSync(abs)).digest("hex");
    }
  };
  visit(root);
  return result;
}

/** One mkdir-based lock across vitest workers; a lock whose owner died is taken over. */
async function withLock<T>(name: string, fn: () => Promise<T>): Promise<T> {
  mkdirSync(CACHE_ROOT, { recursive: true });
  const lock = join(CACHE_ROOT, `${name}.lock`);
  const deadline = Date.now() + 300_000;
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, "pid"), String(process.pid));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const owner = Number(readFileSync(join(lock, "pid"), { encoding: "utf8", flag: "a+" }) || 0);
      let alive = owner > 0;
      try {
        if (owner > 0) process.kill(owner, 0);
      } catch {
        alive = false;
      }
      if (!alive && owner > 0) rmSync(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${lock}`);
      await sleep(300);
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/**
 * Removes cache entries of earlier builds. Only ones untouched for 30 minutes: a test file that
 * started before a rebuild may still be using its install.
 */
function removeStale(match: (name: string) => boolean, keep = MAX_INSTALLS - 1): void {
  const now = Date.now();
  const entries = readdirSync(CACHE_ROOT).filter(match).map((name) => {
    const path = join(CACHE_ROOT, name);
    const marker = existsSync(join(path, ".complete")) ? join(path, ".complete") : path;
    return { path, used: statSync(marker).mtimeMs };
  }).sort((a, b) => b.used - a.used);
  // The newest `keep` stay unless unused for 30 minutes; beyond them, anything unused for 5 minutes goes.
  for (const [index, entry] of entries.entries()) {
    if (now - entry.used > (index < keep ? 30 : 5) * 60_000) rmSync(entry.path, { recursive: true, force: true });
  }
}

const digestOf = (parts: string[]) => createHash("sha256").update(parts.join("\0")).digest("hex").slice(0, 16);

/** `npm pack` of the built repo, once per distinct build (keyed by the packed files' content). */
export async function packMonwire(): Promise<string> {
  const files = Object.entries({
    ...Object.fromEntries(Object.entries(hashTree(join(REPO_ROOT, "dist"), [])).map(([k, v]) => [`dist/${k}`, v])),
    ...Object.fromEntries(Object.entries(hashTree(join(REPO_ROOT, "templates"), [])).map(([k, v]) => [`templates/${k}`, v])),
    "package.json": createHash("sha256").update(readFileSync(join(REPO_ROOT, "package.json"))).digest("hex"),
  }).map(([k, v]) => `${k}:${v}`);
  const tarball = join(CACHE_ROOT, `monwire-${digestOf(files)}.tgz`);
  if (existsSync(tarball)) return tarball;
  return withLock("pack", async () => {
    if (existsSync(tarball)) return tarball;
    const out = mkdtempSync(join(CACHE_ROOT, "pack-"));
    await execa("npm", ["pack", "--pack-destination", out], { cwd: REPO_ROOT });
    const packed = readdirSync(out).find((f) => f.endsWith(".tgz"))!;
    removeStale((f) => /^monwire-[0-9a-f]+\.tgz$/.test(f));
    renameSync(join(out, packed), tarball);
    rmSync(out, { recursive: true, force: true });
    return tarball;
  });
}

/**
 * node_modules for a fixture, installed by a real `mon init` (without --skip-install) in a cache
 * copy. Throws when the CLI's install fails, so the install path itself is under test.
 */
export async function cachedNodeModules(fixture: string, initArgs: string[], tarball: string, member = ".", env: Record<string, string> = {}, timeoutMs = 240_000): Promise<string> {
  const key = digestOf([readFileSync(join(FIXTURES, fixture, member, "package.json"), "utf8"), tarball, ...initArgs]);
  const dir = join(CACHE_ROOT, `${fixture}-${key}`);
  const app = join(dir, "app");
  const marker = join(dir, ".complete");
  if (existsSync(marker)) {
    // Mark it in use, so a concurrent rebuild does not remove it as stale.
    utimesSync(marker, new Date(), new Date());
    return app;
  }
  return withLock(fixture, async () => {
    if (existsSync(join(dir, ".complete"))) return app;
    removeStale((f) => f.startsWith(`${fixture}-`));
    cpSync(join(FIXTURES, fixture), app, { recursive: true });
    const result = await runMon(["init", ...initArgs, "--monwire-from", tarball], {
      cwd: join(app, member),
      env: { npm_config_prefer_offline: "true", PATH: process.env.PATH ?? "", ...env },
      // Native dependencies (better-sqlite3 builds SQLite from source without prebuilt binaries) need longer.
      timeout: timeoutMs,
    });
    if (result.exitCode !== 0) throw new Error(`mon init with a real install failed (exit ${result.exitCode}):\n${result.stdout}\n${result.stderr}`);
    if (!existsSync(join(app, member, "node_modules", "monwire", "package.json"))) throw new Error(`mon init ran but monwire is not installed in ${app}`);
    writeFileSync(join(dir, ".complete"), `${new Date().toISOString()}\n`);
    return app;
  });
}

/** Links the cached node_modules into a fresh fixture copy. */
export function linkNodeModules(cacheApp: string, dir: string, member = "."): void {
  symlinkSync(join(cacheApp, member, "node_modules"), join(dir, member, "node_modules"), "dir");
}

/** Runs a package.json script's command line directly (exec, so the PID is the app's). */
export async function startScript(dir: string, script: string, env: Record<string, string>): Promise<StartedProcess & { url: string }> {
  const line = (JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts[script];
  if (!line) throw new Error(`package.json has no "${script}" script`);
  const started = await startProcess("sh", ["-c", `exec env ${line}`], {
    cwd: dir,
    env: { PATH: `${join(dir, "node_modules", ".bin")}:${process.env.PATH}`, HOST: "127.0.0.1", PORT: "0", ...env },
    ready: /listening on http:\/\/127\.0\.0\.1:\d+/,
    timeoutMs: 30_000,
  });
  const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(started.output())![1]!;
  process.stdout.write(`started ${script} of ${dir} at ${url}\n`);
  return { ...started, url };
}

/**
 * pnpm for the workspace fixture, installed from the npm registry into the cache once (the pnpm
 * package is self-contained). Returns the folder to put first on PATH.
 */
export async function ensurePnpm(version = "9.15.9"): Promise<string> {
  const prefix = join(CACHE_ROOT, `pnpm-${version}`);
  const bin = join(prefix, "node_modules", ".bin");
  if (existsSync(join(bin, "pnpm"))) return bin;
  return withLock("pnpm", async () => {
    if (!existsSync(join(bin, "pnpm"))) {
      await execa("npm", ["install", "--prefix", prefix, "--no-audit", "--no-fund", "--prefer-offline", `pnpm@${version}`]);
    }
    return bin;
  });
}
