import { unifiedDiff } from "../scaffold/diff.js";
import type { InitResult } from "../scaffold/init.js";
import { nextSteps } from "./render-init.js";
import type { UninstallResult } from "../scaffold/uninstall.js";

/**
 * The one JSON document `--json` prints: detection, answers, the plan with a diff per change,
 * and what happened. File contents are not repeated; the diffs carry them.
 */
export function initResultJson(result: InitResult): Record<string, unknown> {
  const { project } = result;
  return {
    status: result.status,
    exitCode: result.exitCode,
    project: {
      root: project.root,
      packageManager: project.packageManager,
      workspace: project.workspace,
      language: project.language,
      moduleSystem: project.moduleSystem,
      expressMajor: project.expressMajor,
      entry: project.entry,
      serverDir: project.serverDir,
      port: project.port ?? null,
      database: project.database
        ? { client: project.database.client, instrumentable: project.database.instrumentable, site: project.database.site ? { file: project.database.site.file, line: project.database.site.line, variable: project.database.site.variable, construct: project.database.site.construct } : null }
        : null,
      evidence: project.evidence,
    },
    answers: result.answers,
    plan: {
      changes: result.plan.changes.map((change) => ({
        path: change.path,
        kind: change.kind,
        reason: change.reason,
        ...(change.kind === "skip" ? {} : { diff: unifiedDiff(change) }),
      })),
      warnings: result.plan.warnings,
      notes: result.plan.notes,
      rules: {
        proposed: (result.plan.rules?.proposed ?? []).map((p) => ({ key: p.key, event: p.event, rule: p.rule, file: p.file, line: p.line, guessed: p.guessed })),
        added: result.plan.rules?.added ?? [],
        products: result.plan.rules?.products ?? [],
      },
    },
    applied: result.applied ?? null,
    install: result.install ?? null,
    ...(result.unrestored ? { unrestored: result.unrestored } : {}),
    nextSteps: result.status === "applied" ? nextSteps(result) : [],
  };
}

export function uninstallResultJson(result: UninstallResult, dryRun: boolean): Record<string, unknown> {
  return {
    status: result.plan.changes.some((c) => c.kind === "conflict") && !dryRun ? "conflicts" : dryRun ? "dry-run" : result.declined ? "declined" : "removed",
    exitCode: result.exitCode,
    changes: result.plan.changes.map((change) => ({ path: change.path, kind: change.kind, reason: change.reason, diff: unifiedDiff(change) })),
    left: result.plan.left,
    applied: result.applied ?? null,
    install: result.install ?? null,
  };
}
