import {
  ExpositionParseError,
  labelValue,
  labelsKey,
  seriesLabelsOf,
  type Exposition,
  type FamilyType,
  type MetricFamily,
  type Sample,
} from "./exposition.js";
import { goQuote, parseOmNumber } from "./parse-number.js";
import { parseOmSampleLine } from "./parse-om-line.js";

/**
 * OpenMetrics 1.0 parser: descriptors (`# TYPE`, `# HELP`, `# UNIT`) before samples, contiguous
 * families, type-specific sample suffixes, exemplars only where allowed, and the mandatory
 * `# EOF` as the last line. Families are returned under their text-format name (counter `foo`
 * → `foo_total`, info `foo` → `foo_info`), which is the name promtool and Prometheus show.
 */
const OM_TYPES: Record<string, FamilyType> = {
  counter: "counter",
  gauge: "gauge",
  histogram: "histogram",
  gaugehistogram: "gaugehistogram",
  summary: "summary",
  info: "info",
  stateset: "stateset",
  unknown: "untyped",
};

const SUFFIXES: Record<FamilyType, readonly string[]> = {
  counter: ["_total", "_created"],
  gauge: [""],
  histogram: ["_bucket", "_count", "_sum", "_created"],
  gaugehistogram: ["_bucket", "_gcount", "_gsum"],
  summary: ["", "_count", "_sum", "_created"],
  info: ["_info"],
  stateset: [""],
  untyped: [""],
};

interface OmFamily {
  name: string;
  type: FamilyType;
  help?: string;
  unit?: string;
  line: number;
  samples: Sample[];
  seen: Set<"HELP" | "TYPE" | "UNIT">;
}

export function parseOpenMetrics(body: string): Exposition {
  const lines = body.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  const eofAt = lines.indexOf("# EOF");
  if (eofAt === -1) {
    throw new ExpositionParseError(Math.max(lines.length, 1), 'missing "# EOF": an OpenMetrics exposition must end with it');
  }
  if (eofAt < lines.length - 1) throw new ExpositionParseError(eofAt + 2, 'content after "# EOF"');
  const families: OmFamily[] = [];
  let current: OmFamily | undefined;
  const start = (name: string, line: number): OmFamily => {
    const earlier = families.find((f) => f.name === name || sampleNames(f).includes(name));
    if (earlier) {
      throw new ExpositionParseError(line, `metric family "${earlier.name}" (line ${earlier.line}) continues after another family; its lines must be contiguous`);
    }
    const family: OmFamily = { name, type: "untyped", line, samples: [], seen: new Set() };
    families.push(family);
    return family;
  };
  for (let index = 0; index < eofAt; index++) {
    const line = index + 1;
    const text = lines[index] as string;
    if (text === "") throw new ExpositionParseError(line, "empty line (OpenMetrics does not allow blank lines)");
    if (text.startsWith("#")) {
      const descriptor = /^# (HELP|TYPE|UNIT) ([a-zA-Z_:][a-zA-Z0-9_:]*)(?: (.*))?$/.exec(text);
      if (!descriptor) throw new ExpositionParseError(line, `invalid line ${goQuote(text)}: only "# HELP", "# TYPE", "# UNIT" and "# EOF" may start with "#"`);
      const [, keyword, name, rest = ""] = descriptor as unknown as [string, "HELP" | "TYPE" | "UNIT", string, string | undefined];
      if (current?.name !== name) current = start(name, line);
      applyDescriptor(current, keyword, rest, line);
      continue;
    }
    const parsed = parseOmSampleLine(text, line);
    if (!current || !sampleNames(current).includes(parsed.name)) {
      if (current?.name === parsed.name) {
        throw new ExpositionParseError(line, `sample ${parsed.name} does not fit ${current.type} family "${current.name}": expected ${sampleNames(current).join(" or ")}`);
      }
      current = start(parsed.name, line);
    }
    const sample: Sample = { ...parsed, line };
    validateSample(current, sample);
    current.samples.push(sample);
  }
  const result = families.map(toFamily);
  return { format: "openmetrics", families: result, sampleCount: families.reduce((n, f) => n + f.samples.length, 0) };
}

function sampleNames(family: OmFamily): string[] {
  return SUFFIXES[family.type].map((suffix) => family.name + suffix);
}

function applyDescriptor(family: OmFamily, keyword: "HELP" | "TYPE" | "UNIT", rest: string, line: number): void {
  const fail = (message: string): never => {
    throw new ExpositionParseError(line, message);
  };
  if (family.samples.length > 0) fail(`# ${keyword} for "${family.name}" after its samples`);
  if (family.seen.has(keyword)) fail(`second ${keyword} line for metric family "${family.name}"`);
  family.seen.add(keyword);
  if (keyword === "TYPE") {
    const type = OM_TYPES[rest];
    if (!type) fail(`unknown metric type ${goQuote(rest)} (OpenMetrics types: ${Object.keys(OM_TYPES).join(", ")})`);
    family.type = type as FamilyType;
  } else if (keyword === "UNIT") {
    if (!/^[a-zA-Z0-9_:]*$/.test(rest)) fail(`invalid unit ${goQuote(rest)}`);
    if (rest !== "" && !family.name.endsWith(`_${rest}`)) fail(`unit "${rest}" must be the suffix of the family name "${family.name}"`);
    family.unit = rest;
  } else {
    family.help = unescapeHelp(rest, fail);
  }
}

function unescapeHelp(text: string, fail: (message: string) => never): string {
  return text.replace(/\\(.?)/g, (_match, next: string) => {
    if (next === "\\" || next === '"') return next;
    if (next === "n") return "\n";
    return fail(`invalid escape sequence '\\${next}' in HELP`);
  });
}

function validateSample(family: OmFamily, sample: Sample): void {
  const fail = (message: string): never => {
    throw new ExpositionParseError(sample.line, message);
  };
  const suffix = sample.name.slice(family.name.length);
  const { type } = family;
  const bucket = (type === "histogram" || type === "gaugehistogram") && suffix === "_bucket";
  const quantileSample = type === "summary" && suffix === "";
  const le = labelValue(sample.labels, "le");
  const quantile = labelValue(sample.labels, "quantile");
  if (bucket && (le === undefined || parseOmNumber(le) === undefined)) fail(`${sample.name} needs an "le" label holding a number`);
  if (!bucket && le !== undefined && (type === "histogram" || type === "gaugehistogram")) fail(`"le" is only allowed on ${family.name}_bucket`);
  if (quantileSample) {
    const q = quantile === undefined ? Number.NaN : Number(parseOmNumber(quantile));
    if (!(q >= 0 && q <= 1)) fail(`${sample.name} needs a "quantile" label between 0 and 1`);
  } else if (type === "summary" && quantile !== undefined) fail(`"quantile" is only allowed on ${family.name} itself`);
  if (type === "counter" && suffix === "_total" && !(sample.value >= 0)) fail(`counter ${sample.name} must be a non-negative number, got ${sample.value}`);
  if ((bucket || suffix === "_count" || suffix === "_gcount") && !(sample.value >= 0)) fail(`${sample.name} must be a non-negative count`);
  if (type === "info" && sample.value !== 1) fail(`info ${sample.name} must have the value 1`);
  if (type === "stateset") {
    if (labelValue(sample.labels, family.name) === undefined) fail(`stateset ${family.name} needs a label named "${family.name}"`);
    if (sample.value !== 0 && sample.value !== 1) fail(`stateset ${family.name} values must be 0 or 1`);
  }
  if (sample.exemplar && !bucket && !(type === "counter" && suffix === "_total")) {
    fail("exemplars are only allowed on counter _total and histogram _bucket samples");
  }
}

function toFamily(family: OmFamily): MetricFamily {
  const textName = family.type === "counter" ? `${family.name}_total` : family.type === "info" ? `${family.name}_info` : family.name;
  const result: MetricFamily = { name: textName, type: family.type, line: family.line, series: [] };
  if (textName !== family.name) result.omName = family.name;
  if (family.help !== undefined) result.help = family.help;
  if (family.unit !== undefined) result.unit = family.unit;
  const grouped = ["counter", "histogram", "gaugehistogram", "summary"].includes(family.type);
  const byKey = new Map<string, MetricFamily["series"][number]>();
  for (const sample of family.samples) {
    const labels = seriesLabelsOf(family.type, sample.labels);
    const key = labelsKey(labels);
    const existing = grouped ? byKey.get(key) : undefined;
    if (existing) {
      existing.samples.push(sample);
      continue;
    }
    const series = { labels, samples: [sample], line: sample.line };
    byKey.set(key, series);
    result.series.push(series);
  }
  return result;
}
