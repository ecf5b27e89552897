import { ExpositionParseError, type Exemplar, type Label, type Sample } from "./exposition.js";
import { goQuote, parseOmNumber, parseOmTimestamp } from "./parse-number.js";
import { hasInvalidUtf8 } from "./parse-utf8.js";
import { violation, type SpecViolation } from "./spec-rules.js";

/**
 * One OpenMetrics 1.0 sample line, read by its ABNF:
 *   metricname [ "{" label *( "," label ) "}" ] SP number [ SP timestamp ] [ SP "#" SP labels SP number [ SP timestamp ] ]
 * Unlike the text format there is no optional whitespace: exactly one space separates tokens.
 * What Prometheus rejects throws; what only the specification forbids (escapes other than
 * \\, \" and \n, reserved label names, long exemplars) is added to `out` and read the way
 * Prometheus reads it (an unknown escape stays as written).
 */
export type OmSampleLine = Sample;

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME = /[a-zA-Z_][a-zA-Z0-9_]*/y;
/** OpenMetrics caps an exemplar's label set (names plus values) at 128 UTF-8 characters. */
export const EXEMPLAR_LABELS_MAX_CHARS = 128;

type Fail = (message: string, rule?: string) => never;

/** `utf8` asks to look for bytes that were not valid UTF-8 (decodeBody marked them). */
export function parseOmSampleLine(text: string, line: number, out: SpecViolation[], utf8 = false): OmSampleLine {
  const fail: Fail = (message, rule = "openmetrics/sample") => {
    throw new ExpositionParseError(line, message, rule);
  };
  const warn = (rule: string, detail: string) => out.push(violation(rule, line, detail));
  const name = METRIC_NAME.exec(text)?.[0];
  if (!name) fail(`invalid metric name at the start of ${goQuote(text)}`);
  let i = (name as string).length;
  let labels: Label[] = [];
  if (text[i] === "{") [labels, i] = readLabelSet(text, i, fail, warn, false, utf8);
  if (text[i] !== " ") fail(`expected a single space before the value of ${name}`);
  const tokens = text.slice(i + 1).split(" ");
  const [valueText = "", ...rest] = tokens;
  const value = parseOmNumber(valueText);
  if (value === undefined) fail(`expected a number as value, got ${goQuote(valueText)}`, valueText === "" ? "openmetrics/sample" : "openmetrics/number");
  const sample: OmSampleLine = { name: name as string, labels, value: value as number, line };
  if (rest.length > 0 && rest[0] !== "#") {
    const timestampText = rest.shift() as string;
    const timestampMs = parseOmTimestamp(timestampText);
    if (timestampMs === undefined) fail(`expected a timestamp in seconds, got ${goQuote(timestampText)}`, timestampText === "" ? "openmetrics/sample" : "openmetrics/timestamp");
    sample.timestampMs = timestampMs;
  }
  if (rest.length === 0) return sample;
  if (rest[0] !== "#") fail(`unexpected ${goQuote(rest.join(" "))} after the sample`);
  sample.exemplar = readExemplar(rest.slice(1).join(" "), fail, warn, utf8);
  return sample;
}

function readExemplar(text: string, fail: Fail, warn: (rule: string, detail: string) => void, utf8: boolean): Exemplar {
  const rule = "openmetrics/exemplar";
  if (text[0] !== "{") fail(`expected "{" to start the exemplar's label set, got ${goQuote(text)}`, rule);
  const [labels, end] = readLabelSet(text, 0, fail, warn, true, utf8);
  const size = labels.reduce((total, l) => total + [...l.name].length + [...l.value].length, 0);
  if (size > EXEMPLAR_LABELS_MAX_CHARS) warn("openmetrics/exemplar-length", `the exemplar's labels are ${size} characters long`);
  if (text[end] !== " ") fail("expected a single space before the exemplar value", rule);
  const [valueText = "", timestampText, ...extra] = text.slice(end + 1).split(" ");
  const value = parseOmNumber(valueText);
  if (value === undefined) fail(`expected a number as exemplar value, got ${goQuote(valueText)}`, rule);
  const exemplar: Exemplar = { labels, value: value as number };
  if (timestampText !== undefined) {
    const timestampMs = parseOmTimestamp(timestampText);
    if (timestampMs === undefined) fail(`expected an exemplar timestamp in seconds, got ${goQuote(timestampText)}`, rule);
    exemplar.timestampMs = timestampMs;
  }
  if (extra.length > 0) fail(`unexpected ${goQuote(extra.join(" "))} after the exemplar`, rule);
  return exemplar;
}

/** Reads `{a="1",b="2"}` starting at the brace; returns the labels and the index after `}`. */
function readLabelSet(
  text: string, open: number, fail: Fail, warn: (rule: string, detail: string) => void, exemplar: boolean, utf8: boolean,
): [Label[], number] {
  const labels: Label[] = [];
  const rule = exemplar ? "openmetrics/exemplar" : "openmetrics/label-set";
  let i = open + 1;
  if (text[i] === "}") return [labels, i + 1];
  for (;;) {
    LABEL_NAME.lastIndex = i;
    const name = LABEL_NAME.exec(text)?.[0];
    if (!name) fail(`expected a label name at ${goQuote(text.slice(i, i + 20))}`, rule);
    i += (name as string).length;
    if (text.slice(i, i + 2) !== '="') fail(`expected '="' after label name ${name}`, rule);
    let value = "";
    i += 2;
    for (;;) {
      const run = i;
      while (i < text.length && text[i] !== '"' && text[i] !== "\\") i++;
      value += text.slice(run, i);
      const c = text[i];
      if (c === undefined || (c === "\\" && i + 1 >= text.length)) fail(`label value of ${name} is not closed`, rule);
      if (c === '"') break;
      if (c === "\\") {
        const next = text[i + 1] as string;
        if (next === "\\" || next === '"') value += next;
        else if (next === "n") value += "\n";
        else {
          warn("openmetrics/escape", `escape sequence '\\${next}' in the value of ${name}`);
          value += `\\${next}`;
        }
        i += 2;
      }
    }
    if (utf8 && hasInvalidUtf8(value)) fail("invalid UTF-8 label value", "openmetrics/utf8");
    if (!exemplar && (name === "__name__" || labels.some((l) => l.name === name))) fail(`label name "${name}" is not unique`, "openmetrics/label-unique");
    if (!exemplar && (name as string).startsWith("__")) warn("openmetrics/label-reserved", `label ${name}`);
    labels.push({ name: name as string, value });
    i++;
    if (text[i] === "}") return [labels, i + 1];
    if (text[i] !== ",") fail(`expected "," or "}" after the value of label ${name}`, rule);
    i++;
  }
}
