import { randomBytes } from "node:crypto";
import { request } from "node:http";
import { request as httpsRequest } from "node:https";
import { labelsKey, type Exposition, type MetricFamily } from "./exposition.js";
import type { CheckResult, Finding } from "./findings.js";
import { statusOf } from "./findings.js";

/**
 * `--probe-cardinality`: send N requests to random paths that cannot exist, scrape again, and
 * fail when a family grew with them — the signature of a label fed from the raw URL (a `route`
 * that is not collapsed to "unmatched"). A warm-up round first creates the legitimate
 * `unmatched`/404 series, so only growth proportional to the probe counts.
 */
export const DEFAULT_PROBE_REQUESTS = 50;
export const MAX_PROBE_REQUESTS = 500;
const WARM_UP_REQUESTS = 2;
const CONCURRENCY = 8;
const SHOWN = 3;

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\]|::1)$/i;

/** The probe only ever targets loopback or the URL the project configured for `mon check`. */
export function probeAllowed(metricsUrl: string, configuredUrl: string): boolean {
  const url = new URL(metricsUrl);
  return LOOPBACK.test(url.hostname) || url.origin === new URL(configuredUrl).origin;
}

export interface CardinalityProbeOptions {
  metricsUrl: string;
  requests: number;
  timeoutMs: number;
  /** Scrapes and parses /metrics again. */
  rescrape: () => Promise<Exposition>;
}

function hit(url: URL, timeoutMs: number): Promise<number | undefined> {
  const send = url.protocol === "https:" ? httpsRequest : request;
  return new Promise((resolve) => {
    const req = send(url, { method: "GET", timeout: timeoutMs, headers: { "User-Agent": "monwire-cardinality-probe" } }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode));
      res.on("error", () => resolve(undefined));
    });
    req.on("timeout", () => req.destroy());
    req.on("error", () => resolve(undefined));
    req.end();
  });
}

async function sendProbes(origin: string, token: string, from: number, count: number, timeoutMs: number): Promise<Map<string, number>> {
  const statuses = new Map<string, number>();
  let next = from;
  const worker = async () => {
    while (next < from + count) {
      const i = next++;
      const status = await hit(new URL(`/${token}/${i}-${randomBytes(3).toString("hex")}`, origin), timeoutMs);
      const key = status === undefined ? "no response" : String(status);
      statuses.set(key, (statuses.get(key) ?? 0) + 1);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, count) }, worker));
  return statuses;
}

const seriesKeys = (family: MetricFamily) => new Set(family.series.map((s) => labelsKey(s.labels)));

/** New label values per label name among the series a family gained. */
function newValues(before: MetricFamily | undefined, after: MetricFamily): Map<string, string[]> {
  const known = new Map<string, Set<string>>();
  for (const series of before?.series ?? []) for (const l of series.labels) known.set(l.name, (known.get(l.name) ?? new Set()).add(l.value));
  const fresh = new Map<string, string[]>();
  const old = before ? seriesKeys(before) : new Set<string>();
  for (const series of after.series) {
    if (old.has(labelsKey(series.labels))) continue;
    for (const l of series.labels) {
      if (known.get(l.name)?.has(l.value)) continue;
      const list = fresh.get(l.name) ?? [];
      if (!list.includes(l.value)) list.push(l.value);
      fresh.set(l.name, list);
    }
  }
  return fresh;
}

export async function probeCardinality(options: CardinalityProbeOptions): Promise<CheckResult> {
  const origin = new URL(options.metricsUrl).origin;
  const token = `monwire-probe-${randomBytes(4).toString("hex")}`;
  await sendProbes(origin, token, 0, WARM_UP_REQUESTS, options.timeoutMs);
  const before = await options.rescrape();
  const statuses = await sendProbes(origin, token, WARM_UP_REQUESTS, options.requests, options.timeoutMs);
  const after = await options.rescrape();
  const beforeByName = new Map(before.families.map((f) => [f.name, f]));
  const leakThreshold = Math.max(2, Math.ceil(options.requests / 2));
  const findings: Finding[] = [];
  for (const family of after.families) {
    const previous = beforeByName.get(family.name);
    const gained = family.series.length - (previous?.series.length ?? 0);
    if (gained <= 0) continue;
    const fresh = newValues(previous, family);
    const described = [...fresh].map(([label, values]) => {
      const shown = values.slice(0, SHOWN).map((v) => JSON.stringify(v)).join(", ");
      return `${label}=${shown}${values.length > SHOWN ? ` (+${values.length - SHOWN} more)` : ""}`;
    }).join("; ");
    const fromProbe = [...fresh.values()].some((values) => values.some((v) => v.includes(token)));
    // prom-client's process/runtime families never see requests; they grow on their own (a GC
    // kind seen for the first time), so only probe-token values count against them.
    const runtimeFamily = /^(nodejs|process)_/.test(family.name);
    const leak = fromProbe || (!runtimeFamily && gained >= leakThreshold);
    const leakingLabel = [...fresh].find(([, values]) => values.some((v) => v.includes(token)))?.[0] ?? [...fresh.keys()][0] ?? "a label";
    findings.push({
      rule: "monwire/cardinality-probe",
      severity: leak ? "error" : "info",
      family: family.name,
      message: `gained ${gained} series during ${options.requests} requests to non-existent paths${described ? `: new ${described}` : ""}`,
      hint: leak
        ? `Label "${leakingLabel}" is taken from the raw URL: record the matched route template and collapse unmatched requests to "unmatched".`
        : "Growth unrelated to the probe paths (e.g. a GC kind seen for the first time); bounded, so not a leak.",
    });
  }
  const answered = [...statuses].map(([status, n]) => `${n}× ${status}`).join(", ");
  const status = statusOf(findings);
  const leaks = findings.filter((f) => f.severity === "error").length;
  const summary = status === "pass"
    ? `${options.requests} requests to random paths (${answered}): no family grew with them${findings.length > 0 ? ` (${findings.map((f) => f.family).join(", ")} grew on ${findings.length === 1 ? "its" : "their"} own)` : ""}`
    : `${leaks} famil${leaks === 1 ? "y" : "ies"} grew with ${options.requests} requests to random paths (${answered})`;
  return { id: "metrics.cardinality-probe", group: "metrics", title: "unmatched paths do not add series", status, summary, findings };
}
