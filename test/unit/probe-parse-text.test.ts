import { describe, expect, it } from "vitest";
import { ExpositionParseError, type Exposition } from "../../src/probe/exposition.js";
import { parseGoFloat, parseGoInt64, goQuote } from "../../src/probe/parse-number.js";
import { parseText } from "../../src/probe/parse-text.js";

const family = (exposition: Exposition, name: string) => exposition.families.find((f) => f.name === name);

function parseError(body: string): { line: number; detail: string } {
  try {
    parseText(body);
  } catch (error) {
    if (error instanceof ExpositionParseError) return { line: error.line, detail: error.detail };
    throw error;
  }
  throw new Error("expected a parse error");
}

describe("parseText: Prometheus text format 0.0.4 as expfmt reads it", () => {
  it("reads HELP, TYPE, labels, values and timestamps with line numbers", () => {
    const parsed = parseText('# HELP a_total Requests.\n# TYPE a_total counter\na_total{method="GET",code="200"} 3 1700000000000\n');
    const a = family(parsed, "a_total");
    expect(a).toMatchObject({ type: "counter", help: "Requests.", line: 1 });
    expect(a?.series[0]?.samples[0]).toEqual({
      name: "a_total", labels: [{ name: "method", value: "GET" }, { name: "code", value: "200" }], value: 3, timestampMs: 1700000000000, line: 3,
    });
  });

  it.each([
    ["backslash", "a\\\\b", "a\\b"],
    ["newline", "a\\nb", "a\nb"],
    ["unicode", "Zürich ✓", "Zürich ✓"],
  ])("unescapes HELP text: %s", (_name, raw, expected) => {
    expect(family(parseText(`# HELP x ${raw}\nx 1\n`), "x")?.help).toBe(expected);
  });

  it.each([
    ["quote", 'a\\"b', 'a"b'],
    ["backslash", "C:\\\\temp", "C:\\temp"],
    ["newline", "one\\ntwo", "one\ntwo"],
    ["empty", "", ""],
  ])("unescapes label values: %s", (_name, raw, expected) => {
    expect(parseText(`x{v="${raw}"} 1\n`).families[0]?.series[0]?.labels[0]?.value).toBe(expected);
  });

  it("groups histogram lines into one series per label set, without le", () => {
    const parsed = parseText([
      "# TYPE h histogram", 'h_bucket{le="0.1",r="/a"} 1', 'h_bucket{r="/a",le="+Inf"} 2', 'h_sum{r="/a"} 0.3', 'h_count{r="/a"} 2',
      'h_bucket{le="+Inf",r="/b"} 1', "",
    ].join("\n"));
    const h = family(parsed, "h");
    expect(h?.series.map((s) => s.labels)).toEqual([[{ name: "r", value: "/a" }], [{ name: "r", value: "/b" }]]);
    expect(h?.series[0]?.samples.map((s) => s.name)).toEqual(["h_bucket", "h_bucket", "h_sum", "h_count"]);
    expect(parsed.families.map((f) => f.name)).toEqual(["h"]);
  });

  it("keeps _count/_sum of a gauge as families of their own, as expfmt does", () => {
    const parsed = parseText("# TYPE g gauge\ng 1\ng_count 2\ng_sum 3\n");
    expect(parsed.families.map((f) => `${f.name}:${f.type}`)).toEqual(["g:gauge", "g_count:untyped", "g_sum:untyped"]);
  });

  it("merges a family that reappears later, and keeps declared-only families without series", () => {
    const parsed = parseText("# HELP e Empty.\n# TYPE e gauge\na 1\nb 2\na 3\n");
    expect(family(parsed, "a")?.series).toHaveLength(2);
    expect(family(parsed, "e")?.series).toEqual([]);
  });

  it("accepts blanks and tabs where expfmt does", () => {
    const parsed = parseText('\t x { a = "1" , b="2", }\t 3\n#\tTYPE y gauge\ny{} 4\n');
    expect(family(parsed, "x")?.series[0]?.labels).toEqual([{ name: "a", value: "1" }, { name: "b", value: "2" }]);
    expect(family(parsed, "y")?.type).toBe("gauge");
  });

  it.each([
    ["no final newline", "x 1", 1, "unexpected end of input stream"],
    ["trailing blank after the value", "x 1 \n", 1, 'expected integer as timestamp, got ""'],
    ["CRLF", "x 1\r\n", 1, 'expected float as value, got "1\\r"'],
    ["float timestamp", "x 1 1.5\n", 1, 'expected integer as timestamp, got "1.5"'],
    ["spurious text", "x 1 2 3\n", 1, 'spurious string after timestamp: " 3"'],
    ["bad value", "ok 1\nx abc\n", 2, 'expected float as value, got "abc"'],
    ["hex value", "x 0x1F\n", 1, 'expected float as value, got "0x1F"'],
    ["overflowing value", "x 1e400\n", 1, 'expected float as value, got "1e400"'],
    ["+nan", "x +nan\n", 1, 'expected float as value, got "+nan"'],
    ["bad escape in a label", 'x{a="\\q"} 1\n', 1, "invalid escape sequence '\\q'"],
    ["bad escape in HELP", "# HELP x a\\\"b\nx 1\n", 1, "invalid escape sequence '\\\"'"],
    ["newline in a label value", 'x{a="b\nc"} 1\n', 1, 'label value "b" contains unescaped new-line'],
    ["duplicate label", 'x{a="1",a="2"} 1\n', 1, 'duplicate label names for metric "x"'],
    ["__name__ label", 'x{__name__="y"} 1\n', 1, 'label name "__name__" is reserved'],
    ["label without value", "x{a} 1\n", 1, "expected '=' after label name, found '}'"],
    ["unquoted label value", "x{a=b} 1\n", 1, "expected '\"' at start of label value, found 'b'"],
    ["label name starting with a digit", 'x{1a="b"} 1\n', 1, 'invalid label name for metric "x"'],
    ["unterminated label set", 'x{a="b" 1\n', 1, 'unexpected end of label value "b"'],
    ["metric name starting with a digit", "9x 1\n", 1, "invalid metric name"],
    ["bad name in HELP", "# HELP x-y text\n", 1, "invalid metric name in comment"],
    ["unknown TYPE", "# TYPE x info\n", 1, 'unknown metric type "info"'],
    ["TYPE after samples", "x 1\n# TYPE x gauge\n", 2, 'second TYPE line for metric name "x", or TYPE reported after samples'],
    ["second HELP", "# HELP x a\n# HELP x b\n", 2, 'second HELP line for metric name "x"'],
    ["bad le", '# TYPE h histogram\nh_bucket{le="fast"} 1\n', 2, "expected float as value for 'le' label, got \"fast\""],
    ["bad quantile", '# TYPE s summary\ns{quantile="x"} 1\n', 2, "expected float as value for 'quantile' label, got \"x\""],
    ["lone hash at the end", "x 1\n#", 2, "unexpected end of input stream"],
  ])("rejects %s with expfmt's message and line", (_name, body, line, detail) => {
    expect(parseError(body)).toEqual({ line, detail });
  });

  it("treats an empty body and comment-only bodies as valid and empty", () => {
    expect(parseText("").families).toEqual([]);
    expect(parseText("# just a comment\n\n# EOF\n").families).toEqual([]);
  });
});

describe("Go number and quoting rules", () => {
  it.each([
    ["1", 1], ["-0.5", -0.5], [".5", 0.5], ["5.", 5], ["1e3", 1000], ["1E+2", 100], ["+Inf", Infinity], ["-inf", -Infinity],
    ["Infinity", Infinity], ["NaN", Number.NaN], ["nan", Number.NaN],
  ])("parseGoFloat accepts %s", (text, expected) => {
    expect(parseGoFloat(text)).toBe(expected);
  });

  it.each(["", "abc", "0x10", "1_000", "+nan", "1e", "1e400", "--1", "inf1", "0x1p3"])("parseGoFloat rejects %j", (text) => {
    expect(parseGoFloat(text)).toBeUndefined();
  });

  it.each([["123", 123], ["-5", -5], ["+7", 7], ["9223372036854775807", 9223372036854775807]])("parseGoInt64 accepts %s", (text, expected) => {
    expect(parseGoInt64(text)).toBe(expected);
  });

  it.each(["1.5", "", "9223372036854775808", "1e3"])("parseGoInt64 rejects %j", (text) => {
    expect(parseGoInt64(text)).toBeUndefined();
  });

  it("quotes like Go's %q", () => {
    expect(goQuote('a"b\\c\nd\te\x01')).toBe('"a\\"b\\\\c\\nd\\te\\x01"');
  });
});
