import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { parseScript, esbuildFlag, findEsbuildEntries, normalizeScriptPath } from "./scripts.js";
import type { Evidence, Language, ModuleSystem } from "./types.js";

/**
 * TypeScript or JavaScript, ESM or CommonJS. Each rule is a row: the first that applies decides,
 * and the row's source is printed so the user sees why.
 */
export interface TsConfigInfo {
  module?: string;
  moduleResolution?: string;
  outDir?: string;
  rootDir?: string;
}

/** Reads tsconfig.json (JSONC: comments and trailing commas allowed), following one relative `extends`. */
export function readTsConfig(root: string, file = "tsconfig.json", depth = 0): TsConfigInfo | undefined {
  const path = join(root, file);
  if (!existsSync(path)) return undefined;
  let json: { extends?: unknown; compilerOptions?: Record<string, unknown> };
  try {
    json = JSON.parse(stripJsonComments(readFileSync(path, "utf8")));
  } catch {
    return undefined;
  }
  const base = typeof json.extends === "string" && json.extends.startsWith(".") && depth < 3
    ? readTsConfig(dirname(path), json.extends.endsWith(".json") ? json.extends : `${json.extends}.json`, depth + 1)
    : undefined;
  const options = json.compilerOptions ?? {};
  const pick = (key: keyof TsConfigInfo) => (typeof options[key] === "string" ? (options[key] as string) : base?.[key]);
  const info: TsConfigInfo = {};
  for (const key of ["module", "moduleResolution", "outDir", "rootDir"] as const) {
    const value = pick(key);
    if (value !== undefined) info[key] = key === "module" || key === "moduleResolution" ? value.toLowerCase() : value;
  }
  return info;
}

/** Removes // and block comments outside strings, and trailing commas. */
export function stripJsonComments(text: string): string {
  let out = "";
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const ch = text[i]!;
    if (inString) {
      out += ch;
      if (ch === "\\") out += text[++i] ?? "";
      else if (ch === '"') inString = false;
    } else if (ch === '"') {
      inString = true;
      out += ch;
    } else if (ch === "/" && text[i + 1] === "/") {
      while (i < text.length && text[i] !== "\n") i += 1;
      out += "\n";
    } else if (ch === "/" && text[i + 1] === "*") {
      i = text.indexOf("*/", i + 2);
      if (i === -1) break;
      i += 1;
    } else {
      out += ch;
    }
  }
  return out.replace(/,(\s*[}\]])/g, "$1");
}

export interface ModuleDetection {
  language: Language;
  moduleSystem: ModuleSystem;
  importExtension: string;
  evidence: Evidence[];
}

const NODE_RESOLUTION = /^node(16|18|20|next)$/;

/** The esbuild `--format` used to bundle the entry, when a script does. */
function esbuildFormat(scripts: Record<string, string>, entry: string): string | undefined {
  for (const line of Object.values(scripts)) {
    for (const command of parseScript(line)) {
      if (command.runner !== "esbuild") continue;
      const bundlesEntry = findEsbuildEntries(command).some((t) => normalizeScriptPath(t.text.replace(/^[^=]+=/, "")) === entry);
      if (bundlesEntry) return esbuildFlag(command, "format") ?? "iife";
    }
  }
  return undefined;
}

export function detectModule(input: {
  entry: string;
  entryText: string;
  packageType: unknown;
  scripts: Record<string, string>;
  tsconfig?: TsConfigInfo;
  override?: ModuleSystem;
}): ModuleDetection {
  const { entry, tsconfig } = input;
  const ext = /\.[cm]?[jt]sx?$/.exec(entry)?.[0] ?? ".js";
  const language: Language = ext.includes("t") ? "ts" : "js";
  const evidence: Evidence[] = [{ fact: language === "ts" ? "TypeScript" : "JavaScript", source: entry }];
  const format = esbuildFormat(input.scripts, entry);
  const rows: Array<[boolean, ModuleSystem, string]> = [
    [input.override !== undefined, input.override ?? "esm", "--module"],
    [ext === ".mjs" || ext === ".mts", "esm", `${ext} extension`],
    [ext === ".cjs" || ext === ".cts", "cjs", `${ext} extension`],
    [input.packageType === "module", "esm", 'package.json "type": "module"'],
    [format === "esm", "esm", "esbuild --format=esm"],
    [format === "cjs", "cjs", "esbuild --format=cjs"],
    [true, "cjs", input.packageType === "commonjs" ? 'package.json "type": "commonjs"' : 'no "type": "module" in package.json'],
  ];
  const [, moduleSystem, source] = rows.find(([applies]) => applies)!;
  evidence.push({ fact: moduleSystem === "esm" ? "ES modules" : "CommonJS", source });
  if (tsconfig?.module) evidence.push({ fact: `tsconfig module ${tsconfig.module}`, source: "tsconfig.json" });
  return { language, moduleSystem, importExtension: importExtensionFor(ext, language, moduleSystem, input.entryText, tsconfig), evidence };
}

/**
 * The suffix of relative import specifiers in generated files. Node's ESM resolver needs real
 * extensions; TypeScript under node16/nodenext wants `.js`; bundler-style projects keep the
 * entry's own habit.
 */
export function importExtensionFor(ext: string, language: Language, moduleSystem: ModuleSystem, entryText: string, tsconfig?: TsConfigInfo): string {
  const runtimeExt = ext.replace("t", "j").replace(/x$/, "");
  if (language === "js") return moduleSystem === "esm" || runtimeExt === ".cjs" ? runtimeExt : "";
  const resolution = tsconfig?.moduleResolution ?? (NODE_RESOLUTION.test(tsconfig?.module ?? "") ? tsconfig?.module : undefined);
  if (resolution && NODE_RESOLUTION.test(resolution)) return runtimeExt;
  const relativeImports = [...entryText.matchAll(/(?:from\s+|import\s*\(\s*|require\s*\(\s*|import\s+)["'](\.{1,2}\/[^"']+)["']/g)].map((m) => m[1]!);
  if (relativeImports.some((s) => /\.[cm]?js$/.test(s))) return runtimeExt;
  if (relativeImports.length > 0) return "";
  return moduleSystem === "esm" && resolution !== "bundler" ? runtimeExt : "";
}
