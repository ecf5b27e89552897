import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { startChild, type DemoChild } from "./child.js";
import { START_ARGS } from "./shop-dir.js";

/**
 * Starts the demo shop as its own Node process (the same Node that runs mon), on 127.0.0.1 and an
 * ephemeral port, and points mon.config.json's metrics.url at it so `mon check` run by hand in
 * the demo directory scrapes the running shop.
 */
export interface RunningShop {
  child: DemoChild;
  url: string;
  metricsUrl: string;
}

const LISTENING = /listening on (http:\/\/127\.0\.0\.1:\d+)/;

export async function startShop(options: { dir: string; env: NodeJS.ProcessEnv }): Promise<RunningShop> {
  const child = await startChild({
    name: "the demo shop",
    command: process.execPath,
    args: START_ARGS,
    cwd: options.dir,
    env: { ...options.env, PORT: "0", HOST: "127.0.0.1", NODE_ENV: "production" },
    logFile: join(options.dir, "shop.log"),
    // The shop runs for the whole demo: keep only the end of its output (the log file has all of it).
    keepOutputChars: 64_000,
    ready: LISTENING,
    readyTimeoutMs: 30_000,
  });
  const url = LISTENING.exec(child.output())?.[1] as string;
  const configPath = join(options.dir, "mon.config.json");
  const config = JSON.parse(await readFile(configPath, "utf8")) as { metrics: { path: string; url: string } };
  const metricsUrl = `${url}${config.metrics.path}`;
  config.metrics.url = metricsUrl;
  await writeFile(configPath, `${JSON.stringify(config, null, 2)}\n`);
  return { child, url, metricsUrl };
}
