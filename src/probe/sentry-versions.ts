import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/**
 * Which @sentry/* versions the host really runs. The installed tree (node_modules) is the truth;
 * the lockfile is the fallback before the first install. Only the SDK packages released in
 * lockstep with @sentry/core must agree: @sentry/conventions, the CLI, the wizard and the build
 * plugins carry their own version numbers, and a lockstep package is recognised by what it
 * declares (an exact-version dependency on @sentry/core), so new separately-versioned packages
 * are never reported as "mixed".
 */
export interface SentryTree {
  /** Where the versions were read: "node_modules", or the lockfile's name. */
  source?: string;
  /** Lockstep packages and every version of each found in the tree. */
  versions: Map<string, Set<string>>;
}

/** Packages known to version on their own, for lockfiles that do not record dependencies. */
const SEPARATELY_VERSIONED = /^@sentry\/(?:cli|cli-[\w-]+|conventions|wizard|webpack-plugin|vite-plugin|rollup-plugin|esbuild-plugin|bundler-plugin-core|babel-plugin-component-annotate)$/;
const SCOPES = ["@sentry", "@sentry-internal"];
const EXACT = /^\d+\.\d+\.\d+(?:-[\w.]+)?$/;

const isSentry = (name: string) => SCOPES.some((scope) => name.startsWith(`${scope}/`));

/** Lockstep when it is the core or pins the core exactly; without dependency data, by name. */
function isLockstep(name: string, dependencies: Record<string, string> | undefined): boolean {
  if (name === "@sentry/core") return true;
  if (dependencies === undefined) return !SEPARATELY_VERSIONED.test(name);
  return EXACT.test(dependencies["@sentry/core"] ?? "");
}

function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as T;
  } catch {
    return undefined;
  }
}

interface Manifest {
  name?: string;
  version?: string;
  dependencies?: Record<string, string>;
}

const listDir = (dir: string): string[] => {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
};

/**
 * @sentry packages in one node_modules folder and in every package's nested node_modules (npm
 * nests a second version under the package that needs it), plus pnpm's store.
 */
function walkNodeModules(dir: string, found: (manifest: Manifest) => void, depth: number): void {
  if (depth > 6) return;
  const visit = (packageDir: string, sentry: boolean) => {
    if (sentry) {
      const manifest = readJson<Manifest>(join(packageDir, "package.json"));
      if (manifest?.name && manifest.version) found(manifest);
    }
    if (existsSync(join(packageDir, "node_modules"))) walkNodeModules(join(packageDir, "node_modules"), found, depth + 1);
  };
  for (const entry of listDir(dir).sort()) {
    if (entry.startsWith(".")) continue;
    if (entry.startsWith("@")) for (const name of listDir(join(dir, entry)).sort()) visit(join(dir, entry, name), SCOPES.includes(entry));
    else visit(join(dir, entry), false);
  }
  if (depth === 0) {
    for (const entry of listDir(join(dir, ".pnpm")).sort()) {
      if (!entry.startsWith("@sentry")) continue;
      for (const scope of SCOPES) for (const name of listDir(join(dir, ".pnpm", entry, "node_modules", scope)).sort()) visit(join(dir, ".pnpm", entry, "node_modules", scope, name), true);
    }
  }
}

function fromNodeModules(root: string): SentryTree | undefined {
  const dir = join(root, "node_modules");
  if (!SCOPES.some((scope) => existsSync(join(dir, scope)))) return undefined;
  const tree: SentryTree = { source: "node_modules", versions: new Map() };
  walkNodeModules(dir, (m) => add(tree, m.name!, m.version!, m.dependencies ?? {}), 0);
  return tree;
}

function add(tree: SentryTree, name: string, version: string, dependencies: Record<string, string> | undefined): void {
  if (!isSentry(name) || !isLockstep(name, dependencies)) return;
  tree.versions.set(name, (tree.versions.get(name) ?? new Set()).add(version));
}

function fromLockfile(root: string): SentryTree {
  const tree: SentryTree = { versions: new Map() };
  type NpmEntry = { version?: string; name?: string; dependencies?: Record<string, string> };
  const npm = readJson<{ packages?: Record<string, NpmEntry>; dependencies?: Record<string, { version?: string }> }>(join(root, "package-lock.json"));
  if (npm) {
    tree.source = "package-lock.json";
    for (const [path, info] of Object.entries(npm.packages ?? {})) {
      const name = info.name ?? /node_modules\/(@sentry(?:-internal)?\/[^/]+)$/.exec(path)?.[1];
      if (name && info.version) add(tree, name, info.version, info.dependencies);
    }
    for (const [name, info] of Object.entries(npm.dependencies ?? {})) if (info.version) add(tree, name, info.version, undefined);
    return tree;
  }
  if (existsSync(join(root, "pnpm-lock.yaml"))) {
    tree.source = "pnpm-lock.yaml";
    const text = readFileSync(join(root, "pnpm-lock.yaml"), "utf8");
    for (const match of text.matchAll(/^\s{2}['"]?\/?(@sentry(?:-internal)?\/[\w.-]+)[@/](\d[\w.+-]*?)(?:\(.*\))?['"]?:\s*$/gm)) add(tree, match[1] as string, match[2] as string, undefined);
    return tree;
  }
  if (existsSync(join(root, "yarn.lock"))) {
    tree.source = "yarn.lock";
    const text = readFileSync(join(root, "yarn.lock"), "utf8");
    for (const match of text.matchAll(/^"?(@sentry(?:-internal)?\/[\w.-]+)@[^\n]*:\n\s+version:?\s+"?([^"\n]+)"?/gm)) add(tree, match[1] as string, match[2] as string, undefined);
  }
  return tree;
}

/** Every version of each lockstep @sentry package: installed tree first, lockfile otherwise. */
export function sentryTree(root: string): SentryTree {
  return fromNodeModules(root) ?? fromLockfile(root);
}

const newestOf = (versions: Iterable<string>) => [...versions].sort((a, b) => a.localeCompare(b, undefined, { numeric: true })).pop();

/**
 * The fix for mixed versions. An install command only names packages the tree already holds at
 * the target version, so it cannot ask the registry for a version that does not exist; anything
 * else gets the command that shows which dependency pulls the other version.
 */
export function mixedVersionsHint(root: string, tree: SentryTree): string {
  const all = [...tree.versions.values()].flatMap((v) => [...v]);
  const newest = newestOf(all)!;
  const pkg = readJson<{ dependencies?: Record<string, string>; devDependencies?: Record<string, string> }>(join(root, "package.json")) ?? {};
  const direct = Object.keys({ ...pkg.dependencies, ...pkg.devDependencies }).filter((name) => tree.versions.has(name));
  const behind = direct.filter((name) => newestOf(tree.versions.get(name)!) !== newest || tree.versions.get(name)!.size > 1);
  const lock = tree.source === "pnpm-lock.yaml" ? "pnpm" : tree.source === "yarn.lock" ? "yarn" : "npm";
  const why = `${lock === "npm" ? "npm ls" : `${lock} why`} @sentry/core`;
  if (behind.length > 0 && behind.every((name) => tree.versions.get(name)!.has(newest))) {
    const install = lock === "npm" ? "npm install" : `${lock} add`;
    return `Align the SDK on ${newest}: ${install} ${behind.map((n) => `${n}@${newest}`).join(" ")} (then \`${why}\` shows one version).`;
  }
  return `Run \`${why}\` to see which dependency brings another @sentry/core version, and update it (or your @sentry/* dependencies) so every SDK package shares one version.`;
}
