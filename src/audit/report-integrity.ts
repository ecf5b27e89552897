import { isMonwireError } from "../errors.js";
import type { AggregatePart, AggregateResult } from "./scan-aggregate.js";
import { verifyAndAggregate } from "./verify.js";
import { formatSummaryLine } from "./verify-summary.js";
import type { VerifyReport } from "./verify-types.js";

/**
 * The integrity verdict a report carries: `mon verify`'s verifier, unchanged, over the UTC days
 * the report read, per directory. The same pass aggregates the lines for the report (the scan
 * engine feeds each line to both), so a verified report reads its bytes once. A report is still
 * useful when the trail is signed and the key is not at hand, so that case becomes "unverified"
 * with the reason instead of an error (and the report aggregates without verifying).
 */
export type IntegrityStatus = "intact" | "torn" | "tampered" | "empty" | "unverified" | "skipped";

export interface DirIntegrity {
  dir: string;
  status: IntegrityStatus;
  /** verify's summary line, or why verification could not run. */
  summary: string;
  /** Files and anchors whose verdict is not `valid`, with verify's own wording. */
  findings: Array<{ name: string; status: string; verdict: string }>;
  notes: string[];
}

export interface Integrity {
  status: IntegrityStatus;
  dirs: DirIntegrity[];
}

const RANK: Record<IntegrityStatus, number> = { skipped: 0, empty: 1, intact: 2, torn: 3, unverified: 4, tampered: 5 };

export async function checkIntegrity(options: {
  dirs: string[]; from: string; to: string; key: string | undefined; keyEnv: string | undefined; verify: boolean;
  /** Aggregate the lines verified for the report in the same pass. */
  aggregate: AggregatePart;
  workers?: number;
  /** Bytes read since the last call (for progress). */
  onBytes?: (bytes: number) => void;
}): Promise<{ integrity: Integrity; aggregated: Map<string, AggregateResult[]> }> {
  const dirs: DirIntegrity[] = [];
  const aggregated = new Map<string, AggregateResult[]>();
  for (const dir of options.dirs) {
    if (!options.verify) {
      dirs.push({ dir, status: "skipped", summary: "not verified (--no-verify)", findings: [], notes: [] });
      continue;
    }
    let seen = 0;
    const onProgress = ({ doneBytes }: { doneBytes: number }) => {
      options.onBytes?.(doneBytes - seen);
      seen = doneBytes;
    };
    try {
      const run = await verifyAndAggregate({ dir, from: options.from, to: options.to, key: options.key, keyEnv: options.keyEnv, jobs: options.workers, aggregate: options.aggregate, onProgress });
      dirs.push(fromVerifyReport(run.report));
      for (const [path, parts] of run.aggregated) aggregated.set(path, parts);
    } catch (error) {
      if (!isMonwireError(error) || error.code !== "E_AUDIT_KEY_MISSING") throw error;
      dirs.push({ dir, status: "unverified", summary: `not verified: ${error.message}`, findings: [], notes: error.hint ? [error.hint] : [] });
    }
  }
  const status = dirs.reduce<IntegrityStatus>((worst, d) => (RANK[d.status] > RANK[worst] ? d.status : worst), dirs[0]?.status ?? "empty");
  return { integrity: { status, dirs }, aggregated };
}

function fromVerifyReport(report: VerifyReport): DirIntegrity {
  const torn = report.files.some((f) => f.status === "torn");
  const status: IntegrityStatus = report.status === "tampered" ? "tampered" : report.status === "empty" ? "empty" : torn ? "torn" : "intact";
  const findings = [...report.files, ...report.anchors]
    .filter((v) => v.status !== "valid")
    .map((v) => ({ name: v.name, status: v.status, verdict: v.verdict }));
  if (report.wrongKey) findings.unshift({ name: report.dir, status: "invalid", verdict: formatSummaryLine(report) });
  return { dir: report.dir, status, summary: formatSummaryLine(report), findings, notes: [...report.notes, ...(report.hint ? [report.hint] : [])] };
}
