import { join } from "node:path";
import { buildReport, type ReportResult } from "../audit/report.js";
import { verifyAuditDir } from "../audit/verify.js";
import type { VerifyReport } from "../audit/verify-types.js";
import { parseCheckFlags } from "../probe/check-options.js";
import { reportFailed, type CheckReport } from "../probe/findings.js";
import { runChecks } from "../probe/run-checks.js";
import { AUDIT_KEY_ENV } from "./shop-dir.js";

/**
 * Runs the same cores as `mon check --online`, `mon report --day D` and `mon verify` against the
 * demo shop, in the demo directory (so they read its mon.config.json), with the audit key and
 * Sentry DSN the shop got.
 */
export interface DemoChecks {
  check: CheckReport;
  checkFailed: boolean;
  report: ReportResult;
  verify: VerifyReport;
}

export async function runDemoChecks(options: { dir: string; metricsUrl: string; env: NodeJS.ProcessEnv; auditKey: string; from: string; to: string }): Promise<DemoChecks> {
  const parsed = parseCheckFlags({ url: options.metricsUrl, online: true }, options.env, options.dir);
  const check = await runChecks(parsed.options);
  const auditDir = join(options.dir, "logs");
  const report = await buildReport({ dirs: [auditDir], from: options.from, to: options.to, key: options.auditKey, keyEnv: AUDIT_KEY_ENV });
  const verify = await verifyAuditDir({ dir: auditDir, key: options.auditKey, keyEnv: AUDIT_KEY_ENV });
  return { check, checkFailed: reportFailed(check, false), report, verify };
}
