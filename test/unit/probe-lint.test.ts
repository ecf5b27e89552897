import { CATALOG } from "../../src/metrics/catalog.js";
import { describe, expect, it } from "vitest";
import { defaultConfig, type MonwireConfig } from "../../src/config/schema.js";
import { diffCatalog } from "../../src/probe/catalog-diff.js";
import { lintFamilies, promlintHint } from "../../src/probe/lint.js";
import { DEFAULT_SLO_EDGES } from "../../src/probe/lint-monwire.js";
import { metricUnits } from "../../src/probe/lint-promlint.js";
import { parseText } from "../../src/probe/parse-text.js";

const options = { seriesBudget: 3, sloEdges: DEFAULT_SLO_EDGES };
const lint = (body: string) => lintFamilies(parseText(body).families, options);
const monwire = (body: string) => lint(body).monwire.map((f) => `${f.rule} ${f.severity} ${f.family}: ${f.message}`);

describe("monwire's own metric rules", () => {
  it.each([
    ["duplicate series", "x_total{a=\"1\"} 1\nx_total{a=\"1\"} 2\n", 'monwire/duplicate-series error x_total: metric not unique: x_total{a="1"} on lines 1 and 2'],
    ["series budget", "x{a=\"1\"} 1\nx{a=\"2\"} 1\nx{a=\"3\"} 1\nx{a=\"4\"} 1\n", "monwire/series-budget error x: 4 series, over the budget of 3 per family"],
    ["forbidden label", "x{user_id=\"u1\"} 1\n", 'monwire/forbidden-label error x: label "user_id" is unbounded (one series per value)'],
    ["forbidden label, any case", "x{Path=\"/a\"} 1\n", 'monwire/forbidden-label error x: label "Path" is unbounded (one series per value)'],
    ["long label value", `x{q="${"a".repeat(129)}"} 1\n`, 'monwire/label-value-length warning x: label "q" has a value of 129 characters (limit 128)'],
    ["up", "up 1\n", 'monwire/shadows-prometheus error up: "up" is written by Prometheus itself for every target'],
    ["missing +Inf", "# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_count 1\n", 'monwire/histogram-shape error h: series (no labels) has no le="+Inf" bucket'],
    ["non-cumulative buckets", "# TYPE h histogram\nh_bucket{le=\"1\"} 5\nh_bucket{le=\"2\"} 3\nh_bucket{le=\"+Inf\"} 5\nh_count 5\n",
      'monwire/histogram-shape error h: series (no labels): bucket le="2" counts fewer than a smaller bucket (buckets must be cumulative)'],
    ["count mismatch", "# TYPE h histogram\nh_bucket{le=\"+Inf\",r=\"a\"} 5\nh_count{r=\"a\"} 4\n", 'monwire/histogram-shape error h: series {r="a"}: h_count is 4 but the +Inf bucket is 5'],
    ["no SLO edge", "# TYPE d_seconds histogram\nd_seconds_bucket{le=\"0.3\"} 1\nd_seconds_bucket{le=\"+Inf\"} 1\nd_seconds_count 1\n",
      "monwire/slo-bucket warning d_seconds: no bucket edge at an SLO threshold (0.1, 0.25, 0.5, 1 s); buckets are 0.3"],
  ])("%s", (_name, body, expected) => {
    expect(monwire(body)).toEqual([expected]);
  });

  it("finds nothing wrong with a healthy histogram and bounded labels", () => {
    const body = "# TYPE d_seconds histogram\nd_seconds_bucket{le=\"0.25\",route=\"/a\"} 1\nd_seconds_bucket{le=\"+Inf\",route=\"/a\"} 2\nd_seconds_count{route=\"/a\"} 2\nd_seconds_sum{route=\"/a\"} 1\n";
    expect(monwire(body)).toEqual([]);
  });

  it("uses configured SLO edges", () => {
    const body = "# TYPE d_seconds histogram\nd_seconds_bucket{le=\"0.3\"} 1\nd_seconds_bucket{le=\"+Inf\"} 1\nd_seconds_count 1\n";
    expect(lintFamilies(parseText(body).families, { seriesBudget: 10, sloEdges: [0.3] }).monwire).toEqual([]);
  });
});

describe("promtool's rules as findings", () => {
  it("turns prom-client's nodejs_active_*_total gauges into documented exceptions", () => {
    const result = lint("# HELP nodejs_active_handles_total h\n# TYPE nodejs_active_handles_total gauge\nnodejs_active_handles_total 1\n# HELP other_total o\n# TYPE other_total gauge\nother_total 1\n");
    expect(result.promlint.map((f) => [f.family, f.severity])).toEqual([["nodejs_active_handles_total", "info"], ["other_total", "error"]]);
  });

  it.each([
    ["request_latency_milliseconds", 'use base unit "seconds" instead of "milliseconds"', "Rename to request_latency_seconds and record the value in seconds."],
    ["loginAttempts", `counter metrics should have "_total" suffix`, "Rename the counter to loginAttempts_total."],
    ["loginAttempts", "metric names should be written in 'snake_case' not 'camelCase'", "Rename to login_attempts."],
    ["sessions_total", `non-counter metrics should not have "_total" suffix`, 'Drop the "_total" suffix (sessions) or make it a counter.'],
  ])("gives %s a fix for %s", (family, text, hint) => {
    expect(promlintHint(family, text)).toBe(hint);
  });

  it.each([
    ["foo_kilobytes", { unit: "kilobytes", base: "bytes" }],
    ["foo_seconds_total", { unit: "seconds", base: "seconds" }],
    ["thermometers_reading", undefined],
  ])("detects the unit of %s", (name, expected) => {
    expect(metricUnits(name)).toEqual(expected);
  });
});

describe("catalog diff", () => {
  const config: MonwireConfig = { ...defaultConfig(), tenants: { values: ["EUR", "KM"], from: "header:x-shop", currency: {} } };
  const body = [
    "# TYPE http_requests_total counter",
    'http_requests_total{method="GET",route="/a",status_code="200",tenant="EUR"} 1',
    'http_requests_total{method="BREW",route="/a",status_code="200",tenant="XX"} 1',
    "# TYPE api_errors_total gauge",
    "api_errors_total 1",
    "# TYPE wallet_transactions_total counter",
    'wallet_transactions_total{type="deposit",tenant="KM"} 1',
    'wallet_transactions_total{type="deposit",outcome="success",tenant="KM",user="u1"} 1',
    "",
  ].join("\n");
  const findings = diffCatalog(parseText(body).families, config);
  const byFamily = (name: string) => findings.filter((f) => f.family === name).map((f) => f.message);

  it("reports values outside the configured tenants and the catalog's closed sets", () => {
    expect(byFamily("http_requests_total")).toEqual([
      'method value "BREW" outside the allowed set (GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS, _OTHER)',
      'tenant value "XX" outside the allowed set (EUR, KM, unknown, none)',
    ]);
  });

  it("reports a wrong type, missing and unexpected labels, and missing families", () => {
    expect(byFamily("api_errors_total")).toEqual(["exposed as gauge, the catalog defines a counter"]);
    expect(byFamily("wallet_transactions_total")).toEqual([
      "missing label outcome (catalog: type, outcome, tenant)",
      "unexpected label user (catalog: type, outcome, tenant)",
    ]);
    expect(findings[0]?.message).toMatch(/^\d+ catalog families are not exposed: .*branches_created_total/);
    // Without a database section nothing about a database is expected.
    expect(findings[0]?.message).not.toMatch(/database_up|db_query/);
  });

  it("expects the database families where mon.config.json wires a database probe", () => {
    const served = CATALOG.filter((d) => !("requires" in d)).map((d) => `# TYPE ${d.name} ${d.type}`).join("\n");
    const withPg = diffCatalog(parseText(`${served}\n`).families, { ...config, database: { client: "pg", probe: true, slowQueryMs: 200 } });
    expect(withPg[0]?.message).toBe("7 catalog families are not exposed: database_up, database_probe_duration_seconds, db_query_duration_seconds, db_query_errors_total, db_pool_connections, db_pool_pending_acquires, db_pool_max_connections");
    expect(withPg[0]?.hint).toMatch(/monitorDatabase\(pool\)/);
    const withSqlite = diffCatalog(parseText(`${served}\n`).families, { ...config, database: { client: "better-sqlite3", probe: true, slowQueryMs: 200 } });
    expect(withSqlite[0]?.message).toBe("4 catalog families are not exposed: database_up, database_probe_duration_seconds, db_query_duration_seconds, db_query_errors_total");
    expect(diffCatalog(parseText(`${served}\n`).families, config)).toEqual([]);
  });

  it("counts a declared family without samples as present", () => {
    const declared = diffCatalog(parseText("# HELP branches_created_total b\n# TYPE branches_created_total counter\n").families, config);
    expect(declared.filter((f) => f.family === "branches_created_total")).toEqual([]);
  });
});

describe("database_up only where a database probe is configured", () => {
  const everyFamilyBut = (skip: string) => CATALOG.filter((d) => d.name !== skip).map((d) => `# TYPE ${d.name} ${d.type}`).join("\n") + "\n";
  const families = parseText(everyFamilyBut("database_up")).families;

  it("does not require database_up from an app without a database probe", () => {
    expect(diffCatalog(families, defaultConfig())).toEqual([]);
  });

  it("requires it when metrics.databaseProbe is set, naming the probe option", () => {
    const config = { ...defaultConfig(), metrics: { ...defaultConfig().metrics, databaseProbe: true } };
    expect(diffCatalog(families, config)).toEqual([{
      rule: "monwire/catalog-missing", severity: "error", family: "database_up",
      message: "gauge database_up is not exposed",
      hint: "metrics.databaseProbe is true in mon.config.json: pass the probe to the runtime, createMonitoring({ databaseProbe: async () => /* e.g. SELECT 1 */ true }).",
    }]);
  });
});
