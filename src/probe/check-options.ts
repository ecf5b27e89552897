import { MonwireError } from "../errors.js";
import { DEFAULT_PROBE_REQUESTS, MAX_PROBE_REQUESTS } from "./cardinality.js";
import type { CheckOptions } from "./check-context.js";
import { CHECK_GROUPS, type SelectableGroup } from "./findings.js";
import { DEFAULT_SERIES_BUDGET, DEFAULT_SLO_EDGES } from "./lint-monwire.js";

/** `mon check` flags as commander hands them over, before validation. */
export interface RawCheckFlags {
  /** Repeatable: one string per --url. */
  url?: string | string[];
  targets?: string;
  config?: string;
  only?: string;
  offline?: boolean;
  online?: boolean;
  timeout?: string;
  probeCardinality?: boolean | string;
  seriesBudget?: string;
  sloEdges?: string;
  strict?: boolean;
  json?: boolean;
  format?: string;
  output?: string;
}

export type ReportFormat = "human" | "json" | "github" | "junit";
export const REPORT_FORMATS: readonly ReportFormat[] = ["human", "json", "github", "junit"];
export const DEFAULT_TIMEOUT_SECONDS = 10;
const MAX_TIMEOUT_SECONDS = 300;

export interface ParsedCheckFlags {
  options: CheckOptions;
  format: ReportFormat;
  output?: string;
  strict: boolean;
}

const usage = (message: string, hint: string) => new MonwireError("E_USAGE", message, { exitCode: 2, hint });

function parseOnly(value: string | undefined): SelectableGroup[] {
  if (value === undefined) return [...CHECK_GROUPS];
  const groups = value.split(",").map((g) => g.trim().toLowerCase()).filter(Boolean);
  const unknown = groups.filter((g) => !(CHECK_GROUPS as readonly string[]).includes(g));
  if (unknown.length > 0 || groups.length === 0) {
    throw usage(`--only: unknown group ${unknown.map((g) => `"${g}"`).join(", ") || "(empty)"}`, `Use a comma-separated list of ${CHECK_GROUPS.join(", ")}.`);
  }
  return CHECK_GROUPS.filter((g) => groups.includes(g));
}

function parseNumber(flag: string, value: string, check: (n: number) => boolean, expected: string): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || !check(n)) throw usage(`${flag}: expected ${expected}, got "${value}"`, `Pass ${flag} ${expected}.`);
  return n;
}

function parseProbe(value: boolean | string | undefined): number | undefined {
  if (value === undefined || value === false) return undefined;
  if (value === true) return DEFAULT_PROBE_REQUESTS;
  return parseNumber("--probe-cardinality", value, (n) => Number.isInteger(n) && n >= 1 && n <= MAX_PROBE_REQUESTS, `an integer from 1 to ${MAX_PROBE_REQUESTS}`);
}

function parseFormat(flags: RawCheckFlags): ReportFormat {
  const format = (flags.format ?? (flags.json ? "json" : "human")).toLowerCase();
  if (!(REPORT_FORMATS as readonly string[]).includes(format)) throw usage(`--format: unknown format "${flags.format}"`, `Use one of ${REPORT_FORMATS.join(", ")}.`);
  if (flags.json && format !== "json") throw usage(`--json conflicts with --format ${format}`, "Pass either --json or --format.");
  return format as ReportFormat;
}

function parseUrl(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  try {
    const url = new URL(value);
    if (url.protocol === "http:" || url.protocol === "https:") return url.toString();
  } catch {
    // Reported below with the fix.
  }
  throw usage(`--url: "${value}" is not an http(s) URL`, "Pass the metrics endpoint, e.g. --url http://127.0.0.1:5000/metrics.");
}

/** Whether the environment says this is a CI run: CI set to anything but "", "0" or "false". */
export function isCiEnv(env: NodeJS.ProcessEnv): boolean {
  const ci = env.CI?.trim().toLowerCase();
  return ci !== undefined && ci !== "" && ci !== "0" && ci !== "false";
}

export function parseCheckFlags(flags: RawCheckFlags, env: NodeJS.ProcessEnv, cwd: string, now: Date = new Date()): ParsedCheckFlags {
  if (flags.offline && flags.online) throw usage("--offline and --online contradict each other", "Pass one of them.");
  const timeout = flags.timeout === undefined ? DEFAULT_TIMEOUT_SECONDS
    : parseNumber("--timeout", flags.timeout, (n) => n > 0 && n <= MAX_TIMEOUT_SECONDS, `seconds from 0 to ${MAX_TIMEOUT_SECONDS}`);
  const sloEdges = flags.sloEdges === undefined ? [...DEFAULT_SLO_EDGES]
    : flags.sloEdges.split(",").map((edge) => parseNumber("--slo-edges", edge, (n) => n > 0, "positive seconds like 0.3,1"));
  const urls = (flags.url === undefined ? [] : Array.isArray(flags.url) ? flags.url : [flags.url]).map((u) => parseUrl(u)!);
  if (urls.length > 0 && flags.targets !== undefined) throw usage("--url and --targets contradict each other", "Pass the instances either as repeated --url or in one --targets file.");
  const url = urls.length === 1 ? urls[0] : undefined;
  const probe = parseProbe(flags.probeCardinality);
  const options: CheckOptions = {
    cwd,
    only: parseOnly(flags.only),
    offline: Boolean(flags.offline),
    online: Boolean(flags.online),
    timeoutMs: Math.round(timeout * 1000),
    seriesBudget: flags.seriesBudget === undefined ? DEFAULT_SERIES_BUDGET
      : parseNumber("--series-budget", flags.seriesBudget, (n) => Number.isInteger(n) && n >= 1, "an integer ≥ 1"),
    sloEdges,
    env,
    now,
    ...(flags.strict ? { requireReachable: "--strict" } : isCiEnv(env) ? { requireReachable: "CI is set" } : {}),
    ...(flags.config ? { configPath: flags.config } : {}),
    ...(url ? { url } : {}),
    ...(urls.length > 1 ? { urls: [...new Set(urls)] } : {}),
    ...(flags.targets !== undefined ? { targetsFile: flags.targets } : {}),
    ...(probe !== undefined ? { probeCardinality: probe } : {}),
  };
  const format = parseFormat(flags);
  return { options, format, strict: Boolean(flags.strict), ...(flags.output ? { output: flags.output } : {}) };
}
