import { getVersion } from "../version.js";
import { reportFailed, type CheckReport } from "../probe/findings.js";

/** `--json`: exactly one document with every check and every finding. */
export interface JsonReport extends CheckReport {
  tool: "monwire";
  version: string;
  /** False when the run fails (exit code 1), warnings included under --strict. */
  ok: boolean;
  strict: boolean;
}

export function toJsonReport(report: CheckReport, strict: boolean): JsonReport {
  return { tool: "monwire", version: getVersion(), ok: !reportFailed(report, strict), strict, ...report };
}

export function renderJson(report: CheckReport, strict: boolean): string {
  return `${JSON.stringify(toJsonReport(report, strict), null, 2)}\n`;
}
