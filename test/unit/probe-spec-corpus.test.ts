import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ExpositionParseError } from "../../src/probe/exposition.js";
import { parseExposition } from "../../src/probe/parse-exposition.js";
import { decodeBody } from "../../src/probe/parse-utf8.js";
import { SPEC_RULES } from "../../src/probe/spec-rules.js";
import { REPO_ROOT } from "../helpers/cli.js";
import { corpusFiles, SPEC_CORPUS } from "../helpers/spec-corpus.js";

/**
 * The exposition-rule corpus (test/fixtures/exposition/spec/): for each rule of the two formats
 * a body that keeps it and one that breaks it, written from the specifications. Each file's
 * findings are stated here exactly — line, rule and what was found; the first one is the parse
 * error when the rule is one Prometheus enforces. Valid files have no finding at all.
 * test/integration/check-spec-parity.test.ts checks the verdicts against promtool and a real
 * Prometheus scrape.
 */
const FINDINGS: Record<string, string[]> = {
  "openmetrics/after-eof.invalid.om": ["3 openmetrics/after-eof: unexpected data after # EOF"],
  "openmetrics/blank-line.invalid.om": ["2 openmetrics/blank-line: blank line"],
  "openmetrics/bucket-cumulative.invalid.om": ["3 openmetrics/bucket-cumulative: le=\"1\" is 1, less than 2 before it"],
  "openmetrics/bucket-inf.invalid-gaugehistogram.om": ["2 openmetrics/bucket-inf: no g_bucket{le=\"+Inf\"} in the series starting here"],
  "openmetrics/bucket-inf.invalid.om": ["2 openmetrics/bucket-inf: no h_bucket{le=\"+Inf\"} in the series starting here"],
  "openmetrics/bucket-order.invalid.om": ["3 openmetrics/bucket-order: le=\"0.1\" follows le=\"1\""],
  "openmetrics/comment.invalid.om": ["1 openmetrics/comment: invalid line \"# a free comment\""],
  "openmetrics/count-inf.invalid-count-without-sum.om": ["3 openmetrics/count-inf: h_count without h_sum"],
  "openmetrics/count-inf.invalid-gcount.om": ["3 openmetrics/count-inf: g_gcount is 3, the +Inf bucket 2"],
  "openmetrics/count-inf.invalid.om": ["3 openmetrics/count-inf: h_count is 3, the +Inf bucket 2"],
  "openmetrics/count-value.invalid.om": ["2 openmetrics/count-value: bucket le=\"1\" is 0.5"],
  "openmetrics/counter-total.invalid.om": ["2 openmetrics/counter-total: a_total is -1", "4 openmetrics/counter-total: b_total is NaN"],
  "openmetrics/descriptor-first.invalid.om": ["3 openmetrics/descriptor-first: # HELP a after its samples"],
  "openmetrics/descriptor-once.invalid.om": ["3 openmetrics/descriptor-once: second # HELP for a"],
  "openmetrics/descriptor.invalid-no-text.om": ["1 openmetrics/descriptor: invalid line \"# TYPE a\""],
  "openmetrics/descriptor.invalid.om": ["1 openmetrics/descriptor: invalid line \"# TYPE  a gauge\""],
  "openmetrics/eof.invalid.om": ["2 openmetrics/eof: data does not end with # EOF"],
  "openmetrics/escape.invalid.om": ["1 openmetrics/escape: escape sequence '\\t' in HELP", "2 openmetrics/escape: escape sequence '\\f' in the value of x"],
  "openmetrics/exemplar-length.invalid.om": ["2 openmetrics/exemplar-length: the exemplar's labels are 129 characters long"],
  "openmetrics/exemplar-sample.invalid.om": ["3 openmetrics/exemplar-sample: metric name h_count does not support exemplars", "4 openmetrics/count-inf: h_sum without h_count"],
  "openmetrics/exemplar-type.invalid.om": ["2 openmetrics/exemplar-type: exemplar on queue_total of a gauge family"],
  "openmetrics/exemplar.invalid.om": ["2 openmetrics/exemplar: expected a single space before the exemplar value"],
  "openmetrics/family-contiguous.invalid-repeated.om": ["5 openmetrics/family-contiguous: a (line 1) continues after another family"],
  "openmetrics/family-contiguous.invalid.om": ["5 openmetrics/family-contiguous: a (line 1) continues after another family"],
  "openmetrics/info-value.invalid.om": ["2 openmetrics/info-value: build_info is 2"],
  "openmetrics/label-reserved.invalid.om": ["1 openmetrics/label-reserved: label __x"],
  "openmetrics/label-set.invalid-trailing-comma.om": ["1 openmetrics/label-set: expected a label name at \"} 1\""],
  "openmetrics/label-set.invalid.om": ["1 openmetrics/label-set: expected a label name at \" y=\\\"2\\\"} 1\""],
  "openmetrics/label-unique.invalid.om": ["1 openmetrics/label-unique: label name \"x\" is not unique"],
  "openmetrics/le.invalid.om": ["2 openmetrics/le: le=\"one\" is not a number", "4 openmetrics/le: h_count has an le label"],
  "openmetrics/number.invalid.om": ["1 openmetrics/number: expected a number as value, got \"1_000\""],
  "openmetrics/quantile.invalid.om": ["2 openmetrics/quantile: quantile=\"1.5\""],
  "openmetrics/sample-name.invalid-created-on-gauge.om": ["3 openmetrics/sample-name: a_created in gauge family a"],
  "openmetrics/sample-name.invalid.om": ["2 openmetrics/sample-name: a in counter family a"],
  "openmetrics/sample-unique.invalid.om": ["2 openmetrics/sample-unique: a with these labels is on line 1 too"],
  "openmetrics/sample.invalid.om": ["1 openmetrics/sample: expected a number as value, got \"\""],
  "openmetrics/stateset.invalid.om": ["2 openmetrics/stateset: mode is 2", "3 openmetrics/stateset: mode has no label mode"],
  "openmetrics/sum.invalid-negative-bucket.om": ["5 openmetrics/sum: h_sum with a negative bucket threshold"],
  "openmetrics/sum.invalid-gsum.om": ["5 openmetrics/sum: g_gsum is NaN"],
  "openmetrics/sum.invalid.om": ["4 openmetrics/sum: h_sum is -1 without negative buckets"],
  "openmetrics/summary-value.invalid.om": ["3 openmetrics/summary-value: s_sum is NaN", "5 openmetrics/summary-value: t_count is -1"],
  "openmetrics/timestamp.invalid.om": ["1 openmetrics/timestamp: expected a timestamp in seconds, got \"NaN\""],
  "openmetrics/type.invalid.om": ["1 openmetrics/type: invalid metric type \"untyped\""],
  "openmetrics/unit-suffix.invalid-no-underscore.om": ["2 openmetrics/unit-suffix: unit not a suffix of metric \"ab\""],
  "openmetrics/unit-suffix.invalid.om": ["2 openmetrics/unit-suffix: unit not a suffix of metric \"latency\""],
  "openmetrics/unit-type.invalid.om": ["2 openmetrics/unit-type: unit \"seconds\" on info build_seconds"],
  "openmetrics/utf8.invalid-help.om": ["1 openmetrics/utf8: help text is not a valid utf8 string"],
  "openmetrics/utf8.invalid.om": ["1 openmetrics/utf8: invalid UTF-8 label value"],
  "text/utf8.invalid.prom": ["1 text/utf8: invalid label value \"caf\\xe9\""],
  "text/bucket-cumulative.invalid.prom": ["3 text/bucket-cumulative: le=\"1\" is 1, less than 2 before it"],
  "text/bucket-inf.invalid.prom": ["2 text/bucket-inf: no h_bucket{le=\"+Inf\"} in the series starting here"],
  "text/bucket-order.invalid.prom": ["3 text/bucket-order: le=\"0.1\" follows le=\"1\""],
  "text/count-inf.invalid.prom": ["4 text/count-inf: h_count is 3, the +Inf bucket 2"],
  "text/counter-value.invalid.prom": ["2 text/counter-value: a_total is -1"],
  "text/escape.invalid-label.prom": ["1 text/escape: invalid escape sequence '\\t'"],
  "text/escape.invalid.prom": ["1 text/escape: invalid escape sequence '\\t'"],
  "text/family-contiguous.invalid.prom": ["4 text/family-contiguous: a (line 1) continues after another family"],
  "text/help-once.invalid.prom": ["2 text/help-once: second HELP line for metric name \"a\""],
  "text/label-reserved.invalid.prom": ["1 text/label-reserved: label __x"],
  "text/label-unique.invalid.prom": ["1 text/label-unique: duplicate label names for metric \"a\""],
  "text/newline.invalid.prom": ["1 text/newline: unexpected end of input stream"],
  "text/quantile-order.invalid.prom": ["3 text/quantile-order: quantile=\"0.5\" follows quantile=\"0.9\""],
  "text/quantile.invalid.prom": ["2 text/quantile: quantile=\"1.5\""],
  "text/sample-unique.invalid.prom": ["2 text/sample-unique: a{x=\"1\"} is on line 1 too"],
  "text/syntax.invalid.prom": ["1 text/syntax: unexpected end of label value \"1\""],
  "text/type-once.invalid.prom": ["2 text/type-once: second TYPE line for metric name \"a\", or TYPE reported after samples"],
  "text/type.invalid.prom": ["1 text/type: unknown metric type \"info\""],
  "text/value.invalid.prom": ["1 text/value: expected integer as timestamp, got \"1.5\""],
};

const formatOf = (file: string) => (file.startsWith("text/") ? "text" : "openmetrics");
const ruleOf = (file: string) => `${formatOf(file)}/${(file.split("/")[1] as string).split(".")[0]}`;

function findings(file: string): string[] {
  const { body, invalidUtf8 } = decodeBody(readFileSync(join(SPEC_CORPUS, file)));
  const exposition = parseExposition(body, formatOf(file), { recover: true, invalidUtf8 });
  const error = exposition.parseError;
  return [
    ...(error ? [`${error.line} ${error.rule}: ${error.detail}`] : []),
    ...exposition.violations.map((v) => `${v.line} ${v.rule}: ${v.detail}`),
  ];
}

describe("exposition rule corpus", () => {
  const files = corpusFiles();

  it("has a valid and an invalid body for every rule, and only for known rules", () => {
    for (const rule of SPEC_RULES.keys()) {
      expect(files.filter((f) => ruleOf(f) === rule && f.includes(".valid")), rule).not.toHaveLength(0);
      expect(files.filter((f) => ruleOf(f) === rule && f.includes(".invalid")), rule).not.toHaveLength(0);
    }
    for (const file of files) expect(SPEC_RULES.has(ruleOf(file)), file).toBe(true);
  });

  it("docs/check.md lists every rule with its severity and source", () => {
    const docs = readFileSync(join(REPO_ROOT, "docs", "check.md"), "utf8");
    for (const rule of SPEC_RULES.values()) {
      const row = docs.split("\n").find((l) => l.startsWith(`| \`${rule.id}\` |`));
      expect(row, rule.id).toBeDefined();
      expect(row).toContain(`| ${rule.severity} |`);
      expect(row).toContain(rule.source);
    }
  });

  it.each(files)("%s", (file) => {
    const found = findings(file);
    expect(found).toEqual(FINDINGS[file] ?? []);
    if (file.includes(".valid")) expect(found).toEqual([]);
    else expect(found.some((f) => f.split(" ")[1] === `${ruleOf(file)}:`), `${file} breaks ${ruleOf(file)}`).toBe(true);
    // Without recovery the first error is thrown, the same one; bodies without one parse.
    const { body, invalidUtf8 } = decodeBody(readFileSync(join(SPEC_CORPUS, file)));
    const strict = () => parseExposition(body, formatOf(file), { invalidUtf8 });
    const first = found[0];
    if (first && SPEC_RULES.get(first.split(" ")[1]?.replace(/:$/, "") as string)?.severity === "error") {
      expect(strict).toThrow(ExpositionParseError);
      try {
        strict();
      } catch (error) {
        expect(`${(error as ExpositionParseError).line} ${(error as ExpositionParseError).rule}: ${(error as ExpositionParseError).detail}`).toBe(first);
      }
    } else {
      expect(strict().violations.length).toBe(found.length);
    }
  });
});
