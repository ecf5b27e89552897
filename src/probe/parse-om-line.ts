import { ExpositionParseError, type Exemplar, type Label } from "./exposition.js";
import { goQuote, parseOmNumber, parseOmTimestamp } from "./parse-number.js";

/**
 * One OpenMetrics 1.0 sample line, read by its ABNF:
 *   metricname [ "{" label *( "," label ) "}" ] SP number [ SP timestamp ] [ SP "#" SP labels SP number [ SP timestamp ] ]
 * Unlike the text format there is no optional whitespace: exactly one space separates tokens.
 */
export interface OmSampleLine {
  name: string;
  labels: Label[];
  value: number;
  timestampMs?: number;
  exemplar?: Exemplar;
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME = /[a-zA-Z_][a-zA-Z0-9_]*/y;
/** OpenMetrics caps an exemplar's label set (names plus values) at 128 UTF-8 characters. */
export const EXEMPLAR_LABELS_MAX_CHARS = 128;

export function parseOmSampleLine(text: string, line: number): OmSampleLine {
  const fail = (message: string): never => {
    throw new ExpositionParseError(line, message);
  };
  const name = METRIC_NAME.exec(text)?.[0];
  if (!name) fail(`invalid metric name at the start of ${goQuote(text)}`);
  let i = (name as string).length;
  let labels: Label[] = [];
  if (text[i] === "{") [labels, i] = readLabelSet(text, i, fail);
  if (text[i] !== " ") fail(`expected a single space before the value of ${name}`);
  const tokens = text.slice(i + 1).split(" ");
  const [valueText = "", ...rest] = tokens;
  const value = parseOmNumber(valueText);
  if (value === undefined) fail(`expected a number as value, got ${goQuote(valueText)}`);
  const sample: OmSampleLine = { name: name as string, labels, value: value as number };
  if (rest.length > 0 && rest[0] !== "#") {
    const timestampText = rest.shift() as string;
    const timestampMs = parseOmTimestamp(timestampText);
    if (timestampMs === undefined) fail(`expected a timestamp in seconds, got ${goQuote(timestampText)}`);
    sample.timestampMs = timestampMs;
  }
  if (rest.length === 0) return sample;
  if (rest[0] !== "#") fail(`unexpected ${goQuote(rest.join(" "))} after the sample`);
  sample.exemplar = readExemplar(rest.slice(1).join(" "), fail);
  return sample;
}

function readExemplar(text: string, fail: (message: string) => never): Exemplar {
  if (text[0] !== "{") fail(`expected "{" to start the exemplar's label set, got ${goQuote(text)}`);
  const [labels, end] = readLabelSet(text, 0, fail);
  const size = labels.reduce((total, l) => total + [...l.name].length + [...l.value].length, 0);
  if (size > EXEMPLAR_LABELS_MAX_CHARS) {
    fail(`exemplar labels are ${size} characters long (OpenMetrics allows ${EXEMPLAR_LABELS_MAX_CHARS})`);
  }
  if (text[end] !== " ") fail("expected a single space before the exemplar value");
  const [valueText = "", timestampText, ...extra] = text.slice(end + 1).split(" ");
  const value = parseOmNumber(valueText);
  if (value === undefined) fail(`expected a number as exemplar value, got ${goQuote(valueText)}`);
  const exemplar: Exemplar = { labels, value: value as number };
  if (timestampText !== undefined) {
    const timestampMs = parseOmTimestamp(timestampText);
    if (timestampMs === undefined) fail(`expected an exemplar timestamp in seconds, got ${goQuote(timestampText)}`);
    exemplar.timestampMs = timestampMs;
  }
  if (extra.length > 0) fail(`unexpected ${goQuote(extra.join(" "))} after the exemplar`);
  return exemplar;
}

/** Reads `{a="1",b="2"}` starting at the brace; returns the labels and the index after `}`. */
function readLabelSet(text: string, open: number, fail: (message: string) => never): [Label[], number] {
  const labels: Label[] = [];
  let i = open + 1;
  if (text[i] === "}") return [labels, i + 1];
  for (;;) {
    LABEL_NAME.lastIndex = i;
    const name = LABEL_NAME.exec(text)?.[0];
    if (!name) fail(`expected a label name at ${goQuote(text.slice(i, i + 20))}`);
    i += (name as string).length;
    if (text.slice(i, i + 2) !== '="') fail(`expected '="' after label name ${name}`);
    let value = "";
    i += 2;
    for (;;) {
      const run = i;
      while (i < text.length && text[i] !== '"' && text[i] !== "\\") i++;
      value += text.slice(run, i);
      const c = text[i];
      if (c === undefined) fail(`label value of ${name} is not closed`);
      if (c === '"') break;
      if (c === "\\") {
        const next = text[i + 1];
        if (next === "\\" || next === '"') value += next;
        else if (next === "n") value += "\n";
        else fail(`invalid escape sequence '\\${next ?? ""}' in label ${name}`);
        i += 2;
      }
    }
    if (labels.some((l) => l.name === name)) fail(`duplicate label name ${name}`);
    labels.push({ name: name as string, value });
    i++;
    if (text[i] === "}") return [labels, i + 1];
    if (text[i] !== ",") fail(`expected "," or "}" after the value of label ${name}`);
    i++;
  }
}
