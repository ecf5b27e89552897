import { withoutTsSourceMap } from "./sourcemap-edit.js";
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { EXIT, MonwireError } from "../errors.js";
import { applyChanges, removeEmptyDirs, type ApplyResult } from "./apply.js";
import { detectPackageManager } from "./detect-pm.js";
import { installDependencies, type InstallResult } from "./install.js";
import { MANIFEST_PATH, readManifest, sha256 } from "./manifest.js";
import { detectJsonStyle, formatJson } from "./package-edit.js";
import { findImporters } from "./importers.js";
import { detectEol, findRegions, stripRegions, type CommentStyle, type Region } from "./regions.js";
import { followLinks } from "./symlinks.js";
import type { FileChange, Manifest, ManifestFile } from "./types.js";

/**
 * `mon uninstall`: removes exactly what init added, as recorded in the manifest — owned regions,
 * created files the user did not modify, added dependencies, script changes. Whatever the user
 * changed is left in place and reported.
 */
export interface UninstallPlan {
  root: string;
  changes: FileChange[];
  /** What stays because the user changed it, with why. */
  left: string[];
}

/**
 * The regions monwire adds to code depend on each other: `imports` defines `monitoring`, the
 * others use it. Removing some and keeping a user-edited one would leave code calling what is
 * gone (a ReferenceError at start), so in code an edited region is a CONFLICT: without --force
 * nothing is removed; with it, all of monwire's regions go, the edited one too. In .gitignore and
 * .env.example regions are independent lines, and an edited one is simply kept.
 */
function editedRegions(text: string, file: ManifestFile): string[] {
  const recorded = file.regions ?? {};
  return findRegions(text, commentFor(file.path))
    .filter((region) => recorded[region.name] !== undefined && recorded[region.name] !== sha256(region.body.join("\n")))
    .map((region) => region.name);
}

const commentFor = (path: string): CommentStyle => (/\.(env\.example|gitignore)$|^\.(env\.example|gitignore)$|\.ya?ml$|\.toml$/.test(path) ? "#" : "//");

function planRegionFile(root: string, text: string, file: ManifestFile, left: string[]): string {
  const comment = commentFor(file.path);
  const recorded = file.regions ?? {};
  const keep = new Set(comment === "#" ? editedRegions(text, file) : []);
  for (const name of keep) left.push(`${file.path}: region "${name}" was changed by you — kept`);
  const ours = (region: Region) => !keep.has(region.name) && recorded[region.name] !== undefined;
  const stripped = basename(file.path) === ".gitignore" ? keepIgnoredThatExist(join(root, dirname(file.path)), file.path, text, ours, left) : text;
  return stripRegions(stripped, comment, (region) => !ours(region));
}

/**
 * Uninstall keeps the audit trail (and .env) on disk, so their ignore lines must stay while the
 * paths exist, or the next `git add .` commits audit data or secrets. Such a line leaves
 * monwire's region as a plain line of the user's; a line whose path is gone is removed.
 */
function keepIgnoredThatExist(dir: string, path: string, text: string, ours: (region: Region) => boolean, left: string[]): string {
  const eol = detectEol(text);
  let result = text;
  for (const region of findRegions(text, "#").filter(ours).reverse()) {
    const kept = region.body.filter((line) => line !== "" && !line.startsWith("#") && !line.includes("*") && existsSync(join(dir, line.replace(/^\//, "").replace(/\/$/, ""))));
    if (kept.length === 0) continue;
    for (const line of kept) left.push(`${path}: "${line}" stays (its path still exists and must stay out of git); remove the line once you delete ${line.replace(/^\//, "")}`);
    result = result.slice(0, region.start) + kept.map((line) => line + eol).join("") + result.slice(region.end);
  }
  return result;
}

function planPackageJson(text: string, manifest: Manifest, left: string[]): string {
  const pkg = JSON.parse(text) as Record<string, Record<string, string> | unknown>;
  let changed = false;
  const deps = { ...(pkg.dependencies as Record<string, string> | undefined) };
  for (const [name, spec] of Object.entries(manifest.dependencies)) {
    if (deps[name] === spec) {
      delete deps[name];
      changed = true;
    } else if (deps[name] !== undefined) {
      left.push(`package.json: dependency ${name} is now "${deps[name]}" (monwire added "${spec}") — kept`);
    }
  }
  const scripts = { ...(pkg.scripts as Record<string, string> | undefined) };
  for (const [name, { before, after }] of Object.entries(manifest.scripts)) {
    if (scripts[name] === after) {
      scripts[name] = before;
      changed = true;
    } else if (scripts[name] !== before) {
      left.push(`package.json: script "${name}" was changed after monwire edited it — kept`);
    }
  }
  if (!changed) return text;
  const next: Record<string, unknown> = { ...pkg, scripts };
  if (pkg.scripts === undefined) delete next.scripts;
  if (Object.keys(deps).length > 0) next.dependencies = deps;
  else delete next.dependencies;
  return formatJson(next, detectJsonStyle(text));
}

export function planUninstall(root: string, options: { force?: boolean } = {}): UninstallPlan {
  const manifest = readManifest(root);
  if (!manifest) {
    throw new MonwireError("E_CONFIG_NOT_FOUND", `nothing to uninstall: ${MANIFEST_PATH} not found in ${root}`, {
      exitCode: EXIT.usage,
      hint: "Run mon uninstall in the project where mon init ran (the folder with mon.config.json).",
    });
  }
  const changes: FileChange[] = [];
  const left: string[] = [];
  for (const file of manifest.files) {
    const path = join(root, file.path);
    if (file.path === MANIFEST_PATH || !existsSync(path)) continue;
    if (/\.t(ar\.)?gz$/.test(file.path)) {
      // The build's tarball init placed in the app: binary, compared by its bytes.
      const bytes = readFileSync(path);
      if (createHash("sha256").update(bytes).digest("hex") === file.sha256) changes.push({ path: file.path, kind: "delete", reason: "the monwire build init placed here", before: `(npm package, ${bytes.length} bytes)\n` });
      else left.push(`${file.path}: changed since monwire wrote it — kept`);
      continue;
    }
    const text = readFileSync(path, "utf8");
    if (file.path === "package.json") {
      const after = planPackageJson(text, manifest, left);
      if (after !== text) changes.push({ path: file.path, kind: "update", reason: "remove monwire's dependencies and script changes", before: text, after });
      continue;
    }
    if (file.path === "tsconfig.json" && file.ownership === "edited") {
      const after = withoutTsSourceMap(text);
      if (after !== text) changes.push({ path: file.path, kind: "update", reason: "remove the sourceMap option monwire added", before: text, after });
      continue;
    }
    const unchanged = sha256(text) === file.sha256;
    // A .gitignore monwire created may keep lines whose paths still exist: it goes by region.
    if (file.ownership === "created" && unchanged && !(file.regions && basename(file.path) === ".gitignore")) {
      changes.push({ path: file.path, kind: "delete", reason: "written by monwire, unchanged", before: text });
    } else if (file.regions) {
      const after = planRegionFile(root, text, file, left);
      const edited = commentFor(file.path) === "//" ? editedRegions(text, file) : [];
      if (edited.length > 0 && !options.force) {
        const names = edited.map((name) => `"${name}"`).join(", ");
        changes.push({ path: file.path, kind: "conflict", reason: `you changed monwire's region ${names}: removing the other regions would leave code using what they define`, before: text, after });
        continue;
      }
      if (after === text) continue;
      if (after.trim() === "" && file.ownership === "created") changes.push({ path: file.path, kind: "delete", reason: "only held monwire's lines", before: text });
      else changes.push({ path: file.path, kind: "update", reason: "remove monwire's marked regions", before: text, after });
    } else {
      left.push(`${file.path}: changed since monwire wrote it — kept`);
    }
  }
  changes.push({ path: MANIFEST_PATH, kind: "delete", reason: "monwire's manifest", before: readFileSync(join(root, MANIFEST_PATH), "utf8") });
  return { root, changes: followLinks(root, options.force ? changes : refuseImported(root, changes)), left };
}

/**
 * A file monwire wrote that the user's own code imports (outside monwire's regions) is a
 * CONFLICT: deleting it would leave that import failing at start. --force deletes it anyway.
 */
function refuseImported(root: string, changes: FileChange[]): FileChange[] {
  const code = changes.filter((change) => change.kind === "delete" && /\.(c|m)?(j|t)sx?$/.test(change.path)).map((change) => change.path);
  if (code.length === 0) return changes;
  const importers = findImporters(root, code);
  return changes.map((change) => {
    const places = change.kind === "delete" ? importers.get(change.path) : undefined;
    if (!places) return change;
    const shown = places.slice(0, 3).join(", ") + (places.length > 3 ? `, and ${places.length - 3} more` : "");
    return { ...change, kind: "conflict" as const, after: change.before, reason: `imported by your code at ${shown}: deleting it would break that import` };
  });
}

export interface UninstallResult {
  plan: UninstallPlan;
  applied?: ApplyResult;
  install?: InstallResult;
  /** The user answered no when asked to apply the plan: nothing was changed. */
  declined?: boolean;
  exitCode: number;
}

export interface UninstallOptions {
  cwd: string;
  dryRun?: boolean;
  force?: boolean;
  skipInstall?: boolean;
  installOutput?: (chunk: string) => void;
  /** Shows the plan and asks whether to apply it (a terminal without --yes); false changes nothing. */
  confirm?: (plan: UninstallPlan) => Promise<boolean>;
}

export async function runUninstall(options: UninstallOptions): Promise<UninstallResult> {
  const root = resolve(options.cwd);
  const plan = planUninstall(root, { force: options.force ?? false });
  const conflicts = plan.changes.some((change) => change.kind === "conflict");
  if (options.dryRun) return { plan, exitCode: conflicts ? EXIT.findings : EXIT.ok };
  // Keep both: nothing is removed while a conflict stands, so the app stays as it works today.
  if (conflicts) return { plan, exitCode: EXIT.findings };
  if (options.confirm && !(await options.confirm(plan))) return { plan, declined: true, exitCode: EXIT.ok };
  const applied = applyChanges(root, plan.changes);
  removeEmptyDirs(root, applied.deleted);
  const packageChanged = plan.changes.some((c) => c.path === "package.json");
  if (!packageChanged || options.skipInstall) return { plan, applied, exitCode: EXIT.ok };
  const pm = detectPackageManager(root);
  const install = await installDependencies(pm.packageManager, pm.installRoot, options.installOutput);
  return { plan, applied, install, exitCode: install.ok ? EXIT.ok : EXIT.findings };
}
