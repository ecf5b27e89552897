import { join } from "node:path";
import { FIXTURES, makeTempDir } from "./cli.js";
import { startProcess, type StartedProcess } from "./process.js";

export const RUNTIME_APP = join(FIXTURES, "runtime-app", "app.mjs");

/** The reference shop's tenants, read from a header. */
export const SHOP_CONFIG = {
  service: "shop",
  tenants: { values: ["EUR", "KM"], from: "header:x-shop", currency: { EUR: "EUR", KM: "BAM" } },
  metrics: { products: ["pro", "basic"] },
};

export interface RuntimeApp extends StartedProcess {
  url: string;
  /** Separate metrics server URL when started with SEPARATE_METRICS=1. */
  metricsUrl?: string;
  /** The temp dir the app runs in (its audit trail is in logs/). */
  dir: string;
  cleanup: () => Promise<void>;
}

/**
 * Starts test/fixtures/runtime-app as a real process in a fresh temp dir (the app writes nothing
 * into the repo; the audit trail, when on, lands in the temp dir).
 */
export async function startRuntimeApp(options: {
  expressPkg?: "express" | "express4";
  config?: Record<string, unknown>;
  env?: NodeJS.ProcessEnv;
}): Promise<RuntimeApp> {
  const temp = await makeTempDir("monwire-runtime-app-");
  const config = { ...(options.config ?? SHOP_CONFIG) } as Record<string, unknown>;
  config.audit = { dir: join(temp.dir, "logs"), ...(config.audit as object | undefined) };
  const separate = options.env?.SEPARATE_METRICS === "1";
  const started = await startProcess(process.execPath, [RUNTIME_APP], {
    cwd: temp.dir,
    env: {
      EXPRESS_PKG: options.expressPkg ?? "express",
      MONWIRE_CONFIG_JSON: JSON.stringify(config),
      ...options.env,
    },
    ready: separate ? /metrics on http:\/\/\S+/ : /listening on http:\/\/127\.0\.0\.1:\d+/,
  });
  const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(started.output())?.[1] as string;
  const metricsUrl = /metrics on (http:\/\/\S+)/.exec(started.output())?.[1];
  return {
    ...started,
    url,
    dir: temp.dir,
    ...(metricsUrl ? { metricsUrl } : {}),
    cleanup: async () => {
      await started.stop();
      await temp.cleanup();
    },
  };
}

/** Waits (bounded) until `predicate` holds on the app's output. */
export async function waitForOutput(app: StartedProcess, predicate: RegExp, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!predicate.test(app.output())) {
    if (Date.now() > until) throw new Error(`output never matched ${predicate}:\n${app.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
