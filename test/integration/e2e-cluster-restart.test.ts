import { afterAll, describe, expect, it } from "vitest";
import { makeTempDir } from "../helpers/cli.js";
import { CLUSTER_APP, freePort, purchases } from "../helpers/cluster-app.js";
import { startProcess, type StartedProcess } from "../helpers/process.js";
import { prometheusAvailable, startPrometheus, type PrometheusServer } from "../helpers/prometheus.js";

/**
 * A worker killed and replaced does not break `rate()`: real Prometheus scrapes the cluster
 * primary's aggregate every second while a worker that counted purchases is SIGKILLed; the
 * summed counter has no reset in Prometheus' view, and its latest value is every purchase.
 */
const available = prometheusAvailable();

describe.skipIf(!available)("e2e: node:cluster worker restart seen by Prometheus", () => {
  const stops: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  });

  it("resets() stays 0 across the restart and the total is exact", async () => {
    const temp = await makeTempDir("monwire-cluster-prom-");
    stops.push(temp.cleanup);
    const port = await freePort();
    const app: StartedProcess = await startProcess(process.execPath, [CLUSTER_APP], { env: { WORKERS: "2", PORT: String(port) }, ready: /primary metrics on (\S+)/ });
    stops.push(app.stop);
    const primary = new URL(/primary metrics on (\S+)/.exec(app.output())![1]!);
    const prometheus: PrometheusServer = await startPrometheus({
      dir: temp.dir,
      configYaml: [
        "global:",
        "  scrape_interval: 1s",
        "scrape_configs:",
        '  - job_name: "shop"',
        `    metrics_path: ${JSON.stringify(primary.pathname)}`,
        "    static_configs:",
        `      - targets: [${JSON.stringify(primary.host)}]`,
        "",
      ].join("\n"),
    });
    stops.push(prometheus.stop);
    const base = `http://127.0.0.1:${port}`;
    const pids = await purchases(base, "KM", 20);
    await prometheus.waitForScrape(new Date());
    await new Promise((r) => setTimeout(r, 1500));

    const listening = app.output().match(/listening/g)!.length;
    process.kill([...pids][0]!, "SIGKILL");
    const end = Date.now() + 15_000;
    while (app.output().match(/listening/g)!.length === listening && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
    await purchases(base, "KM", 10);
    await prometheus.waitForScrape(new Date());
    await new Promise((r) => setTimeout(r, 1500));

    const selector = 'wallet_transactions_total{job="shop",type="purchase",outcome="success",tenant="KM"}';
    expect((await prometheus.query(selector))[0]?.value).toBe(30);
    expect((await prometheus.query(`resets(${selector}[5m])`))[0]?.value).toBe(0);
    // The process metrics of the replaced worker keep their slot: still two worker series.
    expect((await prometheus.query('count(process_start_time_seconds{job="shop"})'))[0]?.value).toBe(2);
  }, 90_000);
});
