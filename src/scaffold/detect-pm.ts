import { existsSync, readFileSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import type { Evidence, PackageManager } from "./types.js";

/** Lockfiles in the order a tie is broken; each names the manager that wrote it. */
export const LOCKFILES: ReadonlyArray<readonly [string, PackageManager]> = [
  ["pnpm-lock.yaml", "pnpm"],
  ["yarn.lock", "yarn"],
  ["bun.lock", "bun"],
  ["bun.lockb", "bun"],
  ["package-lock.json", "npm"],
  ["npm-shrinkwrap.json", "npm"],
];

export interface PackageManagerInfo {
  packageManager: PackageManager;
  /** Directory where installs run: the workspace root when the project is a member. */
  installRoot: string;
  workspace: boolean;
  evidence: Evidence[];
}

function readJson(file: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** `pnpm@9.15.9+sha512…` → "pnpm"; unknown names are ignored. */
export function parsePackageManagerField(value: unknown): PackageManager | undefined {
  if (typeof value !== "string") return undefined;
  const name = value.split("@")[0];
  return name === "npm" || name === "pnpm" || name === "yarn" || name === "bun" ? name : undefined;
}

/** Whether `dir` matches one of the workspace globs of `root` (only `*` and `**` patterns). */
function isWorkspaceMember(root: string, dir: string, globs: string[]): boolean {
  const rel = relative(root, dir).split(sep).join("/");
  if (rel === "" || rel.startsWith("..")) return false;
  return globs.some((glob) => {
    const pattern = glob.replace(/^\.\//, "").replace(/\/$/, "");
    const regex = new RegExp(`^${pattern.split("/").map((p) => (p === "**" ? ".*" : p.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[^/]+"))).join("/")}$`);
    return regex.test(rel);
  });
}

/** Reads the `packages:` list of a pnpm-workspace.yaml without a YAML parser (it is a flat list). */
export function readPnpmWorkspaceGlobs(text: string): string[] {
  const globs: string[] = [];
  let inPackages = false;
  for (const line of text.split(/\r?\n/)) {
    if (/^packages:\s*$/.test(line)) {
      inPackages = true;
      continue;
    }
    if (inPackages) {
      const item = /^\s+-\s+["']?([^"'#]+?)["']?\s*(#.*)?$/.exec(line);
      if (item?.[1]) globs.push(item[1]);
      else if (/^\S/.test(line)) inPackages = false;
    }
  }
  return globs;
}

function workspaceGlobs(dir: string, pkg: Record<string, unknown> | undefined): { globs: string[]; file: string } {
  const pnpmWorkspace = join(dir, "pnpm-workspace.yaml");
  if (existsSync(pnpmWorkspace)) return { globs: readPnpmWorkspaceGlobs(readFileSync(pnpmWorkspace, "utf8")), file: pnpmWorkspace };
  const field = pkg?.workspaces;
  const globs = Array.isArray(field) ? field : Array.isArray((field as { packages?: unknown })?.packages) ? (field as { packages: string[] }).packages : [];
  return { globs: globs.filter((g): g is string => typeof g === "string"), file: join(dir, "package.json") };
}

/** The nearest ancestor whose workspace globs include `root`, stopping at a repository root. */
function findWorkspaceRoot(root: string): { dir: string; file: string } | undefined {
  for (let dir = dirname(root); ; dir = dirname(dir)) {
    const { globs, file } = workspaceGlobs(dir, readJson(join(dir, "package.json")));
    if (isWorkspaceMember(dir, root, globs)) return { dir, file };
    if (dirname(dir) === dir || existsSync(join(dir, ".git"))) return undefined;
  }
}

/**
 * Finds the package manager: an explicit `packageManager` field wins, then a lockfile, then a
 * pnpm workspace file; npm otherwise. Only the project and its workspace root are consulted, so a
 * stray lockfile in a parent directory never decides.
 */
export function detectPackageManager(root: string, override?: PackageManager): PackageManagerInfo {
  const evidence: Evidence[] = [];
  const workspaceRoot = findWorkspaceRoot(root);
  if (workspaceRoot) evidence.push({ fact: "workspace member", source: relative(root, workspaceRoot.file) });
  const dirs = workspaceRoot ? [root, workspaceRoot.dir] : [root];
  const result = (packageManager: PackageManager): PackageManagerInfo => ({
    packageManager,
    installRoot: workspaceRoot?.dir ?? root,
    workspace: Boolean(workspaceRoot),
    evidence,
  });
  if (override) {
    evidence.push({ fact: `package manager ${override}`, source: "--pm" });
    return result(override);
  }
  for (const dir of dirs) {
    const field = parsePackageManagerField(readJson(join(dir, "package.json"))?.packageManager);
    if (field) {
      evidence.push({ fact: `package manager ${field}`, source: `${relative(root, join(dir, "package.json"))} packageManager` });
      return result(field);
    }
  }
  for (const dir of dirs) {
    const lock = LOCKFILES.find(([file]) => existsSync(join(dir, file)));
    if (lock) {
      evidence.push({ fact: `package manager ${lock[1]}`, source: relative(root, join(dir, lock[0])) });
      return result(lock[1]);
    }
  }
  if (workspaceRoot?.file.endsWith("pnpm-workspace.yaml")) {
    evidence.push({ fact: "package manager pnpm", source: relative(root, workspaceRoot.file) });
    return result("pnpm");
  }
  evidence.push({ fact: "package manager npm", source: "default (no lockfile found)" });
  return result("npm");
}
