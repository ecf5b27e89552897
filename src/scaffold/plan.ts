import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { CONFIG_FILE } from "../config/load.js";
import { resolveConfig } from "../config/validate.js";
import { buildConfig, readExistingConfig } from "./answers.js";
import { readTsConfig } from "./detect-module.js";
import { editEntry } from "./entry-edit.js";
import { followLinks } from "./symlinks.js";
import { planDatabase } from "./plan-database.js";
import { emptyManifest, findManifestFile, formatManifest, MANIFEST_PATH, readManifest, sha256 } from "./manifest.js";
import { renderOpsFiles } from "./ops.js";
import { mergeRules as withRules, type ConfigWithRules, type RulesChoice, type RulesPlan } from "./rules-plan.js";
import { dependenciesToAdd, detectJsonStyle, formatJson, insertSection, readOwnPackage, withKeys } from "./package-edit.js";
import { findRegions } from "./regions.js";
import { planSourcemapEdits } from "./sourcemap-edit.js";
import { planScriptEdits } from "./script-edit.js";
import { scaleOutNotes } from "./detect-scale.js";
import { renderSourceFiles, sourcePath } from "./templates.js";
import { editRegionFile, envExampleLines, gitignoreLines } from "./text-files.js";
import type { FileChange, InitAnswers, Manifest, Plan, ProjectInfo } from "./types.js";

/**
 * Computes every change `mon init` would make, in memory. The preview, --dry-run, --json and the
 * real run all start from this one plan; nothing here writes.
 */
export interface PlanInitOptions {
  project: ProjectInfo;
  answers: InitAnswers;
  /** Overwrite files the user changed after monwire wrote them. */
  force?: boolean;
  /** Local checkout or tarball of monwire to depend on (file: spec). */
  monwireFrom?: string;
  cwd?: string;
  /** Registrations the user said are ordinary middleware (asked when init could not tell). */
  ordinaryMiddleware?: readonly string[];
  /** Route rules found and the user's choice; none means no rules are added. */
  rules?: { plan: RulesPlan; choice: RulesChoice };
  /** The running build as a tarball, placed in the app at `path`; `monwireFrom` points at it. */
  bundle?: { path: string; bytes: Buffer };
}

interface Planner {
  changes: FileChange[];
  manifest: Manifest;
  previous: Manifest | undefined;
  read(path: string): string | undefined;
  force: boolean;
}

function createPlanner(root: string, force: boolean): Planner {
  const previous = readManifest(root);
  const manifest = emptyManifest(readOwnPackage().version);
  if (previous) {
    manifest.scripts = { ...previous.scripts };
    manifest.dependencies = { ...previous.dependencies };
    if (previous.routes) manifest.routes = [...previous.routes];
  }
  const read = (path: string) => (existsSync(join(root, path)) ? readFileSync(join(root, path), "utf8") : undefined);
  return { changes: [], manifest, previous, read, force };
}

/** A file monwire owns whole. Changed since monwire wrote it (or never monwire's) → CONFLICT unless forced. */
function planOwned(p: Planner, path: string, desired: string, reason: string, options: { merge?: boolean } = {}): void {
  const before = p.read(path);
  const previous = findManifestFile(p.previous, path);
  const record = () => p.manifest.files.push({ path, sha256: sha256(desired), ownership: "created" });
  if (before === undefined) {
    p.changes.push({ path, kind: "create", reason, after: desired });
    record();
  } else if (before === desired) {
    p.changes.push({ path, kind: "skip", reason, before, after: desired });
    record();
  } else if (options.merge || p.force || (previous && sha256(before) === previous.sha256)) {
    p.changes.push({ path, kind: "update", reason, before, after: desired });
    record();
  } else {
    const why = previous ? "changed since monwire wrote it" : "exists and was not written by monwire";
    p.changes.push({ path, kind: "conflict", reason: `${why} — kept (use --force to overwrite)`, before, after: desired });
    if (previous) p.manifest.files.push(previous);
  }
}

/** A user file monwire edits inside owned regions. Regions the user changed → CONFLICT unless forced. */
function planEdited(p: Planner, path: string, before: string | undefined, desired: string, reason: string, editedRegions: string[], comment: "//" | "#" | "" = "//"): void {
  const previous = findManifestFile(p.previous, path);
  const regions = comment === "" ? undefined : Object.fromEntries(findRegions(desired, comment).map((r) => [r.name, sha256(r.body.join("\n"))]));
  if (before === undefined && desired === "") return;
  const record = () => p.manifest.files.push({ path, sha256: sha256(desired), ownership: before === undefined && !previous ? "created" : (previous?.ownership ?? "edited"), ...(regions ? { regions } : {}) });
  if (before === desired) {
    p.changes.push({ path, kind: "skip", reason, before, after: desired });
    record();
  } else if (editedRegions.length > 0 && !p.force) {
    p.changes.push({ path, kind: "conflict", reason: `you changed monwire's region${editedRegions.length > 1 ? "s" : ""} ${editedRegions.join(", ")} — kept (use --force to overwrite)`, ...(before !== undefined ? { before } : {}), after: desired });
    if (previous) p.manifest.files.push(previous);
  } else {
    p.changes.push({ path, kind: before === undefined ? "create" : "update", reason, ...(before !== undefined ? { before } : {}), after: desired });
    record();
  }
}

/** The build's tarball, kept in the app so package.json can name it by a relative path. Binary: the diff shows a label. */
function planBundle(p: Planner, root: string, bundle: { path: string; bytes: Buffer }): void {
  const file = join(root, bundle.path);
  const digest = createHash("sha256").update(bundle.bytes).digest("hex");
  const onDisk = existsSync(file) ? readFileSync(file) : undefined;
  const kind = onDisk === undefined ? "create" : onDisk.equals(bundle.bytes) ? "skip" : "update";
  const label = (bytes: Buffer) => `(npm package, ${bytes.length} bytes, sha256 ${createHash("sha256").update(bytes).digest("hex").slice(0, 16)})\n`;
  const reason = "this monwire build, which package.json names by a relative file: path";
  p.changes.push({ path: bundle.path, kind, reason, ...(onDisk ? { before: label(onDisk) } : {}), after: label(bundle.bytes), bytes: bundle.bytes });
  p.manifest.files.push({ path: bundle.path, sha256: digest, ownership: "created" });
}

function planPackageJson(p: Planner, options: PlanInitOptions, sentryWired: boolean, notes: string[]): void {
  const { project, answers } = options;
  const text = p.read("package.json")!;
  const pkg = JSON.parse(text) as Record<string, unknown>;
  const scripts = (pkg.scripts ?? {}) as Record<string, string>;
  const added = dependenciesToAdd(pkg, answers, { ...(options.monwireFrom ? { monwireFrom: options.monwireFrom } : {}), cwd: options.cwd ?? project.root, nodeVersion: project.nodeVersion });
  let next = pkg;
  if (Object.keys(added).length > 0) {
    next = insertSection(next, "dependencies", withKeys(pkg.dependencies as Record<string, string> | undefined, added), ["scripts", "main", "type", "version", "name"]);
    Object.assign(p.manifest.dependencies, added);
  }
  if (!sentryWired) {
    // Sentry was turned off since the last run: put back the scripts monwire changed for it.
    for (const [name, { before, after }] of Object.entries(p.manifest.scripts)) {
      if (scripts[name] === after) next = { ...next, scripts: { ...(next.scripts as Record<string, string>), [name]: before } };
      delete p.manifest.scripts[name];
    }
  } else {
    const tsconfig = readTsConfig(project.root);
    const edits = project.moduleSystem === "esm"
      ? planScriptEdits({ scripts, entry: project.entry, instrument: sourcePath(project, "monitoring/sentry"), ...(tsconfig ? { tsconfig } : {}) })
      : { scripts: {}, notes: [] };
    const tsconfigText = p.read("tsconfig.json");
    const maps = planSourcemapEdits({ scripts: { ...scripts, ...edits.scripts }, ...(tsconfig ? { tsconfig } : {}), ...(tsconfigText ? { tsconfigText } : {}) });
    const changed = { ...edits.scripts, ...maps.scripts };
    notes.push(...edits.notes, ...maps.notes);
    for (const [name, after] of Object.entries(changed)) {
      p.manifest.scripts[name] = { before: p.manifest.scripts[name]?.before ?? scripts[name]!, after };
    }
    if (Object.keys(changed).length > 0) next = { ...next, scripts: { ...scripts, ...changed } };
    // A re-run finds "sourceMap" already there: keep the file in the manifest all the same.
    const editedBefore = p.previous?.files.some((f) => f.path === "tsconfig.json") ?? false;
    const desiredTs = maps.tsconfigText ?? (editedBefore ? tsconfigText : undefined);
    if (desiredTs && tsconfigText) planEdited(p, "tsconfig.json", tsconfigText, desiredTs, "emit source maps so Sentry shows TypeScript lines", [], "");
  }
  const desired = next === pkg ? text : formatJson(next, detectJsonStyle(text));
  planEdited(p, "package.json", text, desired, "dependencies and start scripts", [], "");
}

/**
 * Files an earlier run created that this run no longer wants (a feature was turned off): removed
 * when unchanged, kept — and still listed in the manifest — when the user edited them.
 */
function planDropped(p: Planner): void {
  for (const file of p.previous?.files ?? []) {
    if (file.ownership !== "created" || file.path === MANIFEST_PATH || p.changes.some((c) => c.path === file.path)) continue;
    const before = p.read(file.path);
    if (before === undefined) continue;
    if (sha256(before) === file.sha256) p.changes.push({ path: file.path, kind: "delete", reason: "no longer needed with these answers", before });
    else p.manifest.files.push(file);
  }
}

export function planInit(options: PlanInitOptions): Plan {
  const { project, answers } = options;
  const p = createPlanner(project.root, options.force ?? false);
  const warnings: string[] = [];
  const notes: string[] = [];
  const sentryWired = answers.sentry && !project.existingSentry;
  if (answers.sentry && project.existingSentry) {
    warnings.push(`Sentry is already initialised in ${project.existingSentry}: monwire adds no second Sentry.init — keep your Sentry error handler, or remove your init and run mon init again to let monwire manage Sentry`);
  }
  if (answers.metrics && project.existingMetricsRoute === answers.metricsPath) {
    warnings.push(`the app already serves ${answers.metricsPath}; rerun with --metrics-path /monwire/metrics to avoid two handlers on one path`);
  }

  const existingConfig = readExistingConfig(project.root);
  const rules = options.rules;
  const configInput = rules ? withRules(buildConfig(existingConfig, answers, project.packageName), rules.plan, rules.choice) : buildConfig(existingConfig, answers, project.packageName);
  if (rules) p.manifest.routes = rules.plan.routes;
  // Which session source the config now names, and how to switch to the store init found.
  const sessionsWritten = rules?.plan.sessions && (configInput as ConfigWithRules).sessions?.source === rules.plan.sessions.source && !existingConfig?.sessions?.source;
  const database = planDatabase(project, (path) => p.read(path));
  if (database?.config && !configInput.database) configInput.database = database.config;
  const configText = p.read(CONFIG_FILE);
  planOwned(p, CONFIG_FILE, formatJson(configInput, configText ? detectJsonStyle(configText) : { indent: "  ", eol: "\n", finalNewline: true }), "monwire settings", { merge: true });

  const wiring = { ...answers, sentry: sentryWired };
  // The monitoring file reads the app's exported session store whenever the config names it.
  const sessionStore = (configInput as ConfigWithRules).sessions?.source === "store" ? rules?.plan.sessionStore : undefined;
  for (const file of renderSourceFiles(project, wiring, sessionStore)) planOwned(p, file.path, file.content, file.reason);
  const config = resolveConfig(configInput);
  for (const file of renderOpsFiles(config, { port: answers.port, tenants: answers.tenants })) planOwned(p, file.path, file.content, file.reason);

  const entryText = p.read(project.entry)!;
  const entry = editEntry(entryText, { file: project.entry, language: project.language, moduleSystem: project.moduleSystem, importExtension: project.importExtension, answers: wiring, root: project.root,
    ...(options.ordinaryMiddleware ? { ordinaryMiddleware: options.ordinaryMiddleware } : {}) });
  // When the pool is created in the entry itself, the database regions go on top of the entry's.
  const dbInEntry = database?.edit && database.path === project.entry ? database.apply(entry?.text ?? entryText) : undefined;
  if (entry) {
    notes.push(...entry.notes);
    planEdited(p, project.entry, entryText, dbInEntry?.text ?? entry.text, "wire monitoring into the app (marked regions)", [...entry.editedRegions, ...(dbInEntry?.editedRegions ?? [])]);
  }
  if (database?.edit && database.path !== project.entry) {
    planEdited(p, database.path, p.read(database.path), database.edit.text, "database health and query metrics (marked regions)", database.edit.editedRegions);
  }
  if (database) notes.push(...database.notes);
  if (options.bundle) planBundle(p, project.root, options.bundle);
  planPackageJson(p, options, sentryWired, notes);
  if (answers.metrics) notes.push(...scaleOutNotes(project));
  if (sessionsWritten && rules?.plan.sessions) notes.push(rules.plan.sessions.note);

  const env = editRegionFile(p.read(".env.example"), "env", envExampleLines(answers));
  planEdited(p, ".env.example", p.read(".env.example"), env.text, "environment variables monwire reads", env.edited ? ["env"] : [], "#");
  const ignore = editRegionFile(p.read(".gitignore"), "ignore", gitignoreLines(answers.auditDir, answers.audit));
  planEdited(p, ".gitignore", p.read(".gitignore"), ignore.text, "keep .env and the audit trail out of git", ignore.edited ? ["ignore"] : [], "#");

  planDropped(p);
  planOwned(p, MANIFEST_PATH, formatManifest(p.manifest), "what monwire wrote (for re-runs and uninstall)", { merge: true });
  const added = rules ? rules.plan.proposals.filter((r) => rules.choice.accepted.includes(r.key)).map((r) => r.key) : [];
  return {
    root: project.root, changes: followLinks(project.root, p.changes), manifest: p.manifest, warnings, notes,
    ...(entry?.uncertain.length ? { uncertainMiddleware: entry.uncertain } : {}),
    ...(rules ? { rules: { proposed: rules.plan.proposals, added, products: rules.choice.products, actor: Boolean(rules.plan.actor && (configInput as ConfigWithRules).actor === rules.plan.actor) } } : {}),
  };
}

/** True when the plan changes nothing (a second run). */
export function isNoop(plan: Plan): boolean {
  return plan.changes.every((change) => change.kind === "skip");
}
