import { MonwireError } from "../errors.js";
import { CATALOG } from "../metrics/catalog.js";
import { probeAllowed, probeCardinality } from "./cardinality.js";
import { diffCatalog } from "./catalog-diff.js";
import type { CheckContext } from "./check-context.js";
import { readSetting } from "./env-file.js";
import type { Exposition } from "./exposition.js";
import { skipped, statusOf, type CheckResult, type Finding } from "./findings.js";
import { lintFamilies } from "./lint.js";
import { judgeContentType, judgeScrape } from "./metrics-http.js";
import { detectFormat, ExpositionParseError, formatForContentType, parseExposition } from "./parse-exposition.js";
import { scrape } from "./scrape.js";
import { specRule } from "./spec-rules.js";

/**
 * The metrics half of `mon check`: scrape like Prometheus, then judge the response, parse it,
 * lint it (promtool's rules and monwire's), diff it against the catalog and, when asked, probe
 * it for cardinality leaks. Checks that need a scrape are skipped, never passed, without one.
 */
const DEPENDENT = [
  ["metrics.content-type", "Content-Type matches the body"],
  ["metrics.parse", "exposition parses"],
  ["metrics.promlint", "promtool check metrics rules"],
  ["metrics.rules", "cardinality and naming rules"],
  ["metrics.catalog", "monwire metric catalog"],
] as const;

function skipAll(ctx: CheckContext, summary: string, reason: "requested" | "unavailable", withScrape: CheckResult | undefined): CheckResult[] {
  const ids: Array<readonly [string, string]> = [...DEPENDENT];
  if (ctx.options.probeCardinality !== undefined) ids.push(["metrics.cardinality-probe", "unmatched paths do not add series"]);
  const rest = ids.map(([id, title]) => skipped(id, "metrics", title, summary, reason));
  return withScrape ? [withScrape, ...rest] : [skipped("metrics.scrape", "metrics", "scrape /metrics", summary, reason), ...rest];
}

const count = (n: number, word: string) => `${n} ${n === 1 ? word : word.replace(/y$/, "ie")}${n === 1 ? "" : "s"}`;

function lintCheck(id: string, title: string, findings: Finding[], clean: string): CheckResult {
  const problems = findings.filter((f) => f.severity !== "info");
  const infos = findings.length - problems.length;
  const affected = new Set(problems.map((f) => f.family)).size;
  const note = infos > 0 ? ` (${count(infos, "documented exception")})` : "";
  const summary = problems.length === 0 ? `${clean}${note}` : `${count(problems.length, "problem")} in ${count(affected, "family")}${note}`;
  return { id, group: "metrics", title, status: statusOf(findings), summary, findings };
}

export async function checkMetrics(ctx: CheckContext): Promise<CheckResult[]> {
  const { config, options } = ctx;
  if (!config.metrics.enabled) return skipAll(ctx, "metrics.enabled is false in mon.config.json", "requested", undefined);
  if (options.offline) return skipAll(ctx, "--offline: the metrics endpoint was not scraped", "requested", undefined);
  const url = options.url ?? config.metrics.url;
  if (options.probeCardinality !== undefined && !probeAllowed(url, config.metrics.url)) {
    throw new MonwireError("E_USAGE", `--probe-cardinality sends requests to ${new URL(url).origin}, which is neither loopback nor metrics.url`, {
      exitCode: 2,
      hint: "Run the probe against a local instance (127.0.0.1) or set metrics.url in mon.config.json to this address.",
    });
  }
  const tokenEnv = config.metrics.tokenEnv;
  const token = tokenEnv ? readSetting(tokenEnv, options.env, ctx.root)?.value : undefined;
  const scrapeOnce = () => scrape({ url, timeoutMs: options.timeoutMs, userAgent: ctx.userAgent, ...(token ? { token } : {}) });
  const outcome = await scrapeOnce();
  const scrapeCheck = judgeScrape(outcome, { url, timeoutMs: options.timeoutMs, tokenEnv, tokenSent: Boolean(token), ...(options.requireReachable ? { requireReachable: options.requireReachable } : {}) });
  if (outcome.kind !== "response" || scrapeCheck.status === "fail" || scrapeCheck.status === "skip") {
    const reason = scrapeCheck.status === "skip" ? "app not reachable" : "the scrape failed";
    return skipAll(ctx, `not run: ${reason}`, "unavailable", scrapeCheck);
  }
  const results: CheckResult[] = [scrapeCheck, judgeContentType(outcome.contentType, outcome.body)];
  const parsed = parseWithFallback(outcome.body, formatForContentType(outcome.contentType), outcome.invalidUtf8);
  results.push(parsed.check);
  if (!parsed.exposition) {
    results.push(...DEPENDENT.slice(2).map(([id, title]) => skipped(id, "metrics", title, "not run: the body does not parse", "unavailable")));
    return results;
  }
  const { families } = parsed.exposition;
  const lint = lintFamilies(families, { seriesBudget: options.seriesBudget, sloEdges: options.sloEdges });
  const linted = `no problems in ${count(families.length, "family")}`;
  results.push(lintCheck("metrics.promlint", "promtool check metrics rules", lint.promlint, linted));
  results.push(lintCheck("metrics.rules", "cardinality and naming rules", lint.monwire, linted));
  const catalog = diffCatalog(families, config);
  results.push(lintCheck("metrics.catalog", "monwire metric catalog", catalog, `all ${CATALOG.length} catalog families exposed with their labels and bounded values`));
  if (options.probeCardinality !== undefined) {
    const rescrape = async (): Promise<Exposition> => {
      const again = await scrapeOnce();
      if (again.kind !== "response" || again.status !== 200) throw new Error(`re-scrape of ${url} failed`);
      return parseExposition(again.body, detectFormat(again.body));
    };
    results.push(await probeCardinality({ metricsUrl: url, requests: options.probeCardinality, timeoutMs: options.timeoutMs, rescrape }).catch(
      (error: Error): CheckResult => ({ id: "metrics.cardinality-probe", group: "metrics", title: "unmatched paths do not add series", status: "fail", summary: error.message, findings: [] }),
    ));
  }
  return results;
}

/**
 * Parses with the parser Prometheus would pick from the Content-Type. A body Prometheus accepts
 * passes, or warns when it breaks rules of its format that Prometheus lets through. A body it
 * rejects fails with the first error; the lints then still run, on the body read in the other
 * format when it is valid there (the Content-Type check already explains why), otherwise on
 * the lines that did parse, so one run shows every problem.
 */
function parseWithFallback(body: string, format: "text" | "openmetrics", invalidUtf8: boolean): { check: CheckResult; exposition?: Exposition } {
  const base = { id: "metrics.parse", group: "metrics" as const, title: "exposition parses" };
  const name = format === "openmetrics" ? "OpenMetrics 1.0" : "text 0.0.4";
  const exposition = parseExposition(body, format, { recover: true, invalidUtf8 });
  const warnings = exposition.violations.map((v): Finding => ({
    rule: v.rule, severity: "warning", line: v.line, message: `line ${v.line}: ${specRule(v.rule).wording} (${v.detail})`,
    hint: "Prometheus ingests this, but it breaks the format's specification (docs/check.md, exposition rules).",
  }));
  const shape = `${count(exposition.families.length, "family")}, ${count(exposition.sampleCount, "sample")}`;
  const error = exposition.parseError;
  if (!error) {
    const broken = warnings.length === 0 ? "" : `; ${count(warnings.length, "rule violation")} Prometheus accepts`;
    return { check: { ...base, status: statusOf(warnings), summary: `${name}: ${shape}${broken}`, findings: warnings }, exposition };
  }
  const finding: Finding = { rule: error.rule, severity: "error", line: error.line,
    message: `${name} parse error at line ${error.line}: ${error.detail} (${specRule(error.rule).wording})`,
    hint: "Fix the line; Prometheus drops the whole scrape on a parse error." };
  const check: CheckResult = { ...base, status: "fail", summary: finding.message, hint: finding.hint, findings: [finding, ...warnings] };
  try {
    return { check, exposition: parseExposition(body, format === "text" ? "openmetrics" : "text", { invalidUtf8 }) };
  } catch (other) {
    if (!(other instanceof ExpositionParseError)) throw other;
  }
  if (exposition.families.length === 0) return { check };
  const skipped = exposition.skippedLines ?? 0;
  check.summary += `; the other checks read the ${shape} of the lines that parse (${count(skipped, "line")} skipped)`;
  return { check, exposition };
}
