import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { SentryConfig } from "../../config/schema.js";
import { findReleaseStamp } from "./release-file.js";

/**
 * Environment, release and trace rate as the instrument file resolves them at startup, from the
 * process environment (after `.env` was loaded), mon.config.json and the project's files. Decided
 * once: the SDK reads them at init and never again.
 */
export type Env = Record<string, string | undefined>;

const present = (value: string | undefined): string | undefined => (value === undefined || value.trim() === "" ? undefined : value.trim());

/** SENTRY_ENVIRONMENT, else the config's `sentry.environment`, else NODE_ENV, else "production". */
export function resolveEnvironment(env: Env, config: Pick<SentryConfig, "environment">): string {
  return present(env.SENTRY_ENVIRONMENT) ?? config.environment ?? present(env.NODE_ENV) ?? "production";
}

/** Commit ids CI systems and hosting platforms export at build and run time, most specific first. */
const COMMIT_VARS = ["SENTRY_GIT_COMMIT", "SOURCE_VERSION", "GITHUB_SHA", "CI_COMMIT_SHA", "VERCEL_GIT_COMMIT_SHA", "RENDER_GIT_COMMIT", "HEROKU_SLUG_COMMIT", "GIT_COMMIT"];
const SHA = /^[0-9a-f]{7,40}$/i;

/** The commit the running code was built from: a CI variable, else `.git/HEAD` (a ref or a detached id). */
export function findCommit(env: Env, root: string): string | undefined {
  return commitFromEnv(env) ?? commitFromGitDir(root);
}

/** The commit a CI system or hosting platform exports (COMMIT_VARS, first valid wins). */
export function commitFromEnv(env: Env): string | undefined {
  for (const name of COMMIT_VARS) {
    const value = present(env[name]);
    if (value && SHA.test(value)) return value.toLowerCase();
  }
  return undefined;
}

/** The commit `.git/HEAD` names, directly (detached) or through a loose branch ref. */
export function commitFromGitDir(root: string): string | undefined {
  try {
    const head = readFileSync(join(root, ".git", "HEAD"), "utf8").trim();
    if (SHA.test(head)) return head.toLowerCase();
    const ref = /^ref: (refs\/[\w./-]+)$/.exec(head)?.[1];
    if (!ref || ref.includes("..")) return undefined;
    const id = readFileSync(join(root, ".git", ref), "utf8").trim();
    return SHA.test(id) ? id.toLowerCase() : undefined;
  } catch {
    // No checkout (a container image, a tarball): the version alone names the release.
    return undefined;
  }
}

/**
 * SENTRY_RELEASE, else the config's `sentry.release`, else the release the build stamped next to
 * the entry script (`mon sentry release stamp`, see release-file.ts), else `<name>@<version>`
 * from the project's package.json plus `+<12 hex>` of the commit when known at startup — the
 * same string the generated build scripts stamp and upload source maps under.
 */
export function resolveRelease(env: Env, config: Pick<SentryConfig, "release">, root: string, entry?: string): string | undefined {
  const explicit = present(env.SENTRY_RELEASE) ?? config.release;
  if (explicit) return explicit;
  const stamped = findReleaseStamp(root, entry);
  if (stamped) return stamped.release;
  return packageRelease(env, root);
}

/** `<name>@<version>[+<12 hex of the commit>]` from `root`'s package.json; undefined without both fields. */
export function packageRelease(env: Env, root: string, commit: string | undefined = findCommit(env, root)): string | undefined {
  let pkg: { name?: unknown; version?: unknown };
  try {
    pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as typeof pkg;
  } catch {
    return undefined;
  }
  if (typeof pkg.name !== "string" || typeof pkg.version !== "string") return undefined;
  return `${pkg.name}@${pkg.version}${commit ? `+${commit.slice(0, 12)}` : ""}`;
}

/** The trace sample rate for `environment`: an explicit `tracesSampleRate`, else the per-environment table, else 0. */
export function resolveTracesRate(config: Pick<SentryConfig, "tracesSampleRate" | "tracesSampleRates">, environment: string): number {
  return config.tracesSampleRate ?? config.tracesSampleRates[environment] ?? 0;
}
