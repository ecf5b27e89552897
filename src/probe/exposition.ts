/**
 * The parsed shape of a /metrics body, shared by both parsers, the linters and the catalog diff.
 * Families follow what Prometheus' own Go tooling sees: for the text format the grouping of
 * `expfmt.TextParser` (which promtool lints), for OpenMetrics the text-equivalent name
 * (`foo` counter → `foo_total`), so one linter serves both formats.
 */
import type { SpecViolation } from "./spec-rules.js";

export type ExpositionFormat = "text" | "openmetrics";

export type FamilyType =
  | "counter"
  | "gauge"
  | "histogram"
  | "gaugehistogram"
  | "summary"
  | "info"
  | "stateset"
  | "untyped";

export interface Label {
  name: string;
  value: string;
}

export interface Exemplar {
  labels: Label[];
  value: number;
  timestampMs?: number;
}

export interface Sample {
  /** The sample name as written, e.g. `http_request_duration_seconds_bucket`. */
  name: string;
  /** All labels as written, `le` and `quantile` included, in order. */
  labels: Label[];
  value: number;
  timestampMs?: number;
  exemplar?: Exemplar;
  line: number;
}

/** One time series of a family (a `dto.Metric` in Go): histogram buckets and sums share one. */
export interface MetricSeries {
  /** Labels without the `le` (histogram) or `quantile` (summary) label. */
  labels: Label[];
  samples: Sample[];
  line: number;
}

export interface MetricFamily {
  /** The name promtool reports problems under. */
  name: string;
  /** The OpenMetrics family name when it differs (`foo` for the counter `foo_total`). */
  omName?: string;
  type: FamilyType;
  help?: string;
  unit?: string;
  /** Line of the family's first HELP/TYPE/UNIT or sample. */
  line: number;
  series: MetricSeries[];
}

export interface Exposition {
  format: ExpositionFormat;
  /** In order of first appearance; families declared without samples are kept with no series. */
  families: MetricFamily[];
  sampleCount: number;
  /** Rules of the format the body breaks but Prometheus accepts (warnings), in line order. */
  violations: SpecViolation[];
  /**
   * Set only when parsed with `recover`: the first error (what Prometheus reports) and how many
   * lines were skipped to read the rest; the families are then those of the valid lines.
   */
  parseError?: ExpositionParseError;
  skippedLines?: number;
}

export interface ParseOptions {
  /** Skip lines that do not parse instead of throwing, keeping the first error. */
  recover?: boolean;
  /** The body was decoded by decodeBody from bytes that are not valid UTF-8. */
  invalidUtf8?: boolean;
}

/** A syntax error at a 1-based line, worded like the Go parsers where promtool has a message. */
export class ExpositionParseError extends Error {
  readonly line: number;
  readonly detail: string;
  /** The exposition rule (spec-rules.ts) the line breaks. */
  readonly rule: string;

  constructor(line: number, detail: string, rule = "text/syntax") {
    super(`line ${line}: ${detail}`);
    this.name = "ExpositionParseError";
    this.line = line;
    this.detail = detail;
    this.rule = rule;
  }
}

/** Labels that are part of a sample's identity but not of its series (histogram/summary). */
export function seriesLabelsOf(type: FamilyType, labels: Label[]): Label[] {
  if (type === "histogram" || type === "gaugehistogram") return labels.filter((l) => l.name !== "le");
  if (type === "summary") return labels.filter((l) => l.name !== "quantile");
  return labels;
}

/** An order-independent key of a label set (without the label `skip`), e.g. for grouping or duplicate detection. */
export function labelsKey(labels: readonly Label[], skip?: string): string {
  // Runs for every sample of a scrape: no copy when the labels are already sorted (the usual
  // case), and one string built by concatenation instead of map/join.
  let sorted = true;
  for (let i = 1; i < labels.length; i++) {
    if ((labels[i - 1] as Label).name > (labels[i] as Label).name) {
      sorted = false;
      break;
    }
  }
  const ordered = sorted ? labels : [...labels].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  let key = "";
  for (const l of ordered) {
    if (l.name === skip) continue;
    key += key === "" ? `${l.name}\u0000${l.value}` : `\u0001${l.name}\u0000${l.value}`;
  }
  return key;
}

export function labelValue(labels: readonly Label[], name: string): string | undefined {
  return labels.find((l) => l.name === name)?.value;
}

/** `{a="1",b="2"}` for messages, escaped like the text format. */
export function formatLabels(labels: readonly Label[]): string {
  if (labels.length === 0) return "";
  const body = labels.map((l) => `${l.name}="${l.value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`);
  return `{${body.join(",")}}`;
}
