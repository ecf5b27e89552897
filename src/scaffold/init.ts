import { resolve } from "node:path";
import { EXIT, MonwireError } from "../errors.js";
import { answersFromConfig, defaultAnswers, missingAnswerError, missingAnswers, readExistingConfig, type AnswerFlags } from "./answers.js";
import { applyWithUndo, removeEmptyDirs, snapshotLockfiles, type ApplyResult } from "./apply.js";
import { getProjectInfo } from "./detect.js";
import { gitDirtyFiles } from "./git.js";
import { checkPackageManager, installDependencies, type InstallResult } from "./install.js";
import { readManifest } from "./manifest.js";
import { isNoop, planInit } from "./plan.js";
import { planRules, takeAll, type RulesChoice, type RulesPlan } from "./rules-plan.js";
import type { DetectOverrides, FileChange, InitAnswers, Plan, ProjectInfo } from "./types.js";

/**
 * `mon init` from detection to install. The core decides; the command supplies hooks for what
 * needs a human (prompts, conflict questions) and for showing progress, and renders the result.
 */
export interface InitOptions {
  cwd: string;
  overrides?: DetectOverrides;
  flags?: AnswerFlags;
  yes?: boolean;
  dryRun?: boolean;
  force?: boolean;
  skipInstall?: boolean;
  monwireFrom?: string;
  /** The running build's tarball, placed in the app (`monwireFrom` then names it). */
  bundle?: { path: string; bytes: Buffer };
  /** Prompts are allowed (stdin is a TTY and CI is unset): decided by the command. */
  interactive?: boolean;
}

export interface InitHooks {
  detected?(project: ProjectInfo): void;
  /** Asks for the answers nobody gave; gets the defaults so far, the missing required ones and the given ones. */
  ask?(project: ProjectInfo, defaults: InitAnswers, missing: Array<keyof InitAnswers>, given: Array<keyof InitAnswers>): Promise<Partial<InitAnswers>>;
  /**
   * Interactive runs: init could not tell whether these `app.use(…)` registrations are error
   * middleware. Returns the ones the user says are ordinary (monitoring.errorHandler may follow them).
   */
  confirmErrorMiddleware?(registrations: string[]): Promise<string[]>;
  /** Interactive runs: which proposed route rules to take, and the product list. */
  chooseRules?(plan: RulesPlan): Promise<RulesChoice>;
  /** Interactive runs: may the listed user-changed files be overwritten? */
  confirmOverwrite?(conflicts: FileChange[]): Promise<boolean>;
  planned?(plan: Plan): void;
  /**
   * A terminal run without --yes: the plan and diffs are on screen; may they be written? Called
   * once, after conflicts and before anything is written or installed; false writes nothing.
   */
  confirmApply?(changes: number): Promise<boolean>;
  installOutput?(chunk: string): void;
}

/** "rolled-back": the install failed and every file init wrote was put back. */
export type InitStatus = "dry-run" | "nothing-to-do" | "applied" | "conflicts" | "declined" | "rolled-back";

export interface InitResult {
  status: InitStatus;
  project: ProjectInfo;
  answers: InitAnswers;
  plan: Plan;
  applied?: ApplyResult;
  install?: InstallResult;
  /** After a failed install: files that could not be put back (empty when the rollback was complete). */
  unrestored?: string[];
  /** Exit code for the command: 0, or 1 when conflicts or a failed install need attention. */
  exitCode: number;
}

async function collectAnswers(project: ProjectInfo, options: InitOptions, hooks: InitHooks): Promise<InitAnswers> {
  const given: AnswerFlags = { ...answersFromConfig(readExistingConfig(project.root)), ...options.flags };
  const defaults = { ...defaultAnswers(project), ...given };
  const missing = missingAnswers(given, project);
  let asked: Partial<InitAnswers> = {};
  // Prompts only for what is still open: a re-run (answers in mon.config.json) or a fully
  // flagged run goes straight to the plan.
  if (missing.length > 0 && !options.yes) {
    if (!options.interactive || !hooks.ask) throw missingAnswerError(missing);
    asked = await hooks.ask(project, defaults, missing, Object.keys(given) as Array<keyof InitAnswers>);
  }
  const answers = { ...defaults, ...asked };
  if (!answers.sentry && !answers.metrics && !answers.audit) {
    throw new MonwireError("E_USAGE", "--no-sentry, --no-metrics and --no-audit together leave nothing to set up", {
      exitCode: EXIT.usage,
      hint: "Keep at least one of Sentry, metrics or the audit trail.",
    });
  }
  return answers;
}

export async function runInit(options: InitOptions, hooks: InitHooks = {}): Promise<InitResult> {
  const root = resolve(options.cwd);
  const previous = readManifest(root);
  const project = getProjectInfo(root, options.overrides, new Set(previous?.files.map((f) => f.path)));
  hooks.detected?.(project);
  const answers = await collectAnswers(project, options, hooks);
  // Rules feed metrics and the audit trail; with neither there is nothing for them to do.
  const found = planRules(project, previous, readExistingConfig(root), answers.tenants.length);
  const rulesPlan = answers.metrics || answers.audit ? found : { ...found, proposals: [], products: [] };
  // Without a terminal (or with --yes) the proposals are taken: they land in mon.config.json,
  // shown in the plan, where they are reviewed and edited like any other setting.
  const ask = options.interactive && !options.yes && hooks.chooseRules && (rulesPlan.proposals.length > 0 || rulesPlan.products.length > 0);
  const choice = ask ? await hooks.chooseRules!(rulesPlan) : takeAll(rulesPlan);
  const planOptions = { project, answers, cwd: root, rules: { plan: rulesPlan, choice }, ...(options.monwireFrom ? { monwireFrom: options.monwireFrom } : {}), ...(options.bundle ? { bundle: options.bundle } : {}) };
  let plan = planInit({ ...planOptions, force: options.force ?? false });
  // Without a terminal (or with --yes) the safe position stands and the plan's note says why.
  if (plan.uncertainMiddleware && options.interactive && !options.yes && hooks.confirmErrorMiddleware) {
    const ordinary = await hooks.confirmErrorMiddleware(plan.uncertainMiddleware);
    if (ordinary.length > 0) {
      Object.assign(planOptions, { ordinaryMiddleware: ordinary });
      plan = planInit({ ...planOptions, force: options.force ?? false });
    }
  }
  let conflicts = plan.changes.filter((c) => c.kind === "conflict");
  if (conflicts.length > 0 && options.interactive && !options.dryRun && hooks.confirmOverwrite && (await hooks.confirmOverwrite(conflicts))) {
    plan = planInit({ ...planOptions, force: true });
    conflicts = [];
  }
  const dirty = gitDirtyFiles(root);
  if (dirty && dirty.length > 0) {
    plan.warnings.push(`the git work tree has ${dirty.length} uncommitted change(s) (${dirty.slice(0, 3).join(", ")}${dirty.length > 3 ? ", …" : ""}): commit first to review monwire's changes on their own`);
  }
  hooks.planned?.(plan);
  const base = { project, answers, plan };
  if (options.dryRun) return { ...base, status: "dry-run", exitCode: conflicts.length > 0 ? EXIT.findings : EXIT.ok };
  if (conflicts.length > 0) return { ...base, status: "conflicts", exitCode: EXIT.findings };
  if (isNoop(plan)) return { ...base, status: "nothing-to-do", exitCode: EXIT.ok };
  const writes = plan.changes.filter((c) => c.kind === "create" || c.kind === "update" || c.kind === "delete").length;
  if (!options.yes && hooks.confirmApply && !(await hooks.confirmApply(writes))) return { ...base, status: "declined", exitCode: EXIT.ok };

  const packageChanged = plan.changes.some((c) => c.path === "package.json" && c.kind === "update");
  const install = packageChanged && !options.skipInstall;
  if (install) await checkPackageManager(project.packageManager, project.installRoot);
  const restoreLockfiles = snapshotLockfiles(project.installRoot);
  const { result: applied, undo } = applyWithUndo(root, plan.changes);
  removeEmptyDirs(root, applied.deleted);
  if (!install) return { ...base, status: "applied", applied, exitCode: EXIT.ok };
  const installed = await installDependencies(project.packageManager, project.installRoot, hooks.installOutput);
  if (installed.ok) return { ...base, status: "applied", applied, install: installed, exitCode: EXIT.ok };
  // A half-done init (imports of a package that is not installed) crashes the app at start:
  // put every file back, lockfiles included, so the app runs as it did before.
  const unrestored = [...undo(), ...restoreLockfiles()];
  return { ...base, status: "rolled-back", applied, install: installed, unrestored, exitCode: EXIT.findings };
}
