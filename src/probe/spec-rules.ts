/**
 * The rules of the two exposition formats, each with the specification's wording and where it
 * says so. `error` rules are the ones Prometheus itself enforces (the scrape fails, promtool
 * refuses the body): they decide the verdict. `warning` rules are written in the specification
 * but Debian's Prometheus 2.42 ingests the body anyway, so `mon check` reports them without
 * rejecting (docs/check.md, "Exposition rules").
 */
export type SpecFormat = "openmetrics" | "text";

export interface SpecRule {
  id: string;
  severity: "error" | "warning";
  /** The rule as the specification states it. */
  wording: string;
  /** Section of the specification the rule comes from. */
  source: string;
}

const OM = "OpenMetrics 1.0";
const TEXT = "Prometheus exposition formats, text format 0.0.4";
const TYPES = "Prometheus metric types";

type Row = readonly [id: string, severity: "error" | "warning", wording: string, source: string];

const ROWS: readonly Row[] = [
  // OpenMetrics: what Prometheus 2.42's OpenMetrics parser and scrape loop reject.
  ["openmetrics/eof", "error", "the exposition MUST end with # EOF", `${OM} §ABNF (exposition), §Text format`],
  ["openmetrics/after-eof", "error", "nothing may follow the # EOF line", `${OM} §ABNF (exposition)`],
  ["openmetrics/blank-line", "error", "blank lines are not allowed", `${OM} §ABNF (metricset)`],
  ["openmetrics/comment", "error", "a line starting with # is # HELP, # TYPE, # UNIT or # EOF", `${OM} §ABNF (metric-descriptor)`],
  ["openmetrics/descriptor", "error", "a descriptor is \"# \", HELP/TYPE/UNIT, one space, a metric name, one space and its text", `${OM} §ABNF (metric-descriptor)`],
  ["openmetrics/type", "error", "the type is one of counter, gauge, histogram, gaugehistogram, summary, info, stateset, unknown", `${OM} §ABNF (metric-type)`],
  ["openmetrics/unit-suffix", "error", "a non-empty unit MUST be a suffix of the MetricFamily name, separated by an underscore", `${OM} §Unit`],
  ["openmetrics/sample", "error", "a sample is a metric name, an optional label set, one space and a number, then optionally one space and a timestamp", `${OM} §ABNF (sample)`],
  ["openmetrics/label-set", "error", "a label set is {name=\"value\",…}: label names, = and quoted values, comma-separated, no spaces, no trailing comma", `${OM} §ABNF (labels)`],
  ["openmetrics/number", "error", "a value is a number: a decimal, +Inf/-Inf or NaN", `${OM} §ABNF (number)`],
  ["openmetrics/timestamp", "error", "a timestamp is a finite number of seconds", `${OM} §ABNF (timestamp), §Timestamps`],
  ["openmetrics/utf8", "error", "label values and HELP text are UTF-8 strings", `${OM} §ABNF (escaped-string), §Text format (UTF-8)`],
  ["openmetrics/label-unique", "error", "label names MUST be unique within a LabelSet", `${OM} §Label`],
  ["openmetrics/exemplar", "error", "an exemplar is \" # \", a label set, one space, a number and an optional timestamp", `${OM} §ABNF (exemplar)`],
  ["openmetrics/exemplar-sample", "error", "exemplars are only allowed on counter _total and histogram _bucket samples", `${OM} §Exemplars (Prometheus checks the _total/_bucket suffix)`],
  // OpenMetrics: written in the specification, ingested anyway by Prometheus 2.42.
  ["openmetrics/escape", "warning", "label values and HELP text allow only the escapes \\\\, \\\" and \\n", `${OM} §ABNF (escaped-string)`],
  ["openmetrics/label-reserved", "warning", "label names beginning with an underscore are reserved", `${OM} §Label`],
  ["openmetrics/exemplar-type", "warning", "exemplars are only allowed on Counter totals and Histogram/GaugeHistogram buckets", `${OM} §Exemplars`],
  ["openmetrics/exemplar-length", "warning", "an exemplar's LabelSet MUST NOT exceed 128 UTF-8 characters (names and values)", `${OM} §Exemplars`],
  ["openmetrics/descriptor-once", "warning", "a MetricFamily has at most one TYPE, one UNIT and one HELP line", `${OM} §MetricFamily (metadata)`],
  ["openmetrics/descriptor-first", "warning", "a MetricFamily's TYPE, UNIT and HELP lines come before its samples", `${OM} §Text format (metric-family)`],
  ["openmetrics/family-contiguous", "warning", "MetricFamilies MUST NOT be interleaved, and each MetricFamily name MUST be unique", `${OM} §MetricFamily`],
  ["openmetrics/sample-name", "warning", "a sample's name is its MetricFamily name with a suffix its type allows", `${OM} §Text format (per-type suffixes)`],
  ["openmetrics/sample-unique", "warning", "each Metric's LabelSet MUST be unique within its MetricFamily: a sample name and label set appear once", `${OM} §Metric`],
  ["openmetrics/counter-total", "warning", "a counter Total MUST NOT be NaN or negative", `${OM} §Counter`],
  ["openmetrics/le", "warning", "every bucket has a threshold (le) that is a number and not NaN; only buckets have le", `${OM} §Histogram`],
  ["openmetrics/bucket-order", "warning", "buckets MUST be sorted in increasing order of le, each threshold once", `${OM} §Histogram (text format)`],
  ["openmetrics/bucket-inf", "warning", "a histogram MetricPoint MUST have a bucket with an +Inf threshold", `${OM} §Histogram, §GaugeHistogram`],
  ["openmetrics/bucket-cumulative", "warning", "buckets MUST be cumulative: a bucket's value is never less than the one before", `${OM} §Histogram`],
  ["openmetrics/count-value", "warning", "bucket and count values MUST be non-negative integers, not NaN", `${OM} §Histogram, §GaugeHistogram, §Summary`],
  ["openmetrics/count-inf", "warning", "_count (_gcount) is present if and only if _sum (_gsum) is, and equals the +Inf bucket", `${OM} §Histogram, §GaugeHistogram (text format)`],
  ["openmetrics/sum", "warning", "a histogram _sum MUST NOT be NaN or negative and is absent when a bucket threshold is negative; a gaugehistogram _gsum is not NaN and negative only with negative thresholds", `${OM} §Histogram, §GaugeHistogram`],
  ["openmetrics/quantile", "warning", "a summary quantile sample has a quantile label that is a number between 0 and 1; only those samples have it", `${OM} §Summary`],
  ["openmetrics/summary-value", "warning", "a summary's _count and _sum MUST NOT be NaN or negative", `${OM} §Summary`],
  ["openmetrics/info-value", "warning", "an info sample's value MUST be 1", `${OM} §Info (text format)`],
  ["openmetrics/stateset", "warning", "a stateset sample has a label named after its MetricFamily and the value 0 or 1", `${OM} §StateSet`],
  ["openmetrics/unit-type", "warning", "Info and StateSet MetricFamilies MUST have an empty unit", `${OM} §Info, §StateSet`],
  // Text 0.0.4: what expfmt (promtool) rejects.
  ["text/syntax", "error", "a line is a comment, a HELP or TYPE line, or name{labels} value [timestamp] as the grammar says", `${TEXT} §Text format details`],
  ["text/help-once", "error", "only one HELP line may exist for any given metric name", `${TEXT} §Comments, help text, and type information`],
  ["text/type-once", "error", "only one TYPE line may exist for a given metric name, and it must appear before the first sample", `${TEXT} §Comments, help text, and type information`],
  ["text/type", "error", "the type is counter, gauge, histogram, summary or untyped", `${TEXT} §Comments, help text, and type information`],
  ["text/escape", "error", "HELP text escapes only \\\\ and \\n; label values only \\\\, \\\" and \\n", `${TEXT} §Comments, help text, and type information; §Text format details`],
  ["text/utf8", "error", "label values are UTF-8 strings (the format is UTF-8 encoded)", `${TEXT} §Basic info (encoding UTF-8); Prometheus data model`],
  ["text/label-unique", "error", "a label name appears once per sample, and __name__ is not a label", `${TEXT} §Text format details (expfmt)`],
  ["text/value", "error", "value is a float as Go's ParseFloat reads it; timestamp an int64 of milliseconds", `${TEXT} §Text format details`],
  ["text/newline", "error", "the last line must end with a line feed character", `${TEXT} §Line format`],
  // Text 0.0.4: written in the format's documentation, accepted by expfmt.
  ["text/family-contiguous", "warning", "all lines for a given metric must be provided as one single group", `${TEXT} §Grouping and sorting`],
  ["text/sample-unique", "warning", "each line must have a unique combination of a metric name and labels", `${TEXT} §Grouping and sorting`],
  ["text/label-reserved", "warning", "label names beginning with __ are reserved for internal use", "Prometheus data model §Metric names and labels"],
  ["text/bucket-inf", "warning", "a histogram must have a bucket with {le=\"+Inf\"}", `${TEXT} §Histograms and summaries`],
  ["text/count-inf", "warning", "the +Inf bucket's value must be identical to the value of x_count", `${TEXT} §Histograms and summaries`],
  ["text/bucket-order", "warning", "the buckets of a histogram must appear in increasing numerical order of le", `${TEXT} §Histograms and summaries`],
  ["text/quantile-order", "warning", "the quantiles of a summary must appear in increasing numerical order of quantile", `${TEXT} §Histograms and summaries`],
  ["text/bucket-cumulative", "warning", "histogram buckets are cumulative counters: a bucket's value is never less than the one before", `${TYPES} §Histogram`],
  ["text/quantile", "warning", "a summary's quantile label is a φ-quantile, 0 ≤ φ ≤ 1", `${TYPES} §Summary`],
  ["text/counter-value", "warning", "a counter's value can only increase or be reset to zero: it is never negative", `${TYPES} §Counter`],
];

export const SPEC_RULES: ReadonlyMap<string, SpecRule> = new Map(
  ROWS.map(([id, severity, wording, source]) => [id, { id, severity, wording, source }]),
);

export function specRule(id: string): SpecRule {
  const rule = SPEC_RULES.get(id);
  if (!rule) throw new Error(`unknown exposition rule ${id}`);
  return rule;
}

/** A rule an exposition breaks at a line, in the specification's words plus what was found. */
export interface SpecViolation {
  line: number;
  rule: string;
  severity: "error" | "warning";
  /** What was found on the line. */
  detail: string;
}

export function violation(id: string, line: number, detail: string): SpecViolation {
  return { line, rule: id, severity: specRule(id).severity, detail };
}
