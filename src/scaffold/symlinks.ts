import { existsSync, lstatSync, realpathSync } from "node:fs";
import { isAbsolute, join, relative, resolve, sep } from "node:path";
import { EXIT, MonwireError } from "../errors.js";
import type { FileChange } from "./types.js";

/**
 * Symbolic links among the files init and uninstall edit. A link inside the project is followed:
 * the file it points to is edited (atomically, beside itself) and the link stays a link, so a
 * host that keeps its entry behind a link (a shared layout, a build alias) keeps working. A link
 * that leads outside the project, or nowhere, is refused before anything is written: monwire
 * edits the project it was run in and nothing else.
 */
export interface LinkedPath {
  /** Absolute path that is read and written. */
  path: string;
  /** The target relative to the root, when the path goes through a symlink. */
  via?: string;
}

function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel !== "" && rel !== ".." && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

function refuse(path: string, what: string, hint: string): MonwireError {
  return new MonwireError("E_UNSUPPORTED_PROJECT", `${path} is a symbolic link ${what}`, { exitCode: EXIT.unsupported, hint });
}

/** Where a change to `relPath` really goes; throws for a link that leaves the project or dangles. */
export function resolveLinked(root: string, relPath: string): LinkedPath {
  const path = join(root, relPath);
  let isLink: boolean;
  try {
    isLink = lstatSync(path).isSymbolicLink();
  } catch {
    // Not there yet (a file init creates): written where it is named.
    return { path };
  }
  const realRoot = realpathSync(root);
  const lexical = resolve(realRoot, relPath);
  if (!isLink && !existsSync(path)) return { path };
  let target: string;
  try {
    target = realpathSync(path);
  } catch {
    throw refuse(relPath, "to a file that does not exist", `Point ${relPath} at an existing file inside the project, or replace the link with the file itself.`);
  }
  if (target === lexical) return { path };
  if (!inside(realRoot, target)) {
    throw refuse(relPath, `to ${target}, outside the project`, `monwire only edits files inside the project (${realRoot}). Run mon init in the project that owns ${target}, or replace the link with a copy of the file.`);
  }
  return { path: target, via: relative(realRoot, target).split(sep).join("/") };
}

/**
 * Checks every write against links (throwing as resolveLinked does) and says in its reason where a
 * link leads. Deletes are not checked: removing a link never touches what it points to.
 */
export function followLinks(root: string, changes: FileChange[]): FileChange[] {
  return changes.map((change) => {
    if (change.kind === "skip" || change.kind === "delete") return change;
    const { via } = resolveLinked(root, change.path);
    return via ? { ...change, reason: `${change.reason} (a symlink: edits ${via})` } : change;
  });
}
