import { execa } from "execa";
import { cp, mkdir, readdir, symlink, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { FIXTURES, makeTempDir, REPO_ROOT } from "../helpers/cli.js";
import { startProcess, type StartedProcess } from "../helpers/process.js";
import type { ReceivedEnvelope } from "../helpers/sentry-receiver.js";

/** Shared by the sentry*.test.ts files: runs test/fixtures/sentry-app as a real process. */
export const SENTRY_APP = join(FIXTURES, "sentry-app");

export const SHOP_CONFIG = {
  service: "shop",
  tenants: { values: ["EUR", "KM"], from: "header:x-shop", currency: { EUR: "EUR", KM: "BAM" } },
  audit: { enabled: false },
  sentry: { environment: "test", release: "shop@1.2.3" },
};

export interface RunningApp extends StartedProcess {
  base: string;
  cleanup: () => Promise<void>;
}

/**
 * Starts the fixture with `node --import instrument.mjs app.mjs` in a fresh temp dir holding its
 * mon.config.json (so nothing is written into the repo). `appDir` defaults to the fixture in the
 * repo, whose `monwire/runtime` import resolves to the built dist/.
 */
export interface StartOptions {
  appDir?: string;
  config?: object;
  /** Written as `.env` in the app's project root (its working directory). */
  envFile?: string;
  /** Written as the project's package.json. */
  packageJson?: object;
  /** Written as `.git/HEAD` (a detached commit) so the release can name the commit. */
  gitHead?: string;
}

export async function startSentryApp(env: Record<string, string | undefined>, options: StartOptions = {}): Promise<RunningApp> {
  const temp = await makeTempDir("monwire-sentry-app-");
  await writeFile(join(temp.dir, "mon.config.json"), JSON.stringify(options.config ?? SHOP_CONFIG));
  if (options.envFile !== undefined) await writeFile(join(temp.dir, ".env"), options.envFile);
  if (options.packageJson) await writeFile(join(temp.dir, "package.json"), JSON.stringify(options.packageJson));
  if (options.gitHead) {
    await mkdir(join(temp.dir, ".git"), { recursive: true });
    await writeFile(join(temp.dir, ".git", "HEAD"), `${options.gitHead}\n`);
  }
  const appDir = options.appDir ?? SENTRY_APP;
  // The child must not inherit a DSN from the developer's shell.
  // Nor SENTRY_ENVIRONMENT/SENTRY_RELEASE, nor vitest's NODE_ENV=test.
  const childEnv: Record<string, string | undefined> = { SENTRY_DSN: undefined, SENTRY_ENVIRONMENT: undefined, SENTRY_RELEASE: undefined, NODE_ENV: undefined, ...env };
  const started = await startProcess(process.execPath, ["--import", join(appDir, "instrument.mjs"), join(appDir, "app.mjs")], {
    cwd: temp.dir,
    env: childEnv as NodeJS.ProcessEnv,
    ready: /listening on http:\/\/127\.0\.0\.1:\d+/,
  });
  const port = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(started.output())?.[1];
  return {
    ...started,
    base: `http://127.0.0.1:${port}`,
    cleanup: async () => {
      await started.stop();
      await temp.cleanup();
    },
  };
}

/** POSTs JSON as a shop client would. */
export function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body), signal: AbortSignal.timeout(10_000) });
}

/** The error events in an envelope whose exception message contains `text`. */
export function eventWith(text: string) {
  return (envelope: ReceivedEnvelope) => envelope.items.some((item) => item.header.type === "event" && JSON.stringify(exceptionValues(item.payload)).includes(text));
}

export function exceptionValues(event: unknown): string[] {
  const values = (event as { exception?: { values?: Array<{ value?: string }> } }).exception?.values ?? [];
  return values.map((v) => v.value ?? "");
}

export function firstEvent(envelope: ReceivedEnvelope): Record<string, any> {
  const item = envelope.items.find((i) => i.header.type === "event");
  if (!item) throw new Error("envelope holds no event");
  return item.payload as Record<string, any>;
}

/** Reads sentry_envelopes_total{status} from a /metrics scrape. */
export async function envelopeCount(base: string, status: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`, { signal: AbortSignal.timeout(10_000) })).text();
  const match = new RegExp(`^sentry_envelopes_total\\{status="${status}"\\} (\\d+)`, "m").exec(text);
  return match ? Number(match[1]) : Number.NaN;
}

/** Scrapes until the counter reaches `atLeast` (the SDK counts after the response arrives), bounded in attempts. */
export async function waitForEnvelopeCount(base: string, status: string, atLeast: number): Promise<number> {
  let value = Number.NaN;
  for (let attempt = 0; attempt < 100; attempt++) {
    value = await envelopeCount(base, status);
    if (value >= atLeast) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return value;
}

const SKIPPED_REPO_ENTRIES = new Set([".bin", ".package-lock.json", "@sentry", "monwire"]);

async function linkMissing(from: string, to: string): Promise<void> {
  for (const entry of await readdir(from)) {
    if (SKIPPED_REPO_ENTRIES.has(entry)) continue;
    const target = join(to, entry);
    if (!existsSync(target)) await symlink(join(from, entry), target);
    else if (entry.startsWith("@")) await linkMissing(join(from, entry), target);
  }
}

/**
 * Makes `dir` a host whose node_modules holds monwire as users get it (package.json + dist/, a
 * copy: a symlink would resolve @sentry/node from the repo) and the repo's other dependencies as
 * links, but never the repo's @sentry packages: the host has its own SDK, or none at all.
 */
export async function installMonwireInto(dir: string): Promise<void> {
  const modules = join(dir, "node_modules");
  const monwire = join(modules, "monwire");
  await mkdir(monwire, { recursive: true });
  await cp(join(REPO_ROOT, "package.json"), join(monwire, "package.json"));
  // What the package ships at run time (package.json "files"): the schema is read by the runtime.
  for (const part of ["dist", "schema", "templates"]) await cp(join(REPO_ROOT, part), join(monwire, part), { recursive: true });
  await linkMissing(join(REPO_ROOT, "node_modules"), modules);
}

/**
 * A temp host with @sentry/node `range` installed from the registry, monwire as users get it and
 * a copy of the fixture app. Without the registry it returns the reason: tests skip locally with
 * it and fail in CI.
 */
export async function prepareSdkHost(dir: string, range: string, extra: Record<string, string> = {}): Promise<{ appDir: string } | { error: string }> {
  await writeFile(join(dir, "package.json"), JSON.stringify({ name: "sentry-sdk-host", private: true, type: "module", dependencies: { "@sentry/node": range, ...extra } }));
  const install = await execa("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error"], { cwd: dir, reject: false, timeout: 180_000 });
  if (install.exitCode !== 0) return { error: `npm install @sentry/node@${range} failed: ${install.stderr}` };
  await installMonwireInto(dir);
  const appDir = join(dir, "app");
  await cp(SENTRY_APP, appDir, { recursive: true });
  await cp(join(FIXTURES, "rules-app"), join(dir, "rules-app"), { recursive: true });
  return { appDir };
}

/** The two SDK majors every acceptance test runs on: 11 is the repo's, 10 comes from the registry. */
export const SDK_MAJORS = ["11", "10"] as const;
export type SdkMajor = (typeof SDK_MAJORS)[number];

/**
 * A temp host for `major`: SDK 10 installed from the registry (prepareSdkHost), SDK 11 linked
 * from the repo; monwire as users get it, copies of the sentry-app and rules-app fixtures. Throws
 * in CI when SDK 10 cannot be installed; locally it returns the reason to skip with.
 */
export async function prepareMajorHost(dir: string, major: SdkMajor): Promise<{ appDir: string } | { skip: string }> {
  if (major === "10") {
    const prepared = await prepareSdkHost(dir, "^10.0.0");
    if ("appDir" in prepared) return prepared;
    // Like promtool: without the registry the test cannot run locally, but CI must run it.
    if (process.env.CI === "true") throw new Error(prepared.error);
    return { skip: prepared.error };
  }
  await writeFile(join(dir, "package.json"), JSON.stringify({ name: "sentry-sdk-host", private: true, type: "module" }));
  await installMonwireInto(dir);
  await symlink(join(REPO_ROOT, "node_modules", "@sentry"), join(dir, "node_modules", "@sentry"));
  const appDir = join(dir, "app");
  await cp(SENTRY_APP, appDir, { recursive: true });
  await cp(join(FIXTURES, "rules-app"), join(dir, "rules-app"), { recursive: true });
  return { appDir };
}
