import { accessSync, constants } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { delimiter, join } from "node:path";
import { MonwireError } from "../errors.js";
import { startChild, type DemoChild } from "./child.js";

/**
 * A real Prometheus server (Debian's `prometheus` package) on loopback: temp storage, an
 * ephemeral port, the given scrape config. `mon demo --prometheus` and the end-to-end test use it
 * to ask PromQL about what the app exposed.
 */
export interface PromTarget {
  health: string;
  lastError: string;
  lastScrape: string;
  scrapeUrl: string;
  labels: Record<string, string>;
}

export interface PromSample {
  metric: Record<string, string>;
  value: number;
}

export interface PrometheusServer {
  url: string;
  child: DemoChild;
  /** The active targets as /api/v1/targets reports them. */
  targets(): Promise<PromTarget[]>;
  /** An instant query; the vector's samples with numeric values. */
  query(promql: string): Promise<PromSample[]>;
  /**
   * Waits (bounded) until every target is up, has no lastError and was last scraped after
   * `after` — so a query then sees everything the app had counted by that time.
   */
  waitForScrape(after: Date, timeoutMs?: number): Promise<PromTarget[]>;
  stop(): Promise<void>;
}

/** The prometheus binary on PATH, or undefined. */
export function findPrometheus(env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const dir of (env.PATH ?? "").split(delimiter).filter(Boolean)) {
    const candidate = join(dir, "prometheus");
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not in this PATH entry.
    }
  }
  return undefined;
}

export function prometheusMissing(): MonwireError {
  return new MonwireError("E_PROMETHEUS_MISSING", "--prometheus needs the prometheus server, which is not installed (not found on PATH)", {
    exitCode: 2,
    hint: "Install Debian's package: sudo apt-get install prometheus (or leave out --prometheus).",
  });
}

/** A free loopback port: bind to 0, read it, close. Prometheus has no "port 0" of its own. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => server.once("error", reject).listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function api<T>(base: string, path: string): Promise<T> {
  const response = await fetch(`${base}${path}`, { signal: AbortSignal.timeout(5000) });
  const body = (await response.json()) as { status: string; data: T; error?: string };
  if (body.status !== "success") throw new Error(`Prometheus ${path}: ${body.error ?? response.status}`);
  return body.data;
}

/**
 * Starts Prometheus with `configYaml` written as prometheus.yml in `dir` (so relative
 * rule_files resolve there), storage in `dir`/data, listening on 127.0.0.1 only.
 */
export async function startPrometheus(options: { dir: string; configYaml: string; binary?: string; env?: NodeJS.ProcessEnv }): Promise<PrometheusServer> {
  const binary = options.binary ?? findPrometheus(options.env);
  if (!binary) throw prometheusMissing();
  await mkdir(join(options.dir, "data"), { recursive: true });
  const configFile = join(options.dir, "prometheus.yml");
  await writeFile(configFile, options.configYaml);
  const start = async (port: number) =>
    startChild({
      name: "prometheus",
      command: binary,
      args: [
        `--config.file=${configFile}`,
        `--storage.tsdb.path=${join(options.dir, "data")}`,
        `--web.listen-address=127.0.0.1:${port}`,
        "--log.level=info",
      ],
      cwd: options.dir,
      env: options.env ?? process.env,
      logFile: join(options.dir, "prometheus.log"),
      keepOutputChars: 64_000,
      ready: /Server is ready to receive web requests/,
      readyTimeoutMs: 30_000,
    });
  // Another process may take the free port between our probe and Prometheus' bind: try again.
  let port = await freePort();
  let child: DemoChild;
  for (let attempt = 1; ; attempt++) {
    try {
      child = await start(port);
      break;
    } catch (error) {
      if (attempt >= 3 || !/address already in use/.test(String((error as MonwireError).hint))) throw error;
      port = await freePort();
    }
  }
  const url = `http://127.0.0.1:${port}`;

  const targets = async () => (await api<{ activeTargets: PromTarget[] }>(url, "/api/v1/targets?state=active")).activeTargets;
  return {
    url,
    child,
    targets,
    async query(promql) {
      const data = await api<{ resultType: string; result: Array<{ metric: Record<string, string>; value: [number, string] }> }>(
        url, `/api/v1/query?query=${encodeURIComponent(promql)}`);
      return data.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
    },
    async waitForScrape(after, timeoutMs = 30_000) {
      const until = Date.now() + timeoutMs;
      let last: PromTarget[] = [];
      while (Date.now() < until) {
        last = await targets();
        const fresh = last.length > 0 && last.every((t) => t.health === "up" && t.lastError === "" && Date.parse(t.lastScrape) > after.getTime());
        if (fresh) return last;
        await sleep(250);
      }
      const states = last.map((t) => `${t.scrapeUrl}: ${t.health}${t.lastError ? ` (${t.lastError})` : ""}, last scrape ${t.lastScrape}`);
      throw new MonwireError("E_DEMO_FAILED", `Prometheus did not scrape every target successfully within ${timeoutMs / 1000} s`, {
        exitCode: 70,
        hint: `Targets: ${states.join("; ") || "none"}. Log: ${join(options.dir, "prometheus.log")}`,
      });
    },
    stop: () => child.stop(),
  };
}

/** A minimal scrape config for one target, scraped every second. */
export function scrapeConfig(options: { job: string; target: string; metricsPath: string; intervalSeconds?: number }): string {
  const interval = `${options.intervalSeconds ?? 1}s`;
  return [
    "# Written by mon demo: scrapes the demo shop on loopback.",
    "global:",
    `  scrape_interval: ${interval}`,
    `  evaluation_interval: ${interval}`,
    "scrape_configs:",
    `  - job_name: ${JSON.stringify(options.job)}`,
    `    metrics_path: ${JSON.stringify(options.metricsPath)}`,
    "    static_configs:",
    `      - targets: [${JSON.stringify(options.target)}]`,
    "",
  ].join("\n");
}
