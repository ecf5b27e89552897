import type { MetricFamily } from "./exposition.js";

/**
 * promtool's `check metrics` rules, as compiled into Debian bookworm's promtool 2.42
 * (prometheus/client_golang v1.14 `prometheus/testutil/promlint`): the same eight rules, the
 * same wording, the same number of problems per family (one per offending series or label),
 * sorted by family and then text like promtool prints them. Families without samples are not
 * linted, because expfmt drops them before promlint sees them.
 */
export interface PromlintProblem {
  metric: string;
  text: string;
}

/** Go's dto.MetricType names except UNTYPED, which lintMetricTypeInName skips. */
const TYPE_NAMES = ["counter", "gauge", "summary", "histogram", "gauge_histogram"];

/** Unit → base unit, in client_golang's declaration order (Go iterates its map randomly; see docs/check.md). */
const UNITS: ReadonlyArray<readonly [string, string]> = [
  ["amperes", "amperes"], ["bytes", "bytes"], ["celsius", "celsius"], ["grams", "grams"], ["joules", "joules"],
  ["kelvin", "kelvin"], ["meters", "meters"], ["metres", "metres"], ["seconds", "seconds"], ["volts", "volts"],
  ["minutes", "seconds"], ["hours", "seconds"], ["days", "seconds"], ["weeks", "seconds"],
  ["kelvins", "kelvin"], ["fahrenheit", "celsius"], ["rankine", "celsius"],
  ["inches", "meters"], ["yards", "meters"], ["miles", "meters"],
  ["bits", "bytes"], ["calories", "joules"], ["pounds", "grams"], ["ounces", "grams"],
];

const UNIT_PREFIXES = [
  "pico", "nano", "micro", "milli", "centi", "deci", "deca", "hecto", "kilo", "kibi",
  "mega", "mibi", "giga", "gibi", "tera", "tebi", "peta", "pebi",
];

const UNIT_ABBREVIATIONS = ["s", "ms", "us", "ns", "sec", "b", "kb", "mb", "gb", "tb", "pb", "m", "h", "d"];

const CAMEL_CASE = /[a-z][A-Z]/;

/** What promlint calls the family's type: OpenMetrics-only types map to what client_golang would expose. */
function promType(family: MetricFamily): string {
  if (family.type === "info" || family.type === "stateset") return "gauge";
  if (family.type === "gaugehistogram") return "gauge_histogram";
  return family.type;
}

type Rule = (family: MetricFamily, type: string) => string[];

const lintHelp: Rule = (family) => (family.help === undefined ? ["no help text"] : []);

const lintMetricUnits: Rule = (family) => {
  const found = metricUnits(family.name);
  return found && found.unit !== found.base ? [`use base unit "${found.base}" instead of "${found.unit}"`] : [];
};

const lintCounter: Rule = (family, type) => {
  const hasTotal = family.name.endsWith("_total");
  if (type === "counter" && !hasTotal) return [`counter metrics should have "_total" suffix`];
  if (type !== "untyped" && type !== "counter" && hasTotal) return [`non-counter metrics should not have "_total" suffix`];
  return [];
};

const lintHistogramSummaryReserved: Rule = (family, type) => {
  if (type === "untyped") return [];
  const histogram = type === "histogram";
  const summary = type === "summary";
  const problems: string[] = [];
  const n = family.name;
  if (!histogram && n.endsWith("_bucket")) problems.push(`non-histogram metrics should not have "_bucket" suffix`);
  if (!histogram && !summary && n.endsWith("_count")) problems.push(`non-histogram and non-summary metrics should not have "_count" suffix`);
  if (!histogram && !summary && n.endsWith("_sum")) problems.push(`non-histogram and non-summary metrics should not have "_sum" suffix`);
  for (const series of family.series) {
    for (const label of series.labels) {
      if (!histogram && label.name === "le") problems.push(`non-histogram metrics should not have "le" label`);
      if (!summary && label.name === "quantile") problems.push(`non-summary metrics should not have "quantile" label`);
    }
  }
  return problems;
};

const lintMetricTypeInName: Rule = (family) => {
  const n = family.name.toLowerCase();
  return TYPE_NAMES.filter((t) => n.includes(`_${t}_`) || n.endsWith(`_${t}`)).map((t) => `metric name should not include type '${t}'`);
};

const lintReservedChars: Rule = (family) => (family.name.includes(":") ? ["metric names should not contain ':'"] : []);

const lintCamelCase: Rule = (family) => {
  const problems: string[] = [];
  if (CAMEL_CASE.test(family.name)) problems.push("metric names should be written in 'snake_case' not 'camelCase'");
  for (const series of family.series) {
    for (const label of series.labels) {
      if (CAMEL_CASE.test(label.name)) problems.push("label names should be written in 'snake_case' not 'camelCase'");
    }
  }
  return problems;
};

const lintUnitAbbreviations: Rule = (family) => {
  const n = family.name.toLowerCase();
  return UNIT_ABBREVIATIONS.filter((s) => n.includes(`_${s}_`) || n.endsWith(`_${s}`)).map(
    () => "metric names should not contain abbreviated units",
  );
};

const RULES: Rule[] = [
  lintHelp, lintMetricUnits, lintCounter, lintHistogramSummaryReserved,
  lintMetricTypeInName, lintReservedChars, lintCamelCase, lintUnitAbbreviations,
];

/** Detects a known unit (with or without an SI prefix) among the name's `_`-separated words. */
export function metricUnits(name: string): { unit: string; base: string } | undefined {
  const words = name.split("_");
  for (const [unit, base] of UNITS) {
    for (const prefix of [...UNIT_PREFIXES, ""]) {
      if (words.includes(prefix + unit)) return { unit: prefix + unit, base };
    }
  }
  return undefined;
}

export function promlintFamily(family: MetricFamily): PromlintProblem[] {
  if (family.series.length === 0) return [];
  const type = promType(family);
  return RULES.flatMap((rule) => rule(family, type)).map((text) => ({ metric: family.name, text }));
}

/** All problems of an exposition, sorted like promtool prints them. */
export function promlint(families: readonly MetricFamily[]): PromlintProblem[] {
  const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return families.flatMap(promlintFamily).sort((a, b) => compare(a.metric, b.metric) || compare(a.text, b.text));
}
