import type { AlertRule } from "./rules.js";
import type { YamlValue } from "./yaml.js";

/**
 * `promtool test rules` cases for the business alerts (default windows): each fires for the
 * tenant in trouble and stays quiet for the healthy one.
 */
type Expect = (rule: AlertRule, labels: Record<string, string>) => YamlValue;

export function buildBusinessAlertTests(
  rule: (name: string) => AlertRule,
  expected: Expect,
  ctx: { job: string; bad: string; good: string },
): YamlValue[] {
  const { job, bad, good } = ctx;
  const target = { job, instance: "app:5000" };
  const series = (name: string, labels: Record<string, string>, values: string) => ({
    series: `${name}{${Object.entries({ ...target, ...labels }).map(([k, v]) => `${k}="${v}"`).join(",")}}`,
    values,
  });
  const test = (alertname: string, evalTime: string, alerts: YamlValue[]) => ({ eval_time: evalTime, alertname, exp_alerts: alerts });
  return [
    {
      name: `30 % failed wallet transactions for ${bad} page; 10 % for ${good} does not`,
      interval: "1m",
      input_series: [
        series("wallet_transactions_total", { type: "purchase", outcome: "failure", tenant: bad }, "0+3x60"),
        series("wallet_transactions_total", { type: "purchase", outcome: "success", tenant: bad }, "0+7x60"),
        series("wallet_transactions_total", { type: "purchase", outcome: "failure", tenant: good }, "0+1x60"),
        series("wallet_transactions_total", { type: "purchase", outcome: "success", tenant: good }, "0+9x60"),
      ],
      alert_rule_test: [
        test("MonwireWalletFailureRatioHigh", "5m", []),
        test("MonwireWalletFailureRatioHigh", "25m", [expected(rule("MonwireWalletFailureRatioHigh"), { tenant: bad })]),
      ],
    },
    {
      name: `a burst of failed logins for ${bad} warns; a few for ${good} do not`,
      interval: "1m",
      input_series: [
        series("authentication_attempts_total", { method: "password", outcome: "failure", tenant: bad }, "0+5x30"),
        series("authentication_attempts_total", { method: "password", outcome: "success", tenant: bad }, "0+1x30"),
        series("authentication_attempts_total", { method: "password", outcome: "failure", tenant: good }, "0+1x30"),
        series("authentication_attempts_total", { method: "password", outcome: "success", tenant: good }, "0+1x30"),
      ],
      alert_rule_test: [
        test("MonwireAuthenticationFailureSpike", "3m", []),
        test("MonwireAuthenticationFailureSpike", "20m", [expected(rule("MonwireAuthenticationFailureSpike"), { tenant: bad })]),
      ],
    },
    {
      name: `${bad} buys but generates no keys: page; ${good} buys and generates keys`,
      interval: "1m",
      input_series: [
        series("wallet_transactions_total", { type: "purchase", outcome: "success", tenant: bad }, "0+2x40"),
        series("wallet_transactions_total", { type: "purchase", outcome: "success", tenant: good }, "0+2x40"),
        series("license_keys_generated_total", { product: "pro", tenant: good }, "0+2x40"),
      ],
      alert_rule_test: [
        test("MonwireKeyGenerationStalled", "5m", []),
        test("MonwireKeyGenerationStalled", "30m", [expected(rule("MonwireKeyGenerationStalled"), { tenant: bad })]),
      ],
    },
  ];
}
