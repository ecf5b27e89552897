import { appendFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CheckReport } from "../probe/findings.js";
import type { ReportResult } from "../audit/report.js";
import type { VerifyReport } from "../audit/verify-types.js";
import { checkLeaks, summarizeSentry, waitForEvents, type LeakCheck, type SentrySummary } from "./evidence.js";
import { runDemoChecks } from "./demo-checks.js";
import { queryRequestsPerTenant, startDemoPrometheus, type PromAnswer } from "./demo-prometheus.js";
import { findPrometheus, prometheusMissing, type PrometheusServer } from "./prometheus.js";
import { startSentryReceiver, type SentryReceiver } from "./sentry-receiver.js";
import { AUDIT_KEY_ENV, createShopDir } from "./shop-dir.js";
import { startShop, type RunningShop } from "./shop-process.js";
import { describeTraffic, type TrafficSummary } from "./traffic-counts.js";
import { driveTraffic } from "./traffic.js";

/**
 * The `mon demo` core: creates the sample shop, starts it with a loopback Sentry receiver (and
 * optionally a real Prometheus), drives bounded traffic, then gathers what `mon check`,
 * `mon report` and `mon verify` say about it, the Sentry events and a secret-leak check. It
 * returns data and reports progress through a callback; it never prints and never exits.
 */
export interface DemoOptions {
  dir?: string;
  durationMs: number;
  keepRunning: boolean;
  /** Keep the temporary demo directory after the demo ends (a --dir given is always kept). */
  keep?: boolean;
  prometheus: boolean;
  env: NodeJS.ProcessEnv;
  onProgress?: (line: string) => void;
  /** Renders the day's report as an HTML document (`mon report --format html`), saved as report.html. */
  renderReportHtml?: (report: ReportResult) => string;
}

export interface DemoResult {
  dir: string;
  temporary: boolean;
  /** Whether the directory stays after the demo: given with --dir, or --keep. */
  kept: boolean;
  shop: { url: string; metricsUrl: string; pid: number; log: string };
  traffic: TrafficSummary;
  check: CheckReport;
  checkFailed: boolean;
  report: ReportResult;
  verify: VerifyReport;
  sentry: SentrySummary;
  leaks: LeakCheck;
  prometheus?: PromAnswer & { url: string; pid: number };
  /** Where the parts live on disk. */
  files: { config: string; env: string; audit: string; source: string[]; logs: string[]; reportHtml?: string };
  /** Still running (--keep-running) until stop() is called. */
  running: boolean;
}

export interface DemoSession {
  result: DemoResult;
  /** Stops everything the demo started, by PID. Idempotent. */
  stop(): Promise<void>;
}

export async function runDemo(options: DemoOptions): Promise<DemoSession> {
  const progress = options.onProgress ?? (() => {});
  // Fail before creating anything when a requested part cannot run.
  if (options.prometheus && !findPrometheus(options.env)) throw prometheusMissing();

  const shopDir = await createShopDir({ ...(options.dir ? { dir: options.dir } : {}), onProgress: progress });
  const { dir } = shopDir;
  const kept = !shopDir.temporary || Boolean(options.keep);
  progress(`created the demo shop in ${dir}${kept ? "" : " (removed when the demo ends; --keep keeps it)"}`);
  // A temporary directory goes when the demo does; the HTML report then lives in one fixed file, replaced by each run.
  const reportHtml = kept ? join(dir, "report.html") : join(tmpdir(), "monwire-demo-report.html");
  let receiver: SentryReceiver | undefined;
  let shop: RunningShop | undefined;
  let prometheus: PrometheusServer | undefined;
  const stopProcesses = async () => {
    await shop?.child.stop();
    await prometheus?.stop();
    await receiver?.close();
    shop = undefined;
    prometheus = undefined;
    receiver = undefined;
  };
  const stop = async () => {
    await stopProcesses();
    if (!kept) await rm(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
  };
  try {
    receiver = await startSentryReceiver();
    const dsn = receiver.dsn({ publicKey: "demo" });
    const env: NodeJS.ProcessEnv = { ...options.env, SENTRY_DSN: dsn, [AUDIT_KEY_ENV]: shopDir.auditKey };
    // A metrics token set for some other app would lock Prometheus out of the demo shop.
    delete env.MONWIRE_METRICS_TOKEN;
    // So `mon check` run by hand in the demo directory finds the DSN too (it reads .env).
    await appendFile(join(dir, ".env"), `# The loopback Sentry receiver of mon demo (up only while the demo runs)\nSENTRY_DSN=${dsn}\n`);
    shop = await startShop({ dir, env });
    progress(`shop listening on ${shop.url} (pid ${shop.child.pid}); Sentry receiver on 127.0.0.1:${receiver.port}`);
    if (options.prometheus) {
      prometheus = await startDemoPrometheus({ dir, shopUrl: shop.url, env: options.env });
      progress(`Prometheus listening on ${prometheus.url} (pid ${prometheus.child.pid}), scraping every second`);
    }

    progress(`driving ${Math.round(options.durationMs / 1000)} s of traffic…`);
    const traffic = await driveTraffic({ url: shop.url, dir, durationMs: options.durationMs });
    progress(describeTraffic(traffic.summary));
    const crashes = Object.values(traffic.summary.tenants).reduce((n, t) => n + t.crashes, 0);

    progress("running mon check, mon report and mon verify…");
    const checks = await runDemoChecks({
      dir, metricsUrl: shop.metricsUrl, env, auditKey: shopDir.auditKey,
      from: traffic.summary.startedAt.slice(0, 10), to: traffic.summary.endedAt.slice(0, 10),
    });
    await waitForEvents(receiver, crashes, 10_000);
    const sentry = summarizeSentry(receiver, dsn);
    const leaks = await checkLeaks(traffic.secrets, join(dir, "logs"), receiver);
    const answer = prometheus ? { ...(await queryRequestsPerTenant(prometheus, new Date(traffic.summary.endedAt))), url: prometheus.url, pid: prometheus.child.pid } : undefined;

    const result: DemoResult = {
      dir,
      temporary: shopDir.temporary,
      kept,
      shop: { url: shop.url, metricsUrl: shop.metricsUrl, pid: shop.child.pid, log: join(dir, "shop.log") },
      traffic: traffic.summary,
      ...checks,
      sentry,
      leaks,
      ...(answer ? { prometheus: answer } : {}),
      files: {
        config: join(dir, "mon.config.json"),
        env: join(dir, ".env"),
        audit: join(dir, "logs"),
        source: ["server.mjs", "store.mjs", "instrument.mjs"].map((f) => join(dir, f)),
        logs: [join(dir, "shop.log"), ...(prometheus ? [join(dir, "prometheus", "prometheus.log")] : [])],
        ...(options.renderReportHtml ? { reportHtml } : {}),
      },
      running: options.keepRunning,
    };
    if (options.renderReportHtml && result.files.reportHtml) await writeFile(result.files.reportHtml, options.renderReportHtml(result.report));
    await writeFile(join(dir, "demo-result.json"), `${JSON.stringify(result, null, 2)}\n`);
    if (!options.keepRunning) {
      await stop();
      progress(`stopped the shop${options.prometheus ? ", Prometheus" : ""} and the Sentry receiver${kept ? "" : `; removed ${dir}`}`);
    }
    return { result, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
