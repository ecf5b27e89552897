import { formatLabels, labelValue, labelsKey, type MetricFamily, type MetricSeries } from "./exposition.js";
import type { Finding } from "./findings.js";
import { parseGoFloat } from "./parse-number.js";

/**
 * Rules promtool lacks but a production /metrics endpoint needs: bounded cardinality, no
 * identifiers as labels, no shadowing of the series Prometheus writes itself, well-formed
 * histograms with a bucket edge at an SLO threshold, and no duplicate series (newer promlint
 * versions say "metric not unique"; promtool 2.42 does not check it).
 */
export interface MonwireLintOptions {
  /** Series one family may have before it counts as a cardinality problem. */
  seriesBudget: number;
  /** Latency thresholds (seconds) a `_seconds` histogram should have a bucket edge at. */
  sloEdges: readonly number[];
}

export const DEFAULT_SERIES_BUDGET = 1000;
export const DEFAULT_SLO_EDGES = [0.1, 0.25, 0.5, 1] as const;
export const LABEL_VALUE_MAX_LENGTH = 128;

/** Label names that carry one value per user, request or URL: each value is a new series. */
export const FORBIDDEN_LABELS = [
  "path", "url", "uri", "user_id", "userid", "email", "session", "session_id", "sessionid",
  "request_id", "trace_id", "span_id", "ip", "client_ip", "token", "query", "user_agent",
] as const;

/** Series Prometheus writes for every target; an exposed one collides with them. */
export const PROMETHEUS_OWN_SERIES = [
  "up", "scrape_duration_seconds", "scrape_samples_scraped", "scrape_samples_post_metric_relabeling", "scrape_series_added",
] as const;

export function lintMonwire(families: readonly MetricFamily[], options: MonwireLintOptions): Finding[] {
  return families.flatMap((family) => [
    ...duplicateSeries(family),
    ...seriesBudget(family, options.seriesBudget),
    ...forbiddenLabels(family),
    ...longLabelValues(family),
    ...shadowsPrometheus(family),
    ...histogramShape(family),
    ...sloEdges(family, options.sloEdges),
  ]);
}

const finding = (family: MetricFamily, rule: string, severity: Finding["severity"], message: string, hint: string, line = family.line): Finding => ({
  rule: `monwire/${rule}`, severity, family: family.name, message, hint, line,
});

function duplicateSeries(family: MetricFamily): Finding[] {
  const firstLine = new Map<string, number>();
  const findings: Finding[] = [];
  for (const sample of family.series.flatMap((s) => s.samples)) {
    const key = `${sample.name}\u0002${labelsKey(sample.labels)}`;
    const earlier = firstLine.get(key);
    if (earlier === undefined) firstLine.set(key, sample.line);
    else {
      findings.push(finding(family, "duplicate-series", "error", `metric not unique: ${sample.name}${formatLabels(sample.labels)} on lines ${earlier} and ${sample.line}`,
        "Expose each label set once; Prometheus drops the duplicate sample.", sample.line));
    }
  }
  return findings;
}

function seriesBudget(family: MetricFamily, budget: number): Finding[] {
  if (family.series.length <= budget) return [];
  return [finding(family, "series-budget", "error", `${family.series.length} series, over the budget of ${budget} per family`,
    "Bound the label values (route templates, configured tenants, 'other' for the rest) or raise --series-budget.")];
}

function forbiddenLabels(family: MetricFamily): Finding[] {
  const names = new Set(family.series.flatMap((s) => s.labels.map((l) => l.name)));
  return [...names].filter((n) => (FORBIDDEN_LABELS as readonly string[]).includes(n.toLowerCase())).map((name) =>
    finding(family, "forbidden-label", "error", `label "${name}" is unbounded (one series per value)`,
      `Drop the "${name}" label; put identifiers in logs, traces or the audit trail instead.`));
}

function longLabelValues(family: MetricFamily): Finding[] {
  const long = family.series.flatMap((s) => s.labels).find((l) => l.value.length > LABEL_VALUE_MAX_LENGTH);
  if (!long) return [];
  return [finding(family, "label-value-length", "warning", `label "${long.name}" has a value of ${long.value.length} characters (limit ${LABEL_VALUE_MAX_LENGTH})`,
    "Label values are identifiers, not payloads: map them to a short bounded value.")];
}

function shadowsPrometheus(family: MetricFamily): Finding[] {
  if (!(PROMETHEUS_OWN_SERIES as readonly string[]).includes(family.name)) return [];
  return [finding(family, "shadows-prometheus", "error", `"${family.name}" is written by Prometheus itself for every target`,
    `Rename the metric (e.g. database_up, app_up); Prometheus overwrites or rejects an exposed "${family.name}".`)];
}

function bucketsOf(series: MetricSeries): Array<{ le: number; count: number; line: number }> {
  return series.samples
    .filter((s) => s.name.endsWith("_bucket") && labelValue(s.labels, "le") !== undefined)
    .map((s) => ({ le: parseGoFloat(labelValue(s.labels, "le") as string) ?? Number.NaN, count: s.value, line: s.line }));
}

function histogramShape(family: MetricFamily): Finding[] {
  if (family.type !== "histogram" && family.type !== "gaugehistogram") return [];
  const findings: Finding[] = [];
  const countSuffix = family.type === "histogram" ? "_count" : "_gcount";
  for (const series of family.series) {
    const buckets = bucketsOf(series);
    if (buckets.length === 0) continue;
    const where = formatLabels(series.labels) || "(no labels)";
    const inf = buckets.find((b) => b.le === Infinity);
    if (!inf) {
      findings.push(finding(family, "histogram-shape", "error", `series ${where} has no le="+Inf" bucket`, "Every histogram series needs a +Inf bucket.", series.line));
      continue;
    }
    const sorted = [...buckets].sort((a, b) => a.le - b.le);
    const broken = sorted.find((b, i) => i > 0 && b.count < (sorted[i - 1] as { count: number }).count);
    if (broken) {
      findings.push(finding(family, "histogram-shape", "error", `series ${where}: bucket le="${broken.le}" counts fewer than a smaller bucket (buckets must be cumulative)`,
        "Expose cumulative bucket counts (each bucket includes all smaller ones).", broken.line));
    }
    const count = series.samples.find((s) => s.name === family.name + countSuffix || s.name === (family.omName ?? family.name) + countSuffix);
    if (count && count.value !== inf.count) {
      findings.push(finding(family, "histogram-shape", "error", `series ${where}: ${count.name} is ${count.value} but the +Inf bucket is ${inf.count}`,
        "The count must equal the +Inf bucket.", count.line));
    }
  }
  return findings;
}

function sloEdges(family: MetricFamily, edges: readonly number[]): Finding[] {
  if (family.type !== "histogram" || !family.name.endsWith("_seconds") || edges.length === 0) return [];
  const first = family.series.find((s) => bucketsOf(s).length > 0);
  if (!first) return [];
  const bounds = bucketsOf(first).map((b) => b.le);
  if (edges.some((edge) => bounds.some((b) => Math.abs(b - edge) < 1e-9))) return [];
  return [finding(family, "slo-bucket", "warning", `no bucket edge at an SLO threshold (${edges.join(", ")} s); buckets are ${bounds.filter(Number.isFinite).join(", ")}`,
    "Add a bucket at your latency SLO (metrics.buckets in mon.config.json) so histogram_quantile and SLO ratios are exact.", first.line)];
}
