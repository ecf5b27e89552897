import { join } from "node:path";
import { scrapeConfig, startPrometheus, type PrometheusServer } from "./prometheus.js";

/**
 * `mon demo --prometheus`: a real Prometheus scraping the shop every second, asked one PromQL
 * question once it has scraped everything the traffic did.
 */
export const REQUESTS_PER_TENANT = "sum by (tenant) (http_requests_total)";

export interface PromAnswer {
  query: string;
  /** tenant → requests Prometheus counted. */
  perTenant: Record<string, number>;
  target: { scrapeUrl: string; health: string; lastScrape: string };
}

export function startDemoPrometheus(options: { dir: string; shopUrl: string; env: NodeJS.ProcessEnv }): Promise<PrometheusServer> {
  const target = new URL(options.shopUrl).host;
  return startPrometheus({
    dir: join(options.dir, "prometheus"),
    configYaml: scrapeConfig({ job: "demo-shop", target, metricsPath: "/metrics" }),
    env: options.env,
  });
}

export async function queryRequestsPerTenant(prometheus: PrometheusServer, after: Date): Promise<PromAnswer> {
  const [target] = await prometheus.waitForScrape(after);
  const samples = await prometheus.query(REQUESTS_PER_TENANT);
  const perTenant = Object.fromEntries(samples.map((s) => [s.metric.tenant ?? "", s.value]).sort(([a], [b]) => String(a).localeCompare(String(b))));
  return {
    query: REQUESTS_PER_TENANT,
    perTenant,
    target: { scrapeUrl: target?.scrapeUrl ?? "", health: target?.health ?? "", lastScrape: target?.lastScrape ?? "" },
  };
}
