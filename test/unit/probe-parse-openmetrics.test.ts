import { describe, expect, it } from "vitest";
import { ExpositionParseError } from "../../src/probe/exposition.js";
import { detectFormat, formatForContentType, parseExposition } from "../../src/probe/parse-exposition.js";
import { parseOpenMetrics } from "../../src/probe/parse-openmetrics.js";

const om = (...lines: string[]) => `${lines.join("\n")}\n# EOF\n`;

function parseError(body: string): { line: number; detail: string } {
  try {
    parseOpenMetrics(body);
  } catch (error) {
    if (error instanceof ExpositionParseError) return { line: error.line, detail: error.detail };
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

  it.each([
    ["no # EOF", "x 1\n", 1, 'missing "# EOF": an OpenMetrics exposition must end with it'],
    ["content after # EOF", "x 1\n# EOF\ny 2\n", 3, 'content after "# EOF"'],
    ["blank line", om("x 1", "", "y 2"), 2, "empty line (OpenMetrics does not allow blank lines)"],
    ["free comment", om("# hello"), 1, 'invalid line "# hello": only "# HELP", "# TYPE", "# UNIT" and "# EOF" may start with "#"'],
    ["unknown type", om("# TYPE x untyped"), 1, 'unknown metric type "untyped" (OpenMetrics types: counter, gauge, histogram, gaugehistogram, summary, info, stateset, unknown)'],
    ["second TYPE", om("# TYPE x gauge", "# TYPE x gauge"), 2, 'second TYPE line for metric family "x"'],
    ["descriptor after samples", om("# TYPE x gauge", "x 1", "# HELP x late"), 3, '# HELP for "x" after its samples'],
    ["interleaved family", om("# TYPE a gauge", "a 1", "# TYPE b gauge", "b 1", "a 2"), 5, 'metric family "a" (line 1) continues after another family; its lines must be contiguous'],
    ["counter without _total", om("# TYPE c counter", "c 1"), 2, 'sample c does not fit counter family "c": expected c_total or c_created'],
    ["negative counter", om("# TYPE c counter", "c_total -1"), 2, "counter c_total must be a non-negative number, got -1"],
    ["bucket without le", om("# TYPE h histogram", "h_bucket 1"), 2, 'h_bucket needs an "le" label holding a number'],
    ["le on _count", om("# TYPE h histogram", 'h_count{le="1"} 1'), 2, '"le" is only allowed on h_bucket'],
    ["quantile out of range", om("# TYPE s summary", 's{quantile="2"} 1'), 2, 's needs a "quantile" label between 0 and 1'],
    ["info not 1", om("# TYPE i info", "i_info 2"), 2, "info i_info must have the value 1"],
    ["stateset without its label", om("# TYPE st stateset", 'st{x="a"} 1'), 2, 'stateset st needs a label named "st"'],
    ["exemplar on a gauge", om("# TYPE g gauge", 'g 1 # {t="x"} 1'), 2, "exemplars are only allowed on counter _total and histogram _bucket samples"],
    ["long exemplar", om("# TYPE c counter", `c_total 1 # {t="${"x".repeat(130)}"} 1`), 2, "exemplar labels are 131 characters long (OpenMetrics allows 128)"],
    ["space in a label set", om('x{a="1", b="2"} 1'), 1, 'expected a label name at " b=\\"2\\"} 1"'],
    ["trailing comma", om('x{a="1",} 1'), 1, 'expected a label name at "} 1"'],
    ["double space", om("x  1"), 1, 'expected a number as value, got ""'],
    ["integer-millisecond timestamp is fine but text is not", om("x 1 abc"), 1, 'expected a timestamp in seconds, got "abc"'],
    ["unit not a suffix", om("# TYPE x gauge", "# UNIT x seconds"), 2, 'unit "seconds" must be the suffix of the family name "x"'],
    ["bad escape", om('x{a="\\t"} 1'), 1, "invalid escape sequence '\\t' in label a"],
    ["duplicate label", om('x{a="1",a="2"} 1'), 1, "duplicate label name a"],
  ])("rejects %s at the right line", (_name, body, line, detail) => {
    expect(parseError(body)).toEqual({ line, detail });
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
