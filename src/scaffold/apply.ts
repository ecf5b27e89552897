import { chmodSync, mkdirSync, readFileSync, renameSync, rmdirSync, statSync, unlinkSync, writeFileSync, existsSync, readdirSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { EXIT, MonwireError } from "../errors.js";
import { resolveLinked } from "./symlinks.js";
import type { FileChange } from "./types.js";

/**
 * Applies a plan atomically: each file is written to a temp file beside it and renamed over the
 * target, and the original bytes are kept in memory. If any step fails, every file touched so far
 * is put back (or removed, if it was new) and created folders are removed again.
 *
 * MONWIRE_TEST_FAIL_AFTER=N is a test-only hook: the apply fails after N file writes, so tests can
 * prove the rollback. It is documented in docs/init.md and has no other use.
 */
export interface ApplyResult {
  written: string[];
  deleted: string[];
}

interface Undo {
  path: string;
  /** Original bytes; undefined when the file did not exist. */
  before?: Buffer;
}

function writeAtomic(file: string, content: string | Buffer): void {
  const temp = join(dirname(file), `.${process.pid}.${Date.now()}.monwire-tmp`);
  try {
    writeFileSync(temp, content);
    // rename() replaces the inode: carry the original's permissions (an executable stays executable).
    if (existsSync(file)) chmodSync(temp, statSync(file).mode & 0o7777);
    renameSync(temp, file);
  } catch (error) {
    if (existsSync(temp)) unlinkSync(temp);
    throw error;
  }
}

/** Creates missing parent folders of `file` below `root`, returning the ones it created (outermost first). */
function ensureDir(root: string, file: string): string[] {
  const created: string[] = [];
  let dir = dirname(file);
  const missing: string[] = [];
  while (!existsSync(dir) && relative(root, dir) !== "" && !relative(root, dir).startsWith("..")) {
    missing.unshift(dir);
    dir = dirname(dir);
  }
  for (const folder of missing) {
    mkdirSync(folder);
    created.push(folder);
  }
  return created;
}

function failAfter(): number | undefined {
  const raw = process.env.MONWIRE_TEST_FAIL_AFTER;
  return raw !== undefined && /^\d+$/.test(raw) ? Number(raw) : undefined;
}

export function applyChanges(root: string, changes: FileChange[]): ApplyResult {
  return applyWithUndo(root, changes).result;
}

/**
 * applyChanges, plus `undo`: puts every file back as it was before the apply (a later step
 * failed, e.g. the install); returns what could not be restored, empty when all went back.
 */
export function applyWithUndo(root: string, changes: FileChange[]): { result: ApplyResult; undo: () => string[] } {
  const undo: Undo[] = [];
  const createdDirs: string[] = [];
  const result: ApplyResult = { written: [], deleted: [] };
  const limit = failAfter();
  let writes = 0;
  try {
    for (const change of changes) {
      if (change.kind !== "create" && change.kind !== "update" && change.kind !== "delete") continue;
      if (limit !== undefined && writes >= limit) throw new Error(`MONWIRE_TEST_FAIL_AFTER=${limit}: simulated failure before writing ${change.path}`);
      // A symlink inside the project is followed (its target is written, the link stays); one
      // leading outside was refused when the plan was made, and is refused here again.
      const file = change.kind === "delete" ? join(root, change.path) : resolveLinked(root, change.path).path;
      undo.push({ path: file, ...(existsSync(file) ? { before: readFileSync(file) } : {}) });
      if (change.kind === "delete") {
        if (existsSync(file)) unlinkSync(file);
        result.deleted.push(change.path);
      } else {
        createdDirs.push(...ensureDir(root, file));
        writeAtomic(file, change.bytes ?? change.after ?? "");
        result.written.push(change.path);
      }
      writes += 1;
    }
  } catch (cause) {
    const problems = rollback(undo, createdDirs);
    throw new MonwireError("E_APPLY_FAILED", `could not apply the changes: ${(cause as Error).message}`, {
      exitCode: EXIT.findings,
      cause,
      hint: problems.length === 0
        ? `Nothing was changed: all ${undo.length} file(s) touched were restored. Fix the cause and run again.`
        : `Some files could not be restored: ${problems.join("; ")}. Restore them from version control.`,
    });
  }
  return { result, undo: () => rollback(undo, createdDirs) };
}

/** Lockfiles a package manager may rewrite during an install that then fails. */
const LOCKFILES = ["package-lock.json", "npm-shrinkwrap.json", "pnpm-lock.yaml", "yarn.lock", "bun.lockb", "bun.lock"];

/** Snapshots the lockfiles in `dir`; the returned function restores them (and removes new ones). */
export function snapshotLockfiles(dir: string): () => string[] {
  const undo: Undo[] = LOCKFILES.map((name) => join(dir, name)).map((path) => ({ path, ...(existsSync(path) ? { before: readFileSync(path) } : {}) }));
  return () => rollback(undo.filter((entry) => entry.before !== undefined || existsSync(entry.path)), []);
}

/** Restores files in reverse order and removes folders this run created (when empty). */
function rollback(undo: Undo[], createdDirs: string[]): string[] {
  const problems: string[] = [];
  for (const entry of [...undo].reverse()) {
    try {
      if (entry.before === undefined) {
        if (existsSync(entry.path)) unlinkSync(entry.path);
      } else {
        // Its folder may have gone since (emptied by the same run): put it back too.
        mkdirSync(dirname(entry.path), { recursive: true });
        writeAtomic(entry.path, entry.before);
      }
    } catch (error) {
      problems.push(`${entry.path}: ${(error as Error).message}`);
    }
  }
  for (const dir of [...createdDirs].reverse()) {
    try {
      if (existsSync(dir) && readdirSync(dir).length === 0) rmdirSync(dir);
    } catch (error) {
      problems.push(`${dir}: ${(error as Error).message}`);
    }
  }
  return problems;
}

/** Removes folders left empty after uninstall deleted their files (never the root). */
export function removeEmptyDirs(root: string, paths: string[]): void {
  const dirs = new Set<string>();
  for (const path of paths) {
    for (let dir = dirname(join(root, path)); relative(root, dir) !== "" && !relative(root, dir).startsWith(".."); dir = dirname(dir)) dirs.add(dir);
  }
  for (const dir of [...dirs].sort((a, b) => b.length - a.length)) {
    if (existsSync(dir) && readdirSync(dir).length === 0) rmdirSync(dir);
  }
}
