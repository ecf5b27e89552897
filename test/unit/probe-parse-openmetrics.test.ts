import { describe, expect, it } from "vitest";
import { ExpositionParseError } from "../../src/probe/exposition.js";
import { detectFormat, formatForContentType, parseExposition } from "../../src/probe/parse-exposition.js";
import { parseOpenMetrics } from "../../src/probe/parse-openmetrics.js";

const om = (...lines: string[]) => `${lines.join("\n")}\n# EOF\n`;

function parseError(body: string): { line: number; detail: string; rule: string } {
  try {
    parseOpenMetrics(body);
  } catch (error) {
    if (error instanceof ExpositionParseError) return { line: error.line, detail: error.detail, rule: error.rule };
    throw error;
  }
  throw new Error("expected a parse error");
}

describe("parseOpenMetrics: OpenMetrics 1.0", () => {
  it("names counters and infos like the text format, keeps HELP/UNIT and groups _total with _created", () => {
    const parsed = parseOpenMetrics(om(
      "# TYPE orders counter", "# UNIT orders ", '# HELP orders Orders, "quoted" and a \\\\ backslash.',
      'orders_total{shop="a"} 3', 'orders_created{shop="a"} 1700000000.5', "# TYPE build info", 'build_info{v="1"} 1',
    ));
    const [orders, build] = parsed.families;
    expect(orders).toMatchObject({ name: "orders_total", omName: "orders", type: "counter", help: 'Orders, "quoted" and a \\ backslash.', unit: "" });
    expect(orders?.series).toHaveLength(1);
    expect(orders?.series[0]?.samples.map((s) => s.name)).toEqual(["orders_total", "orders_created"]);
    expect(orders?.series[0]?.samples[1]?.value).toBe(1700000000.5);
    expect(build).toMatchObject({ name: "build_info", omName: "build", type: "info" });
  });

  it("reads exemplars and fractional-second timestamps", () => {
    const parsed = parseOpenMetrics(om(
      "# TYPE d_seconds histogram",
      'd_seconds_bucket{le="0.1"} 2 1700000000.25 # {trace_id="abc def"} 0.05 1700000000.125',
      'd_seconds_bucket{le="+Inf"} 3', "d_seconds_count 3", "d_seconds_sum 0.4",
    ));
    const bucket = parsed.families[0]?.series[0]?.samples[0];
    expect(bucket?.timestampMs).toBe(1700000000250);
    expect(bucket?.exemplar).toEqual({ labels: [{ name: "trace_id", value: "abc def" }], value: 0.05, timestampMs: 1700000000125 });
  });

  it("accepts every OpenMetrics type and a body without a final newline after # EOF", () => {
    const parsed = parseOpenMetrics([
      "# TYPE g gauge", "g 1", "# TYPE u unknown", "u 2", "# TYPE s summary", 's{quantile="0.5"} 1', "s_count 2", "s_sum 3",
      "# TYPE gh gaugehistogram", 'gh_bucket{le="+Inf"} 1', "gh_gcount 1", "gh_gsum 2",
      "# TYPE st stateset", 'st{st="a"} 1', 'st{st="b"} 0', "# EOF",
    ].join("\n"));
    expect(parsed.families.map((f) => `${f.name}:${f.type}`)).toEqual(["g:gauge", "u:untyped", "s:summary", "gh:gaugehistogram", "st:stateset"]);
  });

  // What Prometheus 2.42 refuses to scrape: a parse error, worded like Prometheus where it has words.
  it.each([
    ["no # EOF", "x 1\n", 1, "data does not end with # EOF", "openmetrics/eof"],
    ["an empty body", "", 1, "data does not end with # EOF", "openmetrics/eof"],
    ["content after # EOF", "x 1\n# EOF\ny 2\n", 3, "unexpected data after # EOF", "openmetrics/after-eof"],
    ["a line after # EOF's newline", "x 1\n# EOF\n\n", 3, "unexpected data after # EOF", "openmetrics/after-eof"],
    ["blank line", om("x 1", "", "y 2"), 2, "blank line", "openmetrics/blank-line"],
    ["free comment", om("# hello"), 1, 'invalid line "# hello"', "openmetrics/comment"],
    ["unknown type", om("# TYPE x untyped"), 1, 'invalid metric type "untyped"', "openmetrics/type"],
    ["type with a trailing space", om("# TYPE x gauge "), 1, 'invalid metric type "gauge "', "openmetrics/type"],
    ["exemplar on a gauge", om("# TYPE g gauge", 'g 1 # {t="x"} 1'), 2, "metric name g does not support exemplars", "openmetrics/exemplar-sample"],
    ["space in a label set", om('x{a="1", b="2"} 1'), 1, 'expected a label name at " b=\\"2\\"} 1"', "openmetrics/label-set"],
    ["trailing comma", om('x{a="1",} 1'), 1, 'expected a label name at "} 1"', "openmetrics/label-set"],
    ["double space", om("x  1"), 1, 'expected a number as value, got ""', "openmetrics/sample"],
    ["text timestamp", om("x 1 abc"), 1, 'expected a timestamp in seconds, got "abc"', "openmetrics/timestamp"],
    ["unit not a suffix", om("# TYPE x gauge", "# UNIT x seconds"), 2, 'unit not a suffix of metric "x"', "openmetrics/unit-suffix"],
    ["unit that is the whole name", om("# TYPE seconds gauge", "# UNIT seconds seconds"), 2, 'unit not a suffix of metric "seconds"', "openmetrics/unit-suffix"],
    ["duplicate label", om('x{a="1",a="2"} 1'), 1, 'label name "a" is not unique', "openmetrics/label-unique"],
    ["__name__ as a label", om('x{__name__="y"} 1'), 1, 'label name "__name__" is not unique', "openmetrics/label-unique"],
  ])("rejects %s at the right line", (_name, body, line, detail, rule) => {
    expect(parseError(body)).toEqual({ line, detail, rule });
  });

  // What the specification forbids but Prometheus 2.42 ingests: reported, not rejected.
  it.each([
    ["second TYPE", om("# TYPE x gauge", "# TYPE x gauge", "x 1"), ["2 openmetrics/descriptor-once: second # TYPE for x"]],
    ["descriptor after samples", om("# TYPE x gauge", "x 1", "# HELP x late"), ["3 openmetrics/descriptor-first: # HELP x after its samples"]],
    ["interleaved family", om("# TYPE a gauge", "a 1", "# TYPE b gauge", "b 1", 'a{x="2"} 2'), ["5 openmetrics/family-contiguous: a (line 1) continues after another family"]],
    ["counter without _total", om("# TYPE c counter", "c 1"), ["2 openmetrics/sample-name: c in counter family c"]],
    ["negative counter", om("# TYPE c counter", "c_total -1"), ["2 openmetrics/counter-total: c_total is -1"]],
    ["bucket without le", om("# TYPE h histogram", "h_bucket 1", 'h_bucket{le="+Inf"} 1'), ["2 openmetrics/le: h_bucket has no le label"]],
    ["quantile out of range", om("# TYPE s summary", 's{quantile="2"} 1'), ['2 openmetrics/quantile: quantile="2"']],
    ["info not 1", om("# TYPE i info", "i_info 2"), ["2 openmetrics/info-value: i_info is 2"]],
    ["stateset without its label", om("# TYPE st stateset", 'st{x="a"} 1'), ["2 openmetrics/stateset: st has no label st"]],
    ["long exemplar", om("# TYPE c counter", `c_total 1 # {t="${"x".repeat(130)}"} 1`), ["2 openmetrics/exemplar-length: the exemplar's labels are 131 characters long"]],
    ["\\t in a label value and in HELP", om("# HELP x a\\tb", 'x{a="\\t"} 1'), ["1 openmetrics/escape: escape sequence '\\t' in HELP", "2 openmetrics/escape: escape sequence '\\t' in the value of a"]],
  ])("accepts %s and reports it", (_name, body, expected) => {
    const parsed = parseOpenMetrics(body);
    expect(parsed.violations.map((v) => `${v.line} ${v.rule}: ${v.detail}`)).toEqual(expected);
    expect(parsed.violations.every((v) => v.severity === "warning")).toBe(true);
  });

  it("keeps an unknown escape as written, the way Prometheus stores it", () => {
    const parsed = parseOpenMetrics(om('x{a="1\\t2"} 1'));
    expect(parsed.families[0]?.series[0]?.labels).toEqual([{ name: "a", value: "1\\t2" }]);
  });

  it("recovers: skips the lines that do not parse, keeps the first error and the rest of the families", () => {
    const parsed = parseOpenMetrics(om("# TYPE a gauge", "a 1", "b  2", "# TYPE c gauge", "c 3", "d x"), { recover: true });
    expect(parsed.parseError).toMatchObject({ line: 3, rule: "openmetrics/sample" });
    expect(parsed.skippedLines).toBe(2);
    expect(parsed.families.map((f) => f.name)).toEqual(["a", "c"]);
  });
});

describe("format detection and Content-Type", () => {
  it.each([
    ["x 1\n# EOF\n", "openmetrics"],
    ["x 1\n# EOF", "openmetrics"],
    ["x 1\n", "text"],
    ["# EOF\nx 1\n", "text"],
    ["", "text"],
  ])("detectFormat(%j) is %s", (body, format) => {
    expect(detectFormat(body)).toBe(format);
  });

  it.each([
    ["application/openmetrics-text; version=1.0.0; charset=utf-8", "openmetrics"],
    ["Application/OpenMetrics-Text;version=0.0.1", "openmetrics"],
    ["text/plain; version=0.0.4; charset=utf-8", "text"],
    ["application/json", "text"],
    [undefined, "text"],
  ])("Prometheus parses %s as %s", (header, format) => {
    expect(formatForContentType(header)).toBe(format);
  });

  it("parseExposition picks the parser from the body when no format is given", () => {
    expect(parseExposition("# TYPE c counter\nc_total 1\n# EOF\n").families[0]?.name).toBe("c_total");
    // As text, the same lines are an empty counter "c" and an untyped "c_total" (what promtool sees).
    expect(parseExposition("# TYPE c counter\nc_total 1\n").families.map((f) => `${f.name}:${f.type}`)).toEqual(["c:counter", "c_total:untyped"]);
  });
});
