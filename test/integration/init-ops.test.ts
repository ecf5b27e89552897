import { execa } from "execa";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CATALOG } from "../../src/metrics/catalog.js";
import { copyFixture, runMon } from "../helpers/cli.js";
import { promtoolAvailable } from "../helpers/promtool.js";

// The operations files `mon init` writes under monitoring/ are checked by the real promtool:
// rules load, their unit tests pass (alerts fire and stay quiet as designed), the scrape config
// is valid, and every Grafana panel query is valid PromQL.
const hasPromtool = promtoolAvailable();

describe.skipIf(!hasPromtool)("generated monitoring/ files", () => {
  let dir: string;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    ({ dir, cleanup } = await copyFixture("host-ts-esm"));
    const result = await runMon(["init", "--yes", "--tenants", "EUR,KM", "--tenant-from", "header:x-shop", "--skip-install"], { cwd: dir });
    expect(result.exitCode, String(result.stderr)).toBe(0);
  });
  afterAll(async () => cleanup?.());

  const promtool = (...args: string[]) => execa("promtool", args, { cwd: join(dir, "monitoring"), reject: false });

  it("alerts.yml passes promtool check rules", async () => {
    const result = await promtool("check", "rules", "alerts.yml");
    expect(result.exitCode, `${result.stdout}\n${result.stderr}`).toBe(0);
    expect(result.stdout).toMatch(/SUCCESS: \d+ rules found/);
  });

  it("alerts.test.yml passes promtool test rules", async () => {
    const result = await promtool("test", "rules", "alerts.test.yml");
    expect(result.exitCode, `${result.stdout}\n${result.stderr}`).toBe(0);
    expect(result.stdout).toContain("SUCCESS");
  });

  it("alerts.test.yml fails when an alert would not fire (the tests can fail)", async () => {
    const tests = readFileSync(join(dir, "monitoring", "alerts.test.yml"), "utf8");
    // Make the healthy tenant as broken as the failing one: the "quiet" expectation must then fail.
    const broken = tests.replace(/(status_code=\\"200\\",tenant=\\"KM\\"\}"\n\s+values: )"0\+60x100"/, '$1"0+60x100"\n  - series: "http_requests_total{job=\\"shop-ts-esm\\",instance=\\"app:5000\\",method=\\"GET\\",route=\\"/x\\",status_code=\\"500\\",tenant=\\"KM\\"}"\n    values: "0+30x100"');
    expect(broken).not.toBe(tests);
    writeFileSync(join(dir, "monitoring", "broken.test.yml"), broken);
    const result = await promtool("test", "rules", "broken.test.yml");
    expect(result.exitCode).not.toBe(0);
    expect(`${result.stdout}${result.stderr}`).toContain('tenant="KM"');
  });

  it("prometheus.yml passes promtool check config and scrapes the app's port and path", async () => {
    const result = await promtool("check", "config", "prometheus.yml");
    expect(result.exitCode, `${result.stdout}\n${result.stderr}`).toBe(0);
    const config = readFileSync(join(dir, "monitoring", "prometheus.yml"), "utf8");
    expect(config).toContain("- targets.json");
    expect(JSON.parse(readFileSync(join(dir, "monitoring", "targets.json"), "utf8"))).toEqual([{ targets: ["127.0.0.1:5000"], labels: { service: expect.any(String) } }]);
    expect(config).toContain('metrics_path: "/metrics"');
  });

  it("every dashboard query is valid PromQL and every catalog metric has a panel", async () => {
    const dashboard = JSON.parse(readFileSync(join(dir, "monitoring", "grafana-dashboard.json"), "utf8")) as {
      panels: Array<{ targets?: Array<{ expr: string }> }>;
    };
    const exprs = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));
    for (const metric of CATALOG) expect(exprs.some((e) => e.includes(metric.name)), metric.name).toBe(true);
    // Grafana variables are not PromQL: substitute them the way Grafana would before checking.
    const rules = exprs.map((expr, i) => `      - record: dashboard:query_${i}\n        expr: ${JSON.stringify(expr.replaceAll("$__rate_interval", "5m").replaceAll("$tenant", ".*"))}`);
    writeFileSync(join(dir, "monitoring", "dashboard-queries.yml"), `groups:\n  - name: dashboard\n    rules:\n${rules.join("\n")}\n`);
    const result = await promtool("check", "rules", "dashboard-queries.yml");
    expect(result.exitCode, `${result.stdout}\n${result.stderr}`).toBe(0);
  });
});
