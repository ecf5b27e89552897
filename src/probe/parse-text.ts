import {
  ExpositionParseError,
  formatLabels,
  labelValue,
  labelsKey,
  type Exposition,
  type FamilyType,
  type ParseOptions,
  type Label,
  type MetricFamily,
  type MetricSeries,
  type Sample,
} from "./exposition.js";
import { goQuote, goQuoteChar, parseGoFloat, parseGoInt64 } from "./parse-number.js";
import { Recovery } from "./parse-recover.js";
import { hasInvalidUtf8 } from "./parse-utf8.js";
import { checkShape } from "./spec-shape.js";
import { violation, type SpecViolation } from "./spec-rules.js";

/**
 * Parser for the Prometheus text format 0.0.4 that mirrors `expfmt.TextParser` (the parser
 * promtool lints with) state by state: the same grouping of `_bucket`/`_sum`/`_count` lines
 * into families, the same strictness (a trailing blank after the value is a bad timestamp, a
 * missing final newline is a premature end) and the same error wording and line numbers.
 * What the format's documentation requires but expfmt lets through (a family split into
 * groups, a repeated sample, histogram and summary shape) is reported as violations.
 */
const EOF = "";
const TYPES: Record<string, FamilyType> = {
  COUNTER: "counter",
  GAUGE: "gauge",
  SUMMARY: "summary",
  UNTYPED: "untyped",
  HISTOGRAM: "histogram",
  GAUGE_HISTOGRAM: "gaugehistogram",
};

// Character classes by code unit: these run once per byte of a scrape, so no regexes here.
// charCodeAt of "" (end of input) is NaN, which no range accepts.
const isLetter = (c: string) => {
  const x = c.charCodeAt(0);
  return (x >= 97 && x <= 122) || (x >= 65 && x <= 90) || x === 95;
};
const isDigit = (c: string) => {
  const x = c.charCodeAt(0);
  return x >= 48 && x <= 57;
};
const isBlank = (c: string) => c === " " || c === "\t";
const isNameStart = (c: string) => isLetter(c) || c === ":";
const isNameChar = (c: string) => isLetter(c) || isDigit(c) || c === ":";
const isLabelStart = isLetter;
const isLabelChar = (c: string) => isLetter(c) || isDigit(c);
const isToken = (c: string) => !isBlank(c) && c !== "\n";
const isNotNewline = (c: string) => c !== "\n";

interface TextFamily extends MetricFamily {
  typeDeclared: boolean;
  /** Whether a line of this family was read already. */
  touched?: boolean;
  /** Series by label signature: histograms/summaries group by it, as expfmt does; others find repeats. */
  bySignature: Map<string, MetricSeries>;
}

export function parseText(body: string, options: ParseOptions = {}): Exposition {
  const parser = new TextParser(options.invalidUtf8 === true);
  const lines = body.split("\n");
  const last = lines.pop() ?? "";
  if (!options.recover) {
    for (let index = 0; index < lines.length; index++) parser.parseLine(lines[index] as string, index + 1, true);
    if (last !== "") parser.parseLine(last, lines.length + 1, false);
    return parser.result();
  }
  const recovery = new Recovery(true);
  lines.forEach((text, index) => recovery.line(() => parser.parseLine(text, index + 1, true)));
  if (last !== "") recovery.line(() => parser.parseLine(last, lines.length + 1, false));
  return recovery.finish(parser.result());
}

class TextParser {
  constructor(private readonly utf8: boolean) {}

  private readonly families = new Map<string, TextFamily>();
  private text = "";
  private lineNo = 0;
  private terminated = true;
  /** Where the last readWhile/readName/labelValue stopped (saves a tuple per token). */
  private end = 0;
  private sampleCount = 0;
  /** The family the previous HELP, TYPE or sample line belonged to. */
  private current: TextFamily | undefined;
  private readonly violations: SpecViolation[] = [];

  result(): Exposition {
    const families = [...this.families.values()].map(({ typeDeclared: _t, bySignature: _b, touched: _v, ...family }) => family);
    for (const family of families) checkShape({ base: family.name, type: family.type, series: family.series }, "text", this.violations);
    const violations = this.violations.sort((a, b) => a.line - b.line);
    return { format: "text", families, sampleCount: this.sampleCount, violations };
  }

  parseLine(text: string, lineNo: number, terminated: boolean): void {
    this.text = text;
    this.lineNo = lineNo;
    this.terminated = terminated;
    const i = this.skipBlankRaw(-1);
    const c = this.at(i);
    if (c === EOF || c === "\n") return;
    if (c === "#") this.comment(i);
    else this.sample(i);
  }

  /** The byte at `i`: the line's own text, then its newline, then EOF for an unterminated last line. */
  private at(i: number): string {
    if (i < this.text.length) return this.text[i] as string;
    return i === this.text.length && this.terminated ? "\n" : EOF;
  }

  private fail(message: string, rule = "text/syntax"): never {
    throw new ExpositionParseError(this.lineNo, message, rule);
  }

  /** expfmt reports io.EOF in the middle of a line as this. */
  private need(i: number): number {
    if (this.at(i) === EOF) this.fail("unexpected end of input stream", "text/newline");
    return i;
  }

  /** Advances past the current byte, then past blanks and tabs (expfmt's skipBlankTab). */
  private skipBlankRaw(i: number): number {
    let j = i + 1;
    while (isBlank(this.at(j))) j++;
    return j;
  }

  /** skipBlankRaw where running out of input is an error: anywhere but at the start of a line. */
  private skipBlank(i: number): number {
    return this.need(this.skipBlankRaw(i));
  }

  /** Reads while `accept` holds; returns the text and leaves the index after it in `end`. */
  private readWhile(i: number, accept: (c: string) => boolean): string {
    let j = i;
    while (this.at(j) !== EOF && accept(this.at(j))) j++;
    this.need(j);
    this.end = j;
    return this.text.slice(i, j);
  }

  /** A metric or label name: empty (and nothing consumed) when the first byte cannot start one. */
  private readName(i: number, start: (c: string) => boolean, rest: (c: string) => boolean): string {
    this.end = i;
    if (!start(this.at(i))) return "";
    this.readWhile(i + 1, rest);
    return this.text.slice(i, this.end);
  }

  private comment(hash: number): void {
    let i = this.skipBlank(hash);
    if (this.at(i) === "\n") return;
    let keyword: string;
    keyword = this.readWhile(i, isToken);
    i = this.end;
    if (this.at(i) === "\n") return;
    if (keyword !== "HELP" && keyword !== "TYPE") {
      this.readWhile(i, isNotNewline);
      return;
    }
    i = this.skipBlank(i);
    let name: string;
    name = this.readName(i, isNameStart, isNameChar);
    i = this.end;
    if (this.at(i) === "\n") return;
    if (!isBlank(this.at(i))) this.fail("invalid metric name in comment");
    const family = this.enter(this.familyFor(name));
    i = this.skipBlank(i);
    if (this.at(i) === "\n") return;
    if (keyword === "HELP") this.help(family, i);
    else this.type(family, i);
  }

  private help(family: TextFamily, i: number): void {
    if (family.help !== undefined) this.fail(`second HELP line for metric name ${goQuote(family.name)}`, "text/help-once");
    let help = "";
    let j = i;
    for (;;) {
      const c = this.at(this.need(j));
      if (c === "\n") break;
      if (c === "\\") {
        const next = this.at(this.need(j + 1));
        if (next === "\\") help += "\\";
        else if (next === "n") help += "\n";
        else this.fail(`invalid escape sequence '\\${next}'`, "text/escape");
        j += 2;
        continue;
      }
      help += c;
      j++;
    }
    family.help = help;
  }

  private type(family: TextFamily, i: number): void {
    if (family.typeDeclared || family.series.length > 0) {
      this.fail(`second TYPE line for metric name ${goQuote(family.name)}, or TYPE reported after samples`, "text/type-once");
    }
    const token = this.readWhile(i, isNotNewline);
    const type = TYPES[token.toUpperCase()];
    if (!type) this.fail(`unknown metric type ${goQuote(token)}`, "text/type");
    family.type = type;
    family.typeDeclared = true;
  }

  /** expfmt's setOrCreateCurrentMF: `x_count`/`x_sum`/`x_bucket` join an existing summary or histogram `x`. */
  private familyFor(name: string): TextFamily {
    const exact = this.families.get(name);
    if (exact) return exact;
    const isCount = name.length > 6 && name.endsWith("_count");
    const isSum = name.length > 4 && name.endsWith("_sum");
    const isBucket = name.length > 7 && name.endsWith("_bucket");
    const trimmed = isCount ? name.slice(0, -6) : isSum ? name.slice(0, -4) : undefined;
    const summary = trimmed === undefined ? undefined : this.families.get(trimmed);
    if (summary?.type === "summary" && summary.typeDeclared) return summary;
    const histogramName = trimmed ?? (isBucket ? name.slice(0, -7) : undefined);
    const histogram = histogramName === undefined ? undefined : this.families.get(histogramName);
    if (histogram?.type === "histogram" && histogram.typeDeclared) return histogram;
    const family: TextFamily = {
      name, type: "untyped", line: this.lineNo, series: [], typeDeclared: false, bySignature: new Map(),
    };
    this.families.set(name, family);
    return family;
  }

  private sample(start: number): void {
    const name = this.readName(start, isNameStart, isNameChar);
    let i = this.end;
    if (name === "") this.fail("invalid metric name");
    const family = this.enter(this.familyFor(name));
    if (isBlank(this.at(i))) i = this.skipBlank(i);
    const labels: Label[] = [];
    if (this.at(i) === "{") i = this.labels(family, labels, i);
    const valueText = this.readWhile(i, isToken);
    const afterValue = this.end;
    const value = parseGoFloat(valueText);
    if (value === undefined) this.fail(`expected float as value, got ${goQuote(valueText)}`, "text/value");
    const sample: Sample = { name, labels, value, line: this.lineNo };
    if (this.at(afterValue) !== "\n") sample.timestampMs = this.timestamp(afterValue);
    this.addSample(family, sample);
  }

  private labels(family: TextFamily, labels: Label[], open: number): number {
    const special = family.type === "histogram" ? "le" : family.type === "summary" ? "quantile" : undefined;
    let i = this.skipBlank(open);
    while (this.at(i) !== "}") {
      let name: string;
      name = this.readName(i, isLabelStart, isLabelChar);
      i = this.end;
      if (name === "") this.fail(`invalid label name for metric ${goQuote(family.name)}`);
      if (isBlank(this.at(i))) i = this.skipBlank(i);
      if (this.at(i) !== "=") this.fail(`expected '=' after label name, found ${goQuoteChar(this.at(i))}`);
      if (name === "__name__") this.fail(`label name "__name__" is reserved`, "text/label-unique");
      if (name !== special) {
        for (const l of labels) if (l.name === name) this.fail(`duplicate label names for metric ${goQuote(family.name)}`, "text/label-unique");
      }
      i = this.skipBlank(i);
      if (this.at(i) !== '"') this.fail(`expected '"' at start of label value, found ${goQuoteChar(this.at(i))}`);
      let value: string;
      value = this.labelValue(i);
      i = this.end;
      if (this.utf8 && hasInvalidUtf8(value)) this.fail(`invalid label value ${goQuote(value)}`, "text/utf8");
      if (name === special && parseGoFloat(value) === undefined) {
        this.fail(`expected float as value for '${special}' label, got ${goQuote(value)}`, "text/value");
      }
      if (name.startsWith("__")) this.violations.push(violation("text/label-reserved", this.lineNo, `label ${name}`));
      labels.push({ name, value });
      i = this.skipBlank(i);
      if (this.at(i) === ",") i = this.skipBlank(i);
      else if (this.at(i) !== "}") this.fail(`unexpected end of label value ${goQuote(value)}`);
    }
    return this.skipBlank(i);
  }

  /** Reads a quoted label value starting at its opening quote; leaves the closing quote's index in `end`. */
  private labelValue(quote: number): string {
    let value = "";
    let j = quote + 1;
    for (;;) {
      // Copy the run of ordinary characters in one slice; stop at a quote, escape or line end.
      let end = j;
      while (end < this.text.length && this.text[end] !== '"' && this.text[end] !== "\\") end++;
      value += this.text.slice(j, end);
      j = end;
      const c = this.at(this.need(j));
      if (c === '"') {
        this.end = j;
        return value;
      }
      if (c === "\n") this.fail(`label value ${goQuote(value)} contains unescaped new-line`);
      if (c === "\\") {
        const next = this.at(this.need(j + 1));
        if (next === '"' || next === "\\") value += next;
        else if (next === "n") value += "\n";
        else this.fail(`invalid escape sequence '\\${next}'`, "text/escape");
        j += 2;
        continue;
      }
      value += c;
      j++;
    }
  }

  private timestamp(afterValue: number): number {
    const i = this.skipBlank(afterValue);
    const text = this.readWhile(i, isToken);
    const end = this.end;
    const timestamp = parseGoInt64(text);
    if (timestamp === undefined) this.fail(`expected integer as timestamp, got ${goQuote(text)}`, "text/value");
    const rest = this.readWhile(end, isNotNewline);
    if (rest.length > 0) this.fail(`spurious string after timestamp: ${goQuote(rest)}`);
    return timestamp;
  }

  /**
   * Notes the family a line belongs to; coming back to one after another family's lines breaks
   * "one single group". expfmt merges the groups, and so does this parser.
   */
  private enter(family: TextFamily): TextFamily {
    if (family !== this.current) {
      if (family.touched) this.violations.push(violation("text/family-contiguous", this.lineNo, `${family.name} (line ${family.line}) continues after another family`));
      family.touched = true;
      this.current = family;
    }
    return family;
  }

  private duplicate(sample: Sample, earlier: number): void {
    this.violations.push(violation("text/sample-unique", sample.line, `${sample.name}${formatLabels(sample.labels)} is on line ${earlier} too`));
  }

  private addSample(family: TextFamily, sample: Sample): void {
    this.sampleCount++;
    const grouped = family.type === "histogram" || family.type === "summary";
    const special = family.type === "histogram" ? "le" : "quantile";
    const key = labelsKey(sample.labels, grouped ? special : undefined);
    const existing = family.bySignature.get(key);
    if (!grouped) {
      // Each sample is its own series: the same key again is the same sample again.
      const series: MetricSeries = { labels: sample.labels, samples: [sample], line: sample.line };
      if (existing) this.duplicate(sample, existing.line);
      else family.bySignature.set(key, series);
      family.series.push(series);
      return;
    }
    if (existing) {
      // A series holds a handful of samples: a scan is cheaper than a key per sample.
      const value = labelValue(sample.labels, special);
      const same = existing.samples.find((s) => s.name === sample.name && labelValue(s.labels, special) === value);
      if (same) this.duplicate(sample, same.line);
      existing.samples.push(sample);
      return;
    }
    const series: MetricSeries = { labels: sample.labels.filter((l) => l.name !== special), samples: [sample], line: sample.line };
    family.bySignature.set(key, series);
    family.series.push(series);
  }
}
