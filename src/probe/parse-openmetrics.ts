import {
  ExpositionParseError,
  labelValue,
  labelsKey,
  seriesLabelsOf,
  type Exposition,
  type FamilyType,
  type MetricFamily,
  type ParseOptions,
  type Sample,
} from "./exposition.js";
import { goQuote } from "./parse-number.js";
import { parseOmSampleLine } from "./parse-om-line.js";
import { Recovery } from "./parse-recover.js";
import { hasInvalidUtf8 } from "./parse-utf8.js";
import { checkShape } from "./spec-shape.js";
import { violation, type SpecViolation } from "./spec-rules.js";

/**
 * OpenMetrics 1.0 parser. It rejects exactly what Prometheus 2.42's OpenMetrics parser and
 * scrape loop reject (the verdict), and reports every other rule of the specification the body
 * breaks as a violation: descriptors after samples or twice, interleaved families, sample names
 * a type does not allow, and the value rules of spec-shape.ts. Families are returned under
 * their text-format name (counter `foo` → `foo_total`, info `foo` → `foo_info`), the name
 * promtool and Prometheus show.
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

/** Suffixes some type gives its samples: a sample `<family>_<one of these>` belongs to that family. */
const RESERVED_SUFFIXES = ["_total", "_created", "_count", "_sum", "_bucket", "_gcount", "_gsum", "_info"];

const NULS = /^\u0000*$/;

const DESCRIPTOR = /^# (HELP|TYPE|UNIT) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/;

type Keyword = "HELP" | "TYPE" | "UNIT";

interface OmFamily {
  name: string;
  type: FamilyType;
  help?: string;
  unit?: string;
  unitLine?: number;
  line: number;
  samples: Sample[];
  seen: Set<Keyword>;
  /** Sample names the type allows. */
  names: Set<string>;
}

export function parseOpenMetrics(body: string, options: ParseOptions = {}): Exposition {
  const parser = new OmParser(options.invalidUtf8 === true);
  const lines = body.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  const recovery = new Recovery(options.recover === true);
  let ended = false;
  let offset = 0;
  for (let index = 0; index < lines.length; index++) {
    const text = lines[index] as string;
    if (text === "# EOF" || (text.startsWith("# EOF\u0000") && NULS.test(text.slice(5)))) {
      ended = true;
      // Prometheus' lexer skips NUL bytes after # EOF: only a newline may remain.
      const rest = body.slice(offset + 5).replace(/\u0000/g, "");
      if (rest !== "" && rest !== "\n") recovery.record(new ExpositionParseError(index + 2, "unexpected data after # EOF", "openmetrics/after-eof"));
      break;
    }
    recovery.line(() => parser.line(text, index + 1));
    offset += text.length + 1;
  }
  if (!ended) recovery.record(new ExpositionParseError(Math.max(lines.length, 1), "data does not end with # EOF", "openmetrics/eof"));
  return recovery.finish(parser.result());
}

class OmParser {
  constructor(private readonly utf8: boolean) {}

  private readonly families: OmFamily[] = [];
  private readonly byName = new Map<string, OmFamily>();
  /** Every sample name a family seen so far allows, to tell a returning family from a new one. */
  private readonly bySampleName = new Map<string, OmFamily>();
  private current: OmFamily | undefined;
  private sampleCount = 0;
  private readonly violations: SpecViolation[] = [];

  line(text: string, line: number): void {
    if (text === "") throw new ExpositionParseError(line, "blank line", "openmetrics/blank-line");
    if (text.charCodeAt(0) === 35) return this.descriptor(text, line);
    const sample = parseOmSampleLine(text, line, this.violations, this.utf8);
    const family = this.familyOfSample(sample.name, line);
    this.validate(family, sample);
    family.samples.push(sample);
    this.sampleCount++;
  }

  private descriptor(text: string, line: number): void {
    const match = DESCRIPTOR.exec(text);
    if (!match) {
      const rule = /^# (HELP|TYPE|UNIT) /.test(text) ? "openmetrics/descriptor" : "openmetrics/comment";
      throw new ExpositionParseError(line, `invalid line ${goQuote(text)}`, rule);
    }
    const [, keyword, name, rest] = match as unknown as [string, Keyword, string, string];
    if (keyword === "HELP" && this.utf8 && hasInvalidUtf8(rest)) throw new ExpositionParseError(line, "help text is not a valid utf8 string", "openmetrics/utf8");
    if (keyword === "TYPE" && OM_TYPES[rest] === undefined) throw new ExpositionParseError(line, `invalid metric type ${goQuote(rest)}`, "openmetrics/type");
    if (keyword === "UNIT" && rest !== "" && !(name.length > rest.length && name.endsWith(rest) && name[name.length - rest.length - 1] === "_")) {
      throw new ExpositionParseError(line, `unit not a suffix of metric ${goQuote(name)}`, "openmetrics/unit-suffix");
    }
    const before = this.violations.length;
    const family = this.current?.name === name ? this.current : this.enter(name, line);
    // A family coming back is one finding, not one per descriptor it repeats.
    const returned = this.violations.length > before;
    if (family.samples.length > 0 && !returned) this.violations.push(violation("openmetrics/descriptor-first", line, `# ${keyword} ${name} after its samples`));
    if (family.seen.has(keyword)) {
      if (!returned) this.violations.push(violation("openmetrics/descriptor-once", line, `second # ${keyword} for ${name}`));
      return;
    }
    family.seen.add(keyword);
    if (keyword === "TYPE") this.setType(family, OM_TYPES[rest] as FamilyType);
    else if (keyword === "UNIT") {
      family.unit = rest;
      family.unitLine = line;
    } else family.help = this.unescapeHelp(rest, line);
  }

  /** The family a descriptor names: a new one, or an earlier one returning out of place. */
  private enter(name: string, line: number): OmFamily {
    const earlier = this.byName.get(name);
    if (earlier) {
      this.violations.push(violation("openmetrics/family-contiguous", line, `${name} (line ${earlier.line}) continues after another family`));
      this.current = earlier;
      return earlier;
    }
    const family: OmFamily = { name, type: "untyped", line, samples: [], seen: new Set(), names: new Set() };
    this.families.push(family);
    this.byName.set(name, family);
    this.setType(family, "untyped");
    this.current = family;
    return family;
  }

  private setType(family: OmFamily, type: FamilyType): void {
    family.type = type;
    family.names = new Set(SUFFIXES[type].map((suffix) => family.name + suffix));
    for (const name of family.names) if (!this.bySampleName.has(name)) this.bySampleName.set(name, family);
  }

  private familyOfSample(name: string, line: number): OmFamily {
    const current = this.current;
    if (current?.names.has(name)) return current;
    if (current && (name === current.name || (name.startsWith(current.name) && RESERVED_SUFFIXES.includes(name.slice(current.name.length))))) {
      this.violations.push(violation("openmetrics/sample-name", line, `${name} in ${current.type === "untyped" ? "unknown" : current.type} family ${current.name}`));
      return current;
    }
    const earlier = this.bySampleName.get(name);
    if (earlier) {
      this.violations.push(violation("openmetrics/family-contiguous", line, `${earlier.name} (line ${earlier.line}) continues after another family`));
      this.current = earlier;
      return earlier;
    }
    return this.enter(name, line);
  }

  private unescapeHelp(text: string, line: number): string {
    if (!text.includes("\\")) return text;
    return text.replace(/\\(.?)/g, (whole, next: string) => {
      if (next === "\\" || next === '"') return next;
      if (next === "n") return "\n";
      this.violations.push(violation("openmetrics/escape", line, `escape sequence '${whole}' in HELP`));
      return whole;
    });
  }

  private validate(family: OmFamily, sample: Sample): void {
    const { type } = family;
    if (type !== "info" && type !== "stateset" && !sample.exemplar) return;
    const suffix = sample.name.slice(family.name.length);
    const warn = (rule: string, detail: string) => this.violations.push(violation(rule, sample.line, detail));
    if (sample.exemplar) {
      if (!sample.name.endsWith("_total") && !sample.name.endsWith("_bucket")) {
        throw new ExpositionParseError(sample.line, `metric name ${sample.name} does not support exemplars`, "openmetrics/exemplar-sample");
      }
      const allowed = (type === "counter" && suffix === "_total") || ((type === "histogram" || type === "gaugehistogram") && suffix === "_bucket");
      if (!allowed) warn("openmetrics/exemplar-type", `exemplar on ${sample.name} of a ${type === "untyped" ? "unknown" : type} family`);
    }
    if (type === "info" && sample.value !== 1) warn("openmetrics/info-value", `${sample.name} is ${sample.value}`);
    if (type === "stateset") {
      if (labelValue(sample.labels, family.name) === undefined) warn("openmetrics/stateset", `${sample.name} has no label ${family.name}`);
      else if (sample.value !== 0 && sample.value !== 1) warn("openmetrics/stateset", `${sample.name} is ${sample.value}`);
    }
  }

  result(): Exposition {
    const families = this.families.map((family) => this.toFamily(family));
    const violations = this.violations.sort((a, b) => a.line - b.line);
    return { format: "openmetrics", families, sampleCount: this.sampleCount, violations };
  }

  private toFamily(family: OmFamily): MetricFamily {
    const textName = family.type === "counter" ? `${family.name}_total` : family.type === "info" ? `${family.name}_info` : family.name;
    const result: MetricFamily = { name: textName, type: family.type, line: family.line, series: [] };
    if (textName !== family.name) result.omName = family.name;
    if (family.help !== undefined) result.help = family.help;
    if (family.unit !== undefined) result.unit = family.unit;
    if (family.unit && (family.type === "info" || family.type === "stateset")) {
      this.violations.push(violation("openmetrics/unit-type", family.unitLine ?? family.line, `unit "${family.unit}" on ${family.type} ${family.name}`));
    }
    const grouped = family.type === "counter" || family.type === "histogram" || family.type === "gaugehistogram" || family.type === "summary";
    const special = family.type === "summary" ? "quantile" : family.type === "histogram" || family.type === "gaugehistogram" ? "le" : undefined;
    const byKey = new Map<string, MetricFamily["series"][number]>();
    const repeated = (sample: Sample, earlier: Sample) =>
      this.violations.push(violation("openmetrics/sample-unique", sample.line, `${sample.name} with these labels is on line ${earlier.line} too`));
    for (const sample of family.samples) {
      // Ungrouped families have one sample per series; a misplaced suffix may add a second name.
      const key = grouped ? labelsKey(sample.labels, special) : `${sample.name}\u0003${labelsKey(sample.labels)}`;
      const existing = byKey.get(key);
      if (existing && grouped) {
        // A series holds a handful of samples: a scan is cheaper than a key per sample.
        const value = special === undefined ? undefined : labelValue(sample.labels, special);
        const same = existing.samples.find((s) => s.name === sample.name && (special === undefined || labelValue(s.labels, special) === value));
        if (same) repeated(sample, same);
        existing.samples.push(sample);
        continue;
      }
      if (existing) repeated(sample, existing.samples[0] as Sample);
      const series = { labels: seriesLabelsOf(family.type, sample.labels), samples: [sample], line: sample.line };
      if (!existing) byKey.set(key, series);
      result.series.push(series);
    }
    checkShape({ base: family.name, type: family.type, series: result.series }, "openmetrics", this.violations);
    return result;
  }
}
