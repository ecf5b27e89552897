import { PROMLINT_ALLOWLIST } from "../metrics/catalog.js";
import type { MetricFamily } from "./exposition.js";
import type { Finding } from "./findings.js";
import { metricUnits, promlint } from "./lint-promlint.js";
import { lintMonwire, type MonwireLintOptions } from "./lint-monwire.js";

/**
 * Runs promtool's rules and monwire's rules over parsed families and turns promtool's problems
 * into findings with a fix. prom-client's `nodejs_active_*_total` gauges are the documented
 * exception: their problem is reported as info, not as an error.
 */
export interface LintOptions extends MonwireLintOptions {
  /** Families whose `non-counter … "_total"` problem is accepted (defaults to PROMLINT_ALLOWLIST). */
  allowlist?: readonly string[];
}

export interface LintResult {
  promlint: Finding[];
  monwire: Finding[];
}

const NON_COUNTER_TOTAL = `non-counter metrics should not have "_total" suffix`;

const toSnakeCase = (name: string) => name.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase();

/** The one-line fix for each promtool message. */
export function promlintHint(family: string, text: string): string {
  if (text === "no help text") return `Give ${family} a help string (the "help" option of the prom-client metric).`;
  if (text.startsWith("use base unit")) {
    const found = metricUnits(family);
    const renamed = found ? family.split("_").map((w) => (w === found.unit ? found.base : w)).join("_") : family;
    return `Rename to ${renamed} and record the value in ${found?.base ?? "the base unit"}.`;
  }
  if (text === `counter metrics should have "_total" suffix`) return `Rename the counter to ${family}_total.`;
  if (text === NON_COUNTER_TOTAL) return `Drop the "_total" suffix (${family.replace(/_total$/, "")}) or make it a counter.`;
  if (text.includes("snake_case")) {
    return text.startsWith("metric") ? `Rename to ${toSnakeCase(family)}.` : "Rename the label to snake_case (e.g. statusCode → status_code).";
  }
  if (text.startsWith("metric name should not include type")) return "Remove the type from the name; the TYPE line already states it.";
  if (text.includes("abbreviated units")) return "Spell the unit out in base units (_seconds, _bytes).";
  if (text.includes("':'")) return "Colons are reserved for recording rules; use '_'.";
  return "Rename the metric or label: these suffixes and labels are reserved for histograms and summaries.";
}

export function lintFamilies(families: readonly MetricFamily[], options: LintOptions): LintResult {
  const allowlist = new Set(options.allowlist ?? PROMLINT_ALLOWLIST);
  const lines = new Map(families.map((f) => [f.name, f.line]));
  const promlintFindings = promlint(families).map((problem): Finding => {
    const allowed = allowlist.has(problem.metric) && problem.text === NON_COUNTER_TOTAL;
    const base: Finding = {
      rule: "promlint",
      severity: allowed ? "info" : "error",
      family: problem.metric,
      message: problem.text,
      hint: allowed ? "prom-client's own default gauge: the documented exception (docs/metrics.md)." : promlintHint(problem.metric, problem.text),
    };
    const line = lines.get(problem.metric);
    return line === undefined ? base : { ...base, line };
  });
  return { promlint: promlintFindings, monwire: lintMonwire(families, options) };
}
