import { usesNodeCluster } from "./detect-scale.js";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, posix } from "node:path";
import { analyzeEntry, type EntryAnalysis } from "./ast.js";
import { stripRegions } from "./regions.js";
import type { ScriptCommand } from "./types.js";

/**
 * Finding the file that creates the Express app: candidates come from the scripts, `main` and the
 * usual places; a candidate is confirmed by its syntax tree (`express()`, ideally `.listen(`).
 */
const SOURCE_FILE = /\.[cm]?[jt]sx?$/;
const BUILD_DIRS = /^(dist|build|out|lib|\.next)\//;

const CONVENTIONAL = ["server/index", "src/index", "src/server", "src/app", "server", "index", "app", "src/main", "server/server", "server/app"]
  .flatMap((base) => [".ts", ".mts", ".cts", ".js", ".mjs", ".cjs"].map((ext) => `${base}${ext}`));

export interface EntryCandidate {
  path: string;
  source: string;
}

export function listEntryCandidates(root: string, pkg: Record<string, unknown>, scripts: ScriptCommand[]): EntryCandidate[] {
  const candidates: EntryCandidate[] = [];
  const add = (path: string | undefined, source: string) => {
    if (!path || !SOURCE_FILE.test(path) || BUILD_DIRS.test(path)) return;
    const normalized = posix.normalize(path.replace(/\\/g, "/")).replace(/^\.\//, "");
    if (!candidates.some((c) => c.path === normalized) && existsSync(join(root, normalized))) candidates.push({ path: normalized, source });
  };
  const order = ["dev", "start", "serve", "build"];
  const ranked = [...scripts].sort((a, b) => rank(order, a.script) - rank(order, b.script));
  for (const command of ranked) add(command.file, `scripts.${command.script} (${command.runner})`);
  add(typeof pkg.main === "string" ? pkg.main : undefined, "package.json main");
  for (const path of CONVENTIONAL) add(path, "conventional location");
  return candidates;
}

const rank = (order: string[], name: string) => {
  const index = order.indexOf(name);
  return index === -1 ? order.length : index;
};

export interface ConfirmedEntry {
  candidate: EntryCandidate;
  text: string;
  analysis: EntryAnalysis;
}

/** The first candidate that creates an Express app and listens; else the first that creates one. */
export function confirmEntry(root: string, candidates: EntryCandidate[]): ConfirmedEntry | undefined {
  let fallback: ConfirmedEntry | undefined;
  for (const candidate of candidates) {
    const text = readFileSync(join(root, candidate.path), "utf8");
    if (!/express/.test(text)) continue;
    let analysis: EntryAnalysis | undefined;
    try {
      analysis = analyzeEntry(stripRegions(text), candidate.path);
    } catch {
      continue;
    }
    if (!analysis) continue;
    if (analysis.hasListen) return { candidate, text, analysis };
    fallback ??= { candidate, text, analysis };
  }
  return fallback;
}

export interface ExistingUsage {
  sentry?: string;
  promClient?: string;
  winston?: string;
  /** A file that imports node:cluster. */
  cluster?: string;
}

const SKIP_DIRS = new Set(["node_modules", "dist", "build", "out", "coverage", ".git", ".next", "monitoring"]);

/**
 * Host code that already uses Sentry, prom-client or winston (monwire's own generated folders
 * are skipped). Bounded: at most 2,000 files, each read up to 200 kB.
 */
export function findExistingUsage(root: string, dirs: string[], ownFiles: Set<string>): ExistingUsage {
  const usage: ExistingUsage = {};
  let budget = 2000;
  const visit = (dir: string, rel: string, depth: number) => {
    if (depth > 8) return;
    let entries: string[];
    try {
      entries = readdirSync(join(root, dir === "." ? "" : dir));
    } catch {
      return;
    }
    for (const name of entries.sort()) {
      if (budget <= 0) return;
      const relPath = rel ? `${rel}/${name}` : name;
      const abs = join(root, relPath);
      const stat = statSync(abs, { throwIfNoEntry: false });
      if (!stat) continue;
      if (stat.isDirectory()) {
        if (!SKIP_DIRS.has(name) && !name.startsWith(".") && (rel !== "" || dirs.includes(name) || dirs.includes("."))) visit(relPath, relPath, depth + 1);
        continue;
      }
      if (!SOURCE_FILE.test(name) || ownFiles.has(relPath) || stat.size > 200_000) continue;
      budget -= 1;
      const text = readFileSync(abs, "utf8");
      if (!usage.sentry && /@sentry\/node/.test(text) && /\.init\s*\(/.test(text) && !/monwire\/runtime/.test(text)) usage.sentry = relPath;
      if (!usage.promClient && /["']prom-client["']/.test(text)) usage.promClient = relPath;
      if (!usage.winston && /["']winston["']/.test(text)) usage.winston = relPath;
      if (!usage.cluster && usesNodeCluster(text)) usage.cluster = relPath;
    }
  };
  visit(".", "", 0);
  return usage;
}
