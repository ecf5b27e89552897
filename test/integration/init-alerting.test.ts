import { execa } from "execa";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildAlertTests } from "../../src/metrics/alert-tests.js";
import { buildAlertRules } from "../../src/metrics/rules.js";
import { alertmanagerAvailable } from "../helpers/alertmanager.js";
import { copyFixture, runMon } from "../helpers/cli.js";
import { promtoolAvailable } from "../helpers/promtool.js";

// Alerting files `mon init` writes: Alertmanager routing checked by the real amtool, the
// prometheus.yml alerting block, a runbook section for every alert's runbook_url, and a
// promtool test case that makes every alert fire.
const hasAmtool = alertmanagerAvailable();
const hasPromtool = promtoolAvailable();

describe("generated alerting files", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  const read = (name: string) => readFileSync(join(dir, "monitoring", name), "utf8");

  beforeAll(async () => {
    ({ dir, cleanup } = await copyFixture("host-ts-esm"));
    const result = await runMon(["init", "--yes", "--tenants", "EUR,KM", "--tenant-from", "header:x-shop", "--skip-install"], { cwd: dir });
    expect(result.exitCode, String(result.stderr)).toBe(0);
  }, 60000);
  afterAll(async () => cleanup?.());

  it.skipIf(!hasAmtool)("alertmanager.yml passes amtool check-config and routes by severity and tenant", async () => {
    const result = await execa("amtool", ["check-config", "alertmanager.yml"], { cwd: join(dir, "monitoring"), reject: false });
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    const routes = async (labels: string[]) =>
      (await execa("amtool", ["config", "routes", "test", "--config.file=alertmanager.yml", ...labels], { cwd: join(dir, "monitoring") })).stdout.trim();
    expect(await routes(["alertname=MonwireWalletFailureRatioHigh", "severity=page", "tenant=KM"])).toBe("tenant-km,oncall-pager");
    expect(await routes(["alertname=MonwireAuthenticationFailureSpike", "severity=warning", "tenant=EUR"])).toBe("tenant-eur,tickets");
    expect(await routes(["alertname=MonwireTargetDown", "severity=page"])).toBe("oncall-pager");
  });

  it("prometheus.yml sends alerts to Alertmanager", () => {
    expect(read("prometheus.yml")).toMatch(/^alerting:\n {2}alertmanagers:\n {4}- static_configs:\n {8}- targets:\n {12}- "127\.0\.0\.1:9093"$/m);
  });

  it.skipIf(!hasPromtool)("prometheus.yml with its alerting block passes promtool check config", async () => {
    const result = await execa("promtool", ["check", "config", "prometheus.yml"], { cwd: join(dir, "monitoring"), reject: false });
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
  });

  it("every alert has a runbook_url whose anchor is a section of runbooks.md, with checks and fixes", () => {
    const runbooks = read("runbooks.md");
    const alerts = read("alerts.yml");
    const rules = buildAlertRules({ job: "x" });
    expect(rules.map((r) => r.alert)).toEqual(
      expect.arrayContaining(["MonwireWalletFailureRatioHigh", "MonwireAuthenticationFailureSpike", "MonwireKeyGenerationStalled", "MonwireDatabaseDown", "MonwireAuditWriteErrors", "MonwireSentryDeliveryFailing"]),
    );
    for (const rule of rules) {
      const anchor = rule.alert.toLowerCase();
      expect(alerts).toContain(`runbook_url: "runbooks.md#${anchor}"`);
      const section = runbooks.split(`\n## ${anchor}\n`)[1]?.split("\n## ")[0];
      expect(section, rule.alert).toBeDefined();
      expect(section).toContain("Check:");
      expect(section).toContain("Fix:");
    }
  });

  it("every alert has a promtool test case in which it fires", () => {
    const tests = buildAlertTests({ job: "x" }, ["KM", "EUR"]) as { tests: Array<{ alert_rule_test: Array<{ alertname: string; exp_alerts: unknown[] }> }> };
    const firing = new Set(tests.tests.flatMap((t) => t.alert_rule_test.filter((a) => a.exp_alerts.length > 0).map((a) => a.alertname)));
    for (const rule of buildAlertRules({ job: "x" })) expect(firing, rule.alert).toContain(rule.alert);
  });
});
