import type { CheckResult, Finding } from "./findings.js";
import { skipped, statusOf } from "./findings.js";
import { detectFormat, parseContentType } from "./parse-exposition.js";
import type { ScrapeOutcome } from "./scrape.js";

/**
 * Judges a scrape the way Prometheus would: HTTP status, time against the scrape timeout, size,
 * and whether the Content-Type makes Prometheus pick the parser that fits the body.
 */
export interface ScrapeContext {
  url: string;
  timeoutMs: number;
  tokenEnv: string | undefined;
  tokenSent: boolean;
  /** Set (to the reason) when an unreachable endpoint is a failure rather than a skip. */
  requireReachable?: string;
}

/** Above this a scrape is slow enough to matter for a 10 s timeout and large for Prometheus. */
export const SLOW_SCRAPE_FRACTION = 0.5;
export const LARGE_SCRAPE_BYTES = 10 * 1024 * 1024;

const kb = (bytes: number) => (bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toFixed(1)} kB`);

export function judgeScrape(outcome: ScrapeOutcome, ctx: ScrapeContext): CheckResult {
  const base = { id: "metrics.scrape", group: "metrics" as const, title: `scrape ${ctx.url}` };
  if (outcome.kind === "unreachable" && ctx.requireReachable) {
    return { ...base, status: "fail", summary: `app not reachable (${outcome.code}); ${ctx.requireReachable}: an unreachable target is a failure`, findings: [],
      hint: "Start the app before `mon check` and wait until it listens (or point --url / metrics.url at it); pass --offline to skip the scrape on purpose." };
  }
  if (outcome.kind === "unreachable") {
    return skipped(base.id, "metrics", base.title, `app not reachable (${outcome.code}): metric checks could not run`, "unavailable",
      "Start the app (e.g. `npm start`) before `mon check`, or pass --url with the address it listens on.");
  }
  if (outcome.kind === "timeout") {
    return { ...base, status: "fail", summary: `no complete response within ${outcome.afterMs / 1000} s (the scrape timeout): Prometheus would mark the target down`,
      hint: "Find what blocks /metrics (a slow database probe, a huge registry) or raise --timeout to match scrape_timeout.", findings: [] };
  }
  if (outcome.kind === "error") {
    return { ...base, status: "fail", summary: `scrape failed: ${outcome.message}`, hint: "Check that --url points at the app's metrics endpoint.", findings: [] };
  }
  if (outcome.status === 401 || outcome.status === 403) return authFailure(base, outcome.status, ctx);
  if (outcome.status < 200 || outcome.status > 299) {
    const hint = outcome.status === 404
      ? "Mount the endpoint (monitoring.mountMetrics(app)) or point --url / metrics.url at the right path."
      : outcome.status >= 300 && outcome.status < 400
        ? `The endpoint redirects${outcome.location ? ` to ${outcome.location}` : ""}: point --url / metrics.url (and the scrape config) at the final URL.`
        : "Look at the app's log for the error behind this status.";
    return { ...base, status: "fail", summary: `HTTP ${outcome.status} ${outcome.statusText}`.trim(), hint, findings: [] };
  }
  const findings: Finding[] = [];
  if (outcome.durationMs > ctx.timeoutMs * SLOW_SCRAPE_FRACTION) {
    findings.push({ rule: "monwire/scrape-duration", severity: "warning", message: `scrape took ${Math.round(outcome.durationMs)} ms, over half the ${ctx.timeoutMs / 1000} s timeout`,
      hint: "Keep /metrics fast: probes with short timeouts, no per-scrape I/O." });
  }
  if (outcome.bytes > LARGE_SCRAPE_BYTES) {
    findings.push({ rule: "monwire/scrape-size", severity: "warning", message: `body is ${kb(outcome.bytes)}; large scrapes slow Prometheus and hit body_size_limit`,
      hint: "Reduce series (bound label values) or split the endpoint." });
  }
  const wire = outcome.wireBytes !== outcome.bytes ? `, ${kb(outcome.wireBytes)} ${outcome.contentEncoding ?? ""}`.trimEnd() : "";
  const summary = `HTTP ${outcome.status} in ${Math.round(outcome.durationMs)} ms, ${kb(outcome.bytes)}${wire}`;
  return { ...base, status: statusOf(findings), summary, findings };
}

function authFailure(base: Pick<CheckResult, "id" | "group" | "title">, status: number, ctx: ScrapeContext): CheckResult {
  const name = ctx.tokenEnv ?? "MONWIRE_METRICS_TOKEN";
  const summary = ctx.tokenSent
    ? `HTTP ${status}: the endpoint rejected the bearer token from ${name}`
    : `HTTP ${status}: the endpoint requires a bearer token and ${name} is not set`;
  const hint = ctx.tokenSent
    ? `Set ${name} to the same value the app was started with (and in Prometheus' authorization.credentials).`
    : `Export ${name}=<token> (or put it in .env) before running mon check.`;
  return { ...base, status: "fail", summary, hint, findings: [{ rule: "monwire/scrape-auth", severity: "error", message: summary, hint }] };
}

/**
 * Prometheus 2.x picks the OpenMetrics parser only for `application/openmetrics-text` and the
 * text parser for everything else; a body that does not fit its header fails or silently
 * produces wrong series.
 */
export function judgeContentType(contentType: string | undefined, body: string): CheckResult {
  const base = { id: "metrics.content-type", group: "metrics" as const, title: "Content-Type matches the body" };
  const bodyFormat = detectFormat(body);
  const fail = (summary: string, hint: string): CheckResult => ({ ...base, status: "fail", summary, hint, findings: [{ rule: "monwire/content-type", severity: "error", message: summary, hint }] });
  if (!contentType) {
    return fail("no Content-Type header: Prometheus 3 rejects the scrape and 2.x guesses the text format",
      "Serve /metrics with registry.contentType (monwire's metricsHandler does).");
  }
  const { mediaType, params } = parseContentType(contentType);
  const warnings: Finding[] = [];
  if (params.charset && params.charset.toLowerCase() !== "utf-8") {
    warnings.push({ rule: "monwire/content-type", severity: "warning", message: `charset=${params.charset}: the exposition formats are UTF-8 only` });
  }
  if (mediaType === "application/openmetrics-text") {
    if (bodyFormat !== "openmetrics") {
      return fail(`served as ${mediaType} but the body does not end with "# EOF": Prometheus' OpenMetrics parser fails the scrape`,
        "Render with the OpenMetrics serializer when you send this Content-Type (registry.setContentType(openMetricsContentType)).");
    }
    if (params.version && params.version !== "1.0.0" && params.version !== "0.0.1") {
      return fail(`OpenMetrics version=${params.version} is not one Prometheus negotiates (1.0.0 or 0.0.1)`, "Send version=1.0.0.");
    }
  } else if (mediaType === "text/plain") {
    if (bodyFormat === "openmetrics") {
      return fail("OpenMetrics body (ends with \"# EOF\") served as text/plain: Prometheus parses it as text 0.0.4, which fails on exemplars, info/stateset types and fractional timestamps and mis-names counters",
        "Send Content-Type: application/openmetrics-text; version=1.0.0; charset=utf-8 with OpenMetrics bodies (negotiate from the Accept header).");
    }
    if (params.version && params.version !== "0.0.4") return fail(`text/plain version=${params.version}: the text format is version 0.0.4`, "Send text/plain; version=0.0.4; charset=utf-8.");
    if (!params.version) warnings.push({ rule: "monwire/content-type", severity: "warning", message: "text/plain without version=0.0.4", hint: "Send text/plain; version=0.0.4; charset=utf-8." });
  } else {
    return fail(`Content-Type ${mediaType || contentType} is not an exposition format (is a login page or proxy answering?)`,
      "Serve the registry's own Content-Type on the metrics path.");
  }
  return { ...base, status: statusOf(warnings), summary: contentType, findings: warnings };
}
