import { execa, type Options, type Result } from "execa";
import { mkdtemp, rm, cp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));
/** MONWIRE_TEST_BIN runs the same tests against another build (e.g. the previous commit's, to see them fail there). */
export const MON_BIN = process.env.MONWIRE_TEST_BIN ?? join(REPO_ROOT, "bin", "mon.js");
/** MONWIRE_TEST_DIST: the built dist/ whose runtime writer the tests that import it use (default: this repo's). */
export const TEST_DIST = process.env.MONWIRE_TEST_DIST ?? join(REPO_ROOT, "dist");
export const FIXTURES = join(REPO_ROOT, "test", "fixtures");

/** The environment runMon gives the CLI: CI, no colour, then the caller's variables on top. */
export function runMonEnv(env: Options["env"] = {}): NonNullable<Options["env"]> {
  return { CI: "true", FORCE_COLOR: "0", NO_COLOR: "1", ...env };
}

/** Runs the built CLI the way CI would: no colour, CI=true, never throwing on exit codes. */
export function runMon(args: string[], options: Options = {}): Promise<Result> {
  // The caller's env goes on top of the base env, never instead of it: a test passing one variable keeps CI and NO_COLOR.
  const { env, ...rest } = options;
  return execa(process.execPath, [MON_BIN, ...args], {
    reject: false,
    extendEnv: true,
    ...rest,
    env: runMonEnv(env),
  } as Options) as Promise<Result>;
}

/** A fresh temp directory, removed by the returned cleanup function. */
export async function makeTempDir(prefix = "monwire-test-"): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Copies a fixture app into a fresh temp dir: tests never write into the repo. */
export async function copyFixture(name: string): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const temp = await makeTempDir(`monwire-${name}-`);
  await cp(join(FIXTURES, name), temp.dir, { recursive: true });
  return temp;
}
