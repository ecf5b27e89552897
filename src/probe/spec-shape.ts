import { labelValue, type FamilyType, type MetricSeries, type Sample } from "./exposition.js";
import { goQuote, parseGoFloat, parseOmNumber } from "./parse-number.js";
import { violation, type SpecFormat, type SpecViolation } from "./spec-rules.js";

/**
 * The rules about a family's values rather than its syntax: histogram buckets (order, +Inf,
 * cumulative counts, `_count`, `_sum`), summary quantiles and counts, counter totals. Both
 * formats share the checks; each format's own rule set decides which apply and how the finding
 * is worded, because the two specifications do not say the same things.
 */
export interface ShapeFamily {
  /** The family name samples are suffixed to (`foo` for OpenMetrics counter `foo_total`). */
  base: string;
  type: FamilyType;
  series: readonly MetricSeries[];
}

interface RuleSet {
  parse: (text: string) => number | undefined;
  /** Parsed bucket thresholds by their text. */
  thresholds: Map<string, number | undefined>;
  le?: string;
  bucketOrder: string;
  bucketInf: string;
  cumulative: string;
  countValue?: string;
  countInf: string;
  /** OpenMetrics: `_count` appears if and only if `_sum` does. */
  countWithSum: boolean;
  sum?: string;
  quantile: string;
  quantileOrder?: string;
  summaryValue?: string;
  counter: string;
}

const RULES: Record<SpecFormat, RuleSet> = {
  openmetrics: {
    parse: parseOmNumber, thresholds: new Map(), le: "openmetrics/le", bucketOrder: "openmetrics/bucket-order", bucketInf: "openmetrics/bucket-inf",
    cumulative: "openmetrics/bucket-cumulative", countValue: "openmetrics/count-value", countInf: "openmetrics/count-inf",
    countWithSum: true, sum: "openmetrics/sum", quantile: "openmetrics/quantile", summaryValue: "openmetrics/summary-value",
    counter: "openmetrics/counter-total",
  },
  text: {
    parse: parseGoFloat, thresholds: new Map(), bucketOrder: "text/bucket-order", bucketInf: "text/bucket-inf", cumulative: "text/bucket-cumulative",
    countInf: "text/count-inf", countWithSum: false, quantile: "text/quantile", quantileOrder: "text/quantile-order",
    counter: "text/counter-value",
  },
};

/**
 * Bucket thresholds repeat across every series of a histogram (a dozen values, thousands of
 * buckets): parse each text once. The cache is dropped when it grows past what real bodies use.
 */
function threshold(text: string, rules: RuleSet): number | undefined {
  const cache = rules.thresholds;
  if (cache.has(text)) return cache.get(text);
  if (cache.size > 4096) cache.clear();
  const value = rules.parse(text);
  cache.set(text, value);
  return value;
}

const isCount = (v: number) => Number.isInteger(v) && v >= 0;
const show = (v: number) => (Number.isNaN(v) ? "NaN" : v === Infinity ? "+Inf" : v === -Infinity ? "-Inf" : String(v));

export function checkShape(family: ShapeFamily, format: SpecFormat, out: SpecViolation[]): void {
  const rules = RULES[format];
  if (family.type === "histogram" || (family.type === "gaugehistogram" && format === "openmetrics")) {
    for (const series of family.series) histogram(family, series, rules, out);
  } else if (family.type === "summary") {
    for (const series of family.series) summary(family, series, rules, out);
  } else if (family.type === "counter") {
    const total = format === "openmetrics" ? `${family.base}_total` : family.base;
    for (const series of family.series) {
      for (const s of series.samples) {
        if (s.name === total && (Number.isNaN(s.value) || s.value < 0)) out.push(violation(rules.counter, s.line, `${s.name} is ${show(s.value)}`));
      }
    }
  }
}

function histogram(family: ShapeFamily, series: MetricSeries, rules: RuleSet, out: SpecViolation[]): void {
  const gauge = family.type === "gaugehistogram";
  const bucketName = `${family.base}_bucket`;
  const countName = `${family.base}${gauge ? "_gcount" : "_count"}`;
  const sumName = `${family.base}${gauge ? "_gsum" : "_sum"}`;
  let previous: { le: number; value: number } | undefined;
  let inf: number | undefined;
  let negative = false;
  let count: Sample | undefined;
  let sum: Sample | undefined;
  for (const s of series.samples) {
    if (s.name !== bucketName) {
      if (s.name === countName) count = s;
      else if (s.name === sumName) sum = s;
      if (rules.le && labelValue(s.labels, "le") !== undefined) out.push(violation(rules.le, s.line, `${s.name} has an le label`));
      if (s.name === countName && rules.countValue && !isCount(s.value)) out.push(violation(rules.countValue, s.line, `${s.name} is ${show(s.value)}`));
      continue;
    }
    const leText = labelValue(s.labels, "le");
    const le = leText === undefined ? undefined : threshold(leText, rules);
    if (le === undefined || Number.isNaN(le)) {
      if (rules.le) out.push(violation(rules.le, s.line, leText === undefined ? `${s.name} has no le label` : `le=${goQuote(leText)} is not a number`));
      continue;
    }
    const shown = `le=${goQuote(leText as string)}`;
    if (rules.countValue && !isCount(s.value)) out.push(violation(rules.countValue, s.line, `bucket ${shown} is ${show(s.value)}`));
    if (previous && le <= previous.le) {
      out.push(violation(rules.bucketOrder, s.line, `${shown} follows le="${show(previous.le)}"`));
    } else if (previous && s.value < previous.value) {
      out.push(violation(rules.cumulative, s.line, `${shown} is ${show(s.value)}, less than ${show(previous.value)} before it`));
    }
    if (le === Infinity) inf = s.value;
    if (le < 0) negative = true;
    previous = { le: previous ? Math.max(previous.le, le) : le, value: s.value };
  }
  if (inf === undefined) out.push(violation(rules.bucketInf, series.line, `no ${bucketName}{le="+Inf"} in the series starting here`));
  if (count && inf !== undefined && count.value !== inf) {
    out.push(violation(rules.countInf, count.line, `${count.name} is ${show(count.value)}, the +Inf bucket ${show(inf)}`));
  } else if (rules.countWithSum && (count === undefined) !== (sum === undefined)) {
    const present = (count ?? sum) as Sample;
    out.push(violation(rules.countInf, present.line, `${present.name} without ${present === count ? sumName : countName}`));
  }
  if (!rules.sum || !sum) return;
  if (Number.isNaN(sum.value)) out.push(violation(rules.sum, sum.line, `${sum.name} is NaN`));
  else if (!gauge && negative) out.push(violation(rules.sum, sum.line, `${sum.name} with a negative bucket threshold`));
  else if (sum.value < 0 && !negative) out.push(violation(rules.sum, sum.line, `${sum.name} is ${show(sum.value)} without negative buckets`));
}

function summary(family: ShapeFamily, series: MetricSeries, rules: RuleSet, out: SpecViolation[]): void {
  let previous: number | undefined;
  for (const s of series.samples) {
    const quantileText = labelValue(s.labels, "quantile");
    if (s.name !== family.base) {
      if (quantileText !== undefined && rules.summaryValue) out.push(violation(rules.quantile, s.line, `${s.name} has a quantile label`));
      const counted = s.name === `${family.base}_count` || s.name === `${family.base}_sum`;
      if (counted && rules.summaryValue && (Number.isNaN(s.value) || s.value < 0)) out.push(violation(rules.summaryValue, s.line, `${s.name} is ${show(s.value)}`));
      continue;
    }
    const q = quantileText === undefined ? undefined : rules.parse(quantileText);
    if (q === undefined || !(q >= 0 && q <= 1)) {
      // The text format names a summary's unlabelled sample `x` too rarely to judge; OpenMetrics requires the label.
      if (quantileText !== undefined || rules.summaryValue) {
        out.push(violation(rules.quantile, s.line, quantileText === undefined ? `${s.name} has no quantile label` : `quantile=${goQuote(quantileText)}`));
      }
      continue;
    }
    if (rules.quantileOrder && previous !== undefined && q <= previous) {
      out.push(violation(rules.quantileOrder, s.line, `quantile=${goQuote(quantileText as string)} follows quantile="${show(previous)}"`));
    }
    previous = previous === undefined ? q : Math.max(previous, q);
  }
}
