/**
 * What `mon check` reports. A check (one line in the human output, one JUnit testcase) has a
 * status; its findings are the individual problems behind it, each with the family, file or
 * line it is about and, where one exists, the exact fix.
 */
export type CheckGroup = "config" | SelectableGroup;
/** The groups `--only` selects from, in the order they run. */
export type SelectableGroup = "metrics" | "sentry" | "audit";
export const CHECK_GROUPS: readonly SelectableGroup[] = ["metrics", "sentry", "audit"];
/** Every group a report may hold, in print order: an unusable config comes first, it decides the rest. */
export const REPORT_GROUPS: readonly CheckGroup[] = ["config", ...CHECK_GROUPS];

export type CheckStatus = "pass" | "fail" | "warn" | "skip";
export type Severity = "error" | "warning" | "info";

export interface Finding {
  /** `promlint` for promtool's rules, `monwire/<rule>` for monwire's own. */
  rule: string;
  severity: Severity;
  message: string;
  /** The metric family the finding is about (promtool prints it first). */
  family?: string;
  /** A file in the host project the finding is about. */
  file?: string;
  line?: number;
  hint?: string;
}

export interface CheckResult {
  /** Stable id, e.g. `metrics.promlint`. */
  id: string;
  group: CheckGroup;
  title: string;
  status: CheckStatus;
  /** One line: what was found. */
  summary: string;
  /** One line: how to fix it (a command or the file to change). */
  hint?: string;
  /** For skipped checks: whether the skip was asked for (--offline) or forced (app not up). */
  skipReason?: "requested" | "unavailable";
  findings: Finding[];
}

/** Which mon.config.json the run read; without one, the defaults that stood in for it. */
export interface ConfigSource {
  file: string | null;
  /** Without a file: the directory the upward search started from, and the defaults used. */
  searchedFrom?: string;
  defaults?: Record<string, string>;
}

export interface CheckReport {
  checks: CheckResult[];
  counts: Record<CheckStatus, number>;
  config?: ConfigSource;
}

/** The status a set of findings earns: any error fails, any warning warns. */
export function statusOf(findings: readonly Finding[]): CheckStatus {
  if (findings.some((f) => f.severity === "error")) return "fail";
  if (findings.some((f) => f.severity === "warning")) return "warn";
  return "pass";
}

export function skipped(
  id: string,
  group: CheckGroup,
  title: string,
  summary: string,
  reason: "requested" | "unavailable",
  hint?: string,
): CheckResult {
  return { id, group, title, status: "skip", summary, skipReason: reason, findings: [], ...(hint ? { hint } : {}) };
}

export function buildReport(checks: CheckResult[], config?: ConfigSource): CheckReport {
  const counts: Record<CheckStatus, number> = { pass: 0, fail: 0, warn: 0, skip: 0 };
  for (const check of checks) counts[check.status]++;
  return { checks, counts, ...(config ? { config } : {}) };
}

/**
 * Whether the run failed. `--strict` turns warnings into failures and also fails on checks that
 * could not run (app not up), but never on skips the user asked for (`--offline`).
 */
export function reportFailed(report: CheckReport, strict: boolean): boolean {
  return report.checks.some((c) => isFailing(c, strict));
}

export function isFailing(check: CheckResult, strict: boolean): boolean {
  if (check.status === "fail") return true;
  if (!strict) return false;
  return check.status === "warn" || (check.status === "skip" && check.skipReason === "unavailable");
}
