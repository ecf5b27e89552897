import { execa } from "execa";
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyFixture, makeTempDir, runMon } from "../helpers/cli.js";
import { cachedNodeModules, linkNodeModules, packMonwire, startScript } from "../helpers/host-app.js";
import { INIT_ARGS } from "../helpers/host-flow.js";
import type { StartedProcess } from "../helpers/process.js";
import { pointScrapeConfig, pointTargets, prometheusAvailable, startPrometheus, type PrometheusServer } from "../helpers/prometheus.js";
import { promtoolAvailable } from "../helpers/promtool.js";

/**
 * End to end with the real systems: `mon init --yes` on the TypeScript/CJS fixture (installed
 * from the packed tarball), the host's own `tsc` build, the app started on 127.0.0.1, and Debian's
 * Prometheus scraping it with the generated monitoring/prometheus.yml (target and interval
 * rewritten in a copy) and loading the generated alerts.yml. PromQL must see what was sent.
 */
const available = promtoolAvailable() && prometheusAvailable();
const EVENTS_CODE = `import { track } from "./monitoring/audit";

export async function onDeposit(amountMinor: number): Promise<void> {
  await track.walletTransaction({ type: "deposit", outcome: "success", amountMinor });
}
`;
const DEPOSITS: Record<string, number[]> = { EUR: [1050, 2500, 990], KM: [4000, 125] };
const LOOKUPS: Record<string, number> = { EUR: 2, KM: 4 };

describe.skipIf(!available)("e2e: mon init → build → real Prometheus", () => {
  let app: string;
  let cleanup: () => Promise<void>;
  let promDir: { dir: string; cleanup: () => Promise<void> };
  let started: (StartedProcess & { url: string }) | undefined;
  let prometheus: PrometheusServer | undefined;
  const sent: Record<string, number> = { EUR: 0, KM: 0 };
  let trafficEnded: Date;

  beforeAll(async () => {
    const tarball = await packMonwire();
    const cache = await cachedNodeModules("host-ts-cjs", INIT_ARGS.slice(1), tarball);
    ({ dir: app, cleanup } = await copyFixture("host-ts-cjs"));
    const init = await runMon([...INIT_ARGS, "--skip-install", "--monwire-from", tarball], { cwd: app });
    expect(init.exitCode, `${init.stdout}\n${init.stderr}`).toBe(0);
    linkNodeModules(cache, app);
    writeFileSync(join(app, "src", "events.ts"), EVENTS_CODE);
    const build = await execa("npm", ["run", "build"], { cwd: app, reject: false });
    expect(build.exitCode, `${build.stdout}\n${build.stderr}`).toBe(0);
    started = await startScript(app, "start", { NODE_ENV: "production" });

    const send = async (tenant: string, path: string, init: RequestInit = {}) => {
      const response = await fetch(`${started!.url}${path}`, { ...init, headers: { "x-shop": tenant, "content-type": "application/json" } });
      await response.arrayBuffer();
      sent[tenant] = (sent[tenant] ?? 0) + 1;
      return response.status;
    };
    for (const [tenant, amounts] of Object.entries(DEPOSITS)) {
      for (const amountMinor of amounts) expect(await send(tenant, "/api/wallet/deposit", { method: "POST", body: JSON.stringify({ amountMinor }) })).toBe(201);
      for (let i = 0; i < (LOOKUPS[tenant] ?? 0); i++) expect(await send(tenant, `/api/licenses/${i + 1}`)).toBe(200);
    }
    trafficEnded = new Date();

    promDir = await makeTempDir("monwire-e2e-prometheus-");
    const generated = readFileSync(join(app, "monitoring", "prometheus.yml"), "utf8");
    mkdirSync(join(promDir.dir, "server"));
    copyFileSync(join(app, "monitoring", "alerts.yml"), join(promDir.dir, "server", "alerts.yml"));
    const targets = readFileSync(join(app, "monitoring", "targets.json"), "utf8");
    writeFileSync(join(promDir.dir, "server", "targets.json"), pointTargets(targets, new URL(started.url).host));
    prometheus = await startPrometheus({
      dir: join(promDir.dir, "server"),
      configYaml: pointScrapeConfig(generated, { intervalSeconds: 1 }),
    });
    process.stdout.write(`prometheus at ${prometheus.url} scraping ${started.url}\n`);
  }, 300_000);

  afterAll(async () => {
    await prometheus?.stop();
    await started?.stop();
    await promDir?.cleanup();
    await cleanup?.();
  });

  it("has the app's target up with no scrape error", async () => {
    const targets = await prometheus!.waitForScrape(trafficEnded);
    expect(targets).toHaveLength(1);
    expect(targets[0]).toMatchObject({ health: "up", lastError: "", scrapeUrl: `${started!.url}/metrics` });
  });

  it("answers PromQL with both tenants and the wallet transactions sent", async () => {
    await prometheus!.waitForScrape(trafficEnded);
    const perTenant = await prometheus!.query("sum by (tenant) (http_requests_total)");
    expect(Object.fromEntries(perTenant.map((s) => [s.metric.tenant, s.value]))).toEqual(sent);

    const wallet = await prometheus!.query("sum by (tenant, type, outcome) (wallet_transactions_total)");
    expect(wallet.map((s): Record<string, string | number> => ({ ...s.metric, value: s.value })).sort((a, b) => String(a.tenant).localeCompare(String(b.tenant)))).toEqual([
      { tenant: "EUR", type: "deposit", outcome: "success", value: DEPOSITS.EUR!.length },
      { tenant: "KM", type: "deposit", outcome: "success", value: DEPOSITS.KM!.length },
    ]);
    const routes = await prometheus!.query('sum by (route) (http_requests_total{tenant="KM"})');
    expect(Object.fromEntries(routes.map((s) => [s.metric.route, s.value]))).toEqual({ "/api/wallet/deposit": DEPOSITS.KM!.length, "/api/licenses/:id": LOOKUPS.KM });
  });

  it("loads and evaluates the generated alert rules without errors", async () => {
    const until = Date.now() + 30_000;
    let rules: Array<{ name: string; health: string; lastError?: string; lastEvaluation: string }> = [];
    while (Date.now() < until) {
      const body = (await (await fetch(`${prometheus!.url}/api/v1/rules`)).json()) as { data: { groups: Array<{ rules: typeof rules }> } };
      rules = body.data.groups.flatMap((g) => g.rules);
      if (rules.length > 0 && rules.every((r) => !r.lastEvaluation.startsWith("0001"))) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(rules.length).toBeGreaterThan(0);
    expect(rules.filter((r) => r.health !== "ok").map((r) => `${r.name}: ${r.health} ${r.lastError ?? ""}`)).toEqual([]);
  });

  it("passes promtool check config, check rules and test rules on the generated files", async () => {
    const monitoring = join(app, "monitoring");
    for (const args of [["check", "config", "prometheus.yml"], ["check", "rules", "alerts.yml"], ["test", "rules", "alerts.test.yml"]]) {
      const result = await execa("promtool", args, { cwd: monitoring, reject: false });
      expect(result.exitCode, `promtool ${args.join(" ")}:\n${result.stdout}\n${result.stderr}`).toBe(0);
    }
  });
});
