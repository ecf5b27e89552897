import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { resolveConfig } from "../../src/config/validate.js";
import { renderOpsFiles } from "../../src/scaffold/ops.js";
import { makeTempDir } from "../helpers/cli.js";
import { enableRemoteWrite, pointScrapeConfig, pointTargets, prometheusAvailable, startPrometheus } from "../helpers/prometheus.js";
import { SHOP_CONFIG, startRuntimeApp } from "../helpers/runtime-app.js";
import { startVictoriaMetrics, victoriaMetricsAvailable } from "../helpers/victoria-metrics.js";

/**
 * Long-term storage end to end: the runtime-app fixture serves per-tenant traffic; Debian's
 * Prometheus scrapes it with the generated prometheus.yml and targets.json, its commented
 * remote_write block switched on and pointed at Debian's VictoriaMetrics; a query against
 * VictoriaMetrics (not Prometheus) returns the exact per-tenant counts.
 */
const available = prometheusAvailable() && victoriaMetricsAvailable();
const BOUND_MS = 60_000;

describe.skipIf(!available)("e2e: Prometheus remote_write → VictoriaMetrics", () => {
  const stops: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  });

  it("VictoriaMetrics answers the per-tenant series Prometheus scraped", async () => {
    const started = Date.now();
    const temp = await makeTempDir("monwire-remote-write-");
    stops.push(temp.cleanup);
    const app = await startRuntimeApp({});
    stops.push(app.cleanup);
    const sent = { EUR: 3, KM: 5 };
    for (const [tenant, n] of Object.entries(sent)) {
      for (let i = 0; i < n; i++) {
        const res = await fetch(`${app.url}/api/licenses/${i}`, { headers: { "x-shop": tenant } });
        expect(res.status).toBe(200);
      }
    }

    const vm = await startVictoriaMetrics(temp.dir);
    stops.push(vm.stop);

    const files = renderOpsFiles(resolveConfig({ ...SHOP_CONFIG, audit: { enabled: false } }), { port: 5000, tenants: ["EUR", "KM"] });
    const file = (path: string) => files.find((f) => f.path === `monitoring/${path}`)!.content;
    const promDir = join(temp.dir, "prometheus");
    const { mkdir } = await import("node:fs/promises");
    await mkdir(promDir, { recursive: true });
    await writeFile(join(promDir, "alerts.yml"), file("alerts.yml"));
    await writeFile(join(promDir, "targets.json"), pointTargets(file("targets.json"), new URL(app.url).host));
    const configYaml = enableRemoteWrite(pointScrapeConfig(file("prometheus.yml"), { intervalSeconds: 1 }), `${vm.url}/api/v1/write`);
    const prometheus = await startPrometheus({ dir: promDir, configYaml });
    stops.push(prometheus.stop);

    const promql = 'sum by (tenant) (http_requests_total{job="shop",route="/api/licenses/:id"})';
    let got: Record<string, number> = {};
    while (Date.now() - started < BOUND_MS) {
      got = Object.fromEntries((await vm.query(promql)).map((s) => [s.metric.tenant!, s.value]));
      if (got.EUR === sent.EUR && got.KM === sent.KM) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(got).toEqual(sent);
    // The series kept their scrape labels on the way: job, instance and the target's service label.
    const series = await vm.query('http_requests_total{job="shop",tenant="KM",route="/api/licenses/:id"}');
    expect(series[0]?.metric).toMatchObject({ job: "shop", instance: new URL(app.url).host, service: "shop", method: "GET", status_code: "200" });
  }, BOUND_MS + 30_000);
});
