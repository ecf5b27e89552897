import { existsSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import type { Finding } from "./findings.js";
import { sentryTree } from "./sentry-versions.js";

/**
 * Static checks of the host project for Sentry: the SDK must be initialised before express is
 * loaded (otherwise its auto-instrumentation never patches express and errors lose their
 * request), either by `--import ./instrument.mjs` in the start script or as the entry file's
 * first import; and every lockstep @sentry/* package must share one version.
 */
export interface StartAnalysis {
  /** How the instrument file is loaded, when it is. */
  loadedBy?: string;
  entry?: string;
  findings: Finding[];
}

const PRELOAD_FLAG = /(?:--import|--require|-r|--loader|--experimental-loader)[= ]+["']?([^\s"']+)/g;
const INSTRUMENT = /instrument|sentry/i;
const RUNNERS = /^(?:node|nodemon|tsx|ts-node|ts-node-esm|bun)$/;
const ENTRY_GUESSES = ["server.js", "server.mjs", "app.js", "app.mjs", "index.js", "index.mjs", "src/server.ts", "src/index.ts", "src/app.ts", "src/server.js", "src/index.js"];

interface PackageJson {
  main?: string;
  scripts?: Record<string, string>;
}

function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as T;
  } catch {
    return undefined;
  }
}

/** The entry file a start script runs: the first argument of node/tsx/nodemon that is not a flag. */
function entryOfScript(script: string): string | undefined {
  const words = script.split(/\s+/);
  const runner = words.findIndex((w) => RUNNERS.test(w));
  if (runner === -1) return undefined;
  for (let i = runner + 1; i < words.length; i++) {
    const word = words[i] as string;
    if (/^(?:--import|--require|-r|--loader|--experimental-loader|--env-file)$/.test(word)) i++;
    else if (!word.startsWith("-") && word !== "watch") return word.replace(/^["']|["']$/g, "");
  }
  return undefined;
}

/** Module specifiers in load order (static imports and top-level requires), with their lines. */
export function importOrder(source: string): Array<{ specifier: string; line: number }> {
  const found: Array<{ specifier: string; line: number }> = [];
  source.split("\n").forEach((text, index) => {
    const pattern = /(?:^\s*import\s+(?:[^"'`]*?\s+from\s+)?|require\(\s*|^\s*import\(\s*)["']([^"']+)["']/g;
    for (const match of text.matchAll(pattern)) found.push({ specifier: match[1] as string, line: index + 1 });
  });
  return found;
}

const SOURCE_EXTENSIONS = ["", ".js", ".cjs", ".ts", ".cts", "/index.js", "/index.ts"];

/**
 * The file a CommonJS entry requires first, when that is a file of the project: `mon init` wires
 * the instrument into the file that creates the app, and an entry that only requires that file
 * (`const app = require("./app")`) loads the instrument just as early.
 */
function firstRequiredFile(root: string, entry: string, order: Array<{ specifier: string }>): string | undefined {
  const first = order[0]?.specifier;
  if (!first?.startsWith(".")) return undefined;
  const base = join(root, entry, "..", first);
  const found = SOURCE_EXTENSIONS.map((ext) => base + ext).find((file) => /\.[cm]?[jt]s$/.test(file) && existsSync(file));
  return found ? relative(root, found).split("\\").join("/") : undefined;
}

export function analyzeStart(root: string, entryOverride?: string): StartAnalysis {
  const pkg = readJson<PackageJson>(join(root, "package.json"));
  if (!pkg) return { findings: [{ rule: "monwire/sentry-order", severity: "warning", message: "no package.json in the project root: cannot tell how the app starts", file: "package.json" }] };
  const start = entryOverride ? "" : (pkg.scripts?.start ?? "");
  for (const match of start.matchAll(PRELOAD_FLAG)) {
    if (INSTRUMENT.test(match[1] as string)) return { loadedBy: `${match[0].trim()} in the start script`, findings: [] };
  }
  const entry = [entryOverride, entryOfScript(start), pkg.main, ...ENTRY_GUESSES].find((f): f is string => Boolean(f) && existsSync(join(root, f as string)));
  if (!entry) {
    return { findings: [{ rule: "monwire/sentry-order", severity: "warning", message: "could not find the app's entry file (no start script, main or server/app/index file)", file: "package.json",
      hint: 'Add "start": "node --import ./instrument.mjs server.js" to package.json.' }] };
  }
  const order = importOrder(readFileSync(join(root, entry), "utf8"));
  const instrument = order.find((i) => INSTRUMENT.test(i.specifier) && !i.specifier.startsWith("@sentry/"));
  const express = order.find((i) => i.specifier === "express" || i.specifier.startsWith("express/") || i.specifier === "express4");
  const hint = `Load the instrument file first: "start": "node --import ./instrument.mjs ${entry}", or make it the first import of ${entry}.`;
  const required = !instrument ? firstRequiredFile(root, entry, order) : undefined;
  if (required && !/^\s*(?:import|export)\s/m.test(readFileSync(join(root, entry), "utf8"))) {
    const inner = analyzeStart(root, required);
    if (inner.findings.length === 0 && inner.loadedBy) return { loadedBy: `${inner.loadedBy}, which ${entry} requires first`, entry, findings: [] };
  }
  if (!instrument) {
    return { entry, findings: [{ rule: "monwire/sentry-order", severity: "error", file: relative(root, join(root, entry)), message: `${entry} never loads the Sentry instrument file and the start script has no --import`, hint }] };
  }
  if (express && express.line < instrument.line) {
    return { entry, findings: [{ rule: "monwire/sentry-order", severity: "error", file: entry, line: express.line,
      message: `${entry} imports express (line ${express.line}) before ${instrument.specifier} (line ${instrument.line}): Sentry cannot instrument express`, hint }] };
  }
  const source = readFileSync(join(root, entry), "utf8");
  const esm = entry.endsWith(".mjs") || entry.endsWith(".ts") || /^\s*(?:import|export)\s/m.test(source);
  if (esm) {
    // ES modules are all loaded and linked before the first one runs, so Sentry's hooks
    // registered by an imported instrument file come too late; only --import is early enough.
    return { loadedBy: `import in ${entry}`, entry, findings: [{ rule: "monwire/sentry-order", severity: "warning", file: entry, line: instrument.line,
      message: `${entry} is an ES module: importing ${instrument.specifier} there runs after express is loaded; Sentry needs --import for ESM`, hint }] };
  }
  if (order[0] !== instrument) {
    return { loadedBy: `require in ${entry}`, entry, findings: [{ rule: "monwire/sentry-order", severity: "warning", file: entry, line: instrument.line,
      message: `${instrument.specifier} is not the first require of ${entry}; modules required before it are not instrumented`, hint }] };
  }
  return { loadedBy: `first require of ${entry}`, entry, findings: [] };
}

/** Every version of each lockstep @sentry/* package, and where it was read (see sentry-versions.ts). */
export function sentryVersions(root: string): { lockfile?: string; versions: Map<string, Set<string>> } {
  const tree = sentryTree(root);
  return { ...(tree.source ? { lockfile: tree.source } : {}), versions: tree.versions };
}
