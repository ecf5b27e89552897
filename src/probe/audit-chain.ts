import { verifyAuditDir } from "../audit/verify.js";
import { formatSummaryLine } from "../audit/verify-summary.js";
import type { VerifyReport } from "../audit/verify-types.js";
import { isMonwireError } from "../errors.js";
import type { CheckContext } from "./check-context.js";
import { readSetting } from "./env-file.js";
import { skipped, statusOf, type CheckResult, type Finding } from "./findings.js";

/**
 * The chain through monwire's own verifier (the one behind `mon verify`), reduced to what a
 * CI line needs: the summary and the first problem, with the command that shows everything.
 */
const ID = "audit.chain";
const TITLE = "hash chain verifies";

/** The first thing a reader should look at: the earliest failing file, else anchor, else checkpoint. */
function firstProblem(report: VerifyReport): Finding | undefined {
  if (report.wrongKey) return { rule: "monwire/audit-chain", severity: "error", message: formatSummaryLine(report), hint: report.hint ?? "Set the key the trail was written with." };
  const file = report.files.find((f) => f.status === "invalid" || f.status === "missing");
  const hint = `Run \`mon verify --dir ${report.dir}\` for every finding; treat the trail as tampered until explained.`;
  if (file) {
    const issue = file.issues.find((i) => i.severity === "tamper");
    return { rule: "monwire/audit-chain", severity: "error", file: file.name, ...(issue?.line ? { line: issue.line } : {}),
      message: `${file.verdict}${issue && !file.verdict.includes(issue.message) ? ` (${issue.message})` : ""}`, hint };
  }
  const anchor = report.anchors.find((a) => a.status !== "valid");
  if (anchor) return { rule: "monwire/audit-chain", severity: "error", file: anchor.name, message: anchor.verdict, hint };
  if (report.checkpoint?.status === "invalid") return { rule: "monwire/audit-chain", severity: "error", file: "audit-pruned.json", message: report.checkpoint.verdict, hint };
  return undefined;
}

export async function checkAuditChain(ctx: CheckContext, dir: string): Promise<CheckResult> {
  const keyEnv = ctx.config.audit.keyEnv;
  const key = readSetting(keyEnv, ctx.options.env, ctx.root)?.value;
  let report: VerifyReport;
  try {
    report = await verifyAuditDir({ dir, keyEnv, jobs: "auto", ...(key ? { key } : {}) });
  } catch (error) {
    if (isMonwireError(error) && error.code === "E_AUDIT_KEY_MISSING") {
      return skipped(ID, "audit", TITLE, `the trail is signed and ${keyEnv} is not set: cannot verify`, "unavailable", error.hint ?? `Export ${keyEnv} (the HMAC key the app writes with).`);
    }
    throw error;
  }
  if (report.status === "empty") return skipped(ID, "audit", TITLE, "no entries or anchors to verify yet", "unavailable");
  const findings: Finding[] = [];
  const problem = firstProblem(report);
  if (problem) findings.push(problem);
  for (const file of report.files.filter((f) => f.status === "torn")) {
    findings.push({ rule: "monwire/audit-torn", severity: "warning", file: file.name, message: `${file.verdict} (a crash mid-write; nothing acknowledged is missing)` });
  }
  if (report.unprovenDays.length > 0) {
    const days = report.unprovenDays;
    findings.push({ rule: "monwire/audit-missing-day", severity: "warning", message: `no file and no anchor for ${days.length} day${days.length === 1 ? "" : "s"} (${days.slice(0, 3).join(", ")}${days.length > 3 ? ", …" : ""}): nothing proves they had no events`,
      hint: "The runtime seals every closed day when it runs; run `mon seal`, or check that audit.dir is where the app writes." });
  }
  // The verifier's own note about unproven days is the warning above.
  for (const note of report.notes.filter((n) => !n.includes("without a file or an anchor"))) findings.push({ rule: "monwire/audit-chain", severity: "info", message: note });
  const summary = problem ? (problem.file ? `TAMPERED: ${problem.file}: ${problem.message}` : problem.message) : formatSummaryLine(report);
  return { id: ID, group: "audit", title: TITLE, status: statusOf(findings), summary, ...(problem?.hint ? { hint: problem.hint } : {}), findings };
}
