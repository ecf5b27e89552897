import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import client from "prom-client";
import { describe, expect, it } from "vitest";
import { CATALOG } from "../../src/metrics/catalog.js";
import { formatLabels, type Exposition } from "../../src/probe/exposition.js";
import { promlint } from "../../src/probe/lint-promlint.js";
import { ExpositionParseError, parseExposition } from "../../src/probe/parse-exposition.js";
import { FIXTURES } from "../helpers/cli.js";
import { promtoolAvailable } from "../helpers/promtool.js";

/**
 * Parity with Debian's promtool 2.42 (`promtool check metrics`, stdin): for every body in the
 * corpus, monwire's promlint findings must equal promtool's, problem for problem (family and
 * message, duplicates included), and text-format parse errors must name the same line with the
 * same message. promtool parses only the 0.0.4 text format, so an OpenMetrics body is compared
 * through its text rendering: the families and series Prometheus ingests from it (documented
 * in docs/check.md). Exceptions are listed in EXCEPTIONS with their reason; there are none.
 */
const CORPUS = join(FIXTURES, "exposition");
const files = readdirSync(CORPUS).filter((f) => f.endsWith(".prom") || f.endsWith(".om")).sort();
const EXCEPTIONS: Record<string, string> = {};

interface PromtoolResult {
  problems: string[];
  parseError?: { line: number; message: string };
}

function runPromtool(body: string): PromtoolResult {
  const run = spawnSync("promtool", ["check", "metrics"], { input: body, encoding: "utf8" });
  const stderr = run.stderr;
  const parse = /^error while linting: text format parsing error in line (\d+): ([\s\S]*)\n$/.exec(stderr);
  if (parse) return { problems: [], parseError: { line: Number(parse[1]), message: parse[2] as string } };
  if (run.status !== 0 && run.status !== 3) throw new Error(`promtool exited ${run.status}: ${stderr}`);
  const problems = stderr.split("\n").filter((l) => l.length > 0);
  expect(run.status).toBe(problems.length > 0 ? 3 : 0);
  return { problems };
}

const formatValue = (v: number) => (Number.isNaN(v) ? "NaN" : v === Infinity ? "+Inf" : v === -Infinity ? "-Inf" : String(v));
const TEXT_TYPE: Record<string, string> = { info: "gauge", stateset: "gauge", gaugehistogram: "histogram" };

/** The text-format view of an OpenMetrics exposition: what Prometheus ingests from it. */
function renderText(exposition: Exposition): string {
  const lines: string[] = [];
  for (const family of exposition.families) {
    if (family.series.length === 0) continue;
    if (family.help !== undefined) lines.push(`# HELP ${family.name} ${family.help.replace(/\\/g, "\\\\").replace(/\n/g, "\\n")}`);
    lines.push(`# TYPE ${family.name} ${TEXT_TYPE[family.type] ?? family.type}`);
    const base = family.omName ?? family.name;
    for (const sample of family.series.flatMap((s) => s.samples)) {
      if (sample.name.endsWith("_created")) continue;
      const name = sample.name.replace(new RegExp(`^${base}_g(count|sum)$`), `${base}_$1`);
      const timestamp = sample.timestampMs === undefined ? "" : ` ${sample.timestampMs}`;
      lines.push(`${name}${formatLabels(sample.labels)} ${formatValue(sample.value)}${timestamp}`);
    }
  }
  return lines.length === 0 ? "" : `${lines.join("\n")}\n`;
}

function monwireView(body: string, format: "text" | "openmetrics"): { problems: string[]; parseError?: { line: number; message: string }; promtoolInput: string } {
  try {
    const exposition = parseExposition(body, format);
    const problems = promlint(exposition.families).map((p) => `${p.metric} ${p.text}`);
    return { problems, promtoolInput: format === "text" ? body : renderText(exposition) };
  } catch (error) {
    if (!(error instanceof ExpositionParseError)) throw error;
    return { problems: [], parseError: { line: error.line, message: error.detail }, promtoolInput: body };
  }
}

describe.runIf(promtoolAvailable())("promtool check metrics parity", () => {
  it("has a corpus of at least 30 bodies, text and OpenMetrics", () => {
    expect(files.length).toBeGreaterThanOrEqual(30);
    expect(files.filter((f) => f.endsWith(".om")).length).toBeGreaterThanOrEqual(5);
  });

  it.each(files.filter((f) => !EXCEPTIONS[f]))("%s", (file) => {
    const body = readFileSync(join(CORPUS, file), "utf8");
    const mine = monwireView(body, file.endsWith(".om") ? "openmetrics" : "text");
    if (file.endsWith(".om")) expect(mine.parseError).toBeUndefined();
    const theirs = runPromtool(mine.promtoolInput);
    expect(mine.parseError).toEqual(theirs.parseError);
    expect(mine.problems).toEqual(theirs.problems);
    if (file.startsWith("bad-")) expect(theirs.problems.length).toBeGreaterThan(0);
    if (file.startsWith("parse-error-")) expect(theirs.parseError).toBeDefined();
    if (file.startsWith("good-")) expect(theirs.problems).toEqual([]);
  });

  // Damaged bodies reach the parser's corners (input ending mid-token, stray quotes and braces):
  // cut or corrupt each text body at fixed, spread-out offsets and compare again.
  const damaged = files
    .filter((f) => f.endsWith(".prom"))
    .flatMap((file) => {
      const body = readFileSync(join(CORPUS, file), "utf8");
      return [0.23, 0.61, 0.87].flatMap((at, k) => {
        const cut = Math.floor(body.length * at);
        const stray = ['"', "{", " "][k] as string;
        return [
          [`${file} cut at ${cut}`, body.slice(0, cut)],
          [`${file} with ${JSON.stringify(stray)} at ${cut}`, body.slice(0, cut) + stray + body.slice(cut)],
        ] as const;
      });
    });

  it.each(damaged)("%s", (_name, body) => {
    const mine = monwireView(body, "text");
    const theirs = runPromtool(body);
    expect(mine.parseError).toEqual(theirs.parseError);
    expect(mine.problems).toEqual(theirs.problems);
  });

  it("matches on a live prom-client registry with the monwire catalog, in both formats", async () => {
    // Both formats are served from this registry, so its content type is not fixed to text.
    const registry = new client.Registry<client.RegistryContentType>();
    client.collectDefaultMetrics({ register: registry });
    for (const def of CATALOG) {
      const options = { name: def.name, help: def.help, labelNames: [...def.labels], registers: [registry] };
      const metric = def.type === "counter" ? new client.Counter(options) : def.type === "gauge" ? new client.Gauge(options) : new client.Histogram(options);
      const labels = Object.fromEntries(def.labels.map((l) => [l, "x"]));
      if (metric instanceof client.Histogram) metric.observe(labels, 0.2);
      else if (metric instanceof client.Counter) metric.inc(labels);
      else metric.set(labels, 1);
    }
    const text = await registry.metrics();
    registry.setContentType(client.openMetricsContentType);
    const om = await registry.metrics();
    for (const [body, format] of [[text, "text"], [om, "openmetrics"]] as const) {
      const mine = monwireView(body, format);
      expect(mine.parseError).toBeUndefined();
      const theirs = runPromtool(mine.promtoolInput);
      expect(mine.problems).toEqual(theirs.problems);
      expect(mine.problems.filter((p) => !p.startsWith("nodejs_active_"))).toEqual([]);
    }
  });
});
