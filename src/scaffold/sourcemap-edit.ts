import { posix } from "node:path";
import type { TsConfigInfo } from "./detect-module.js";
import { esbuildFlag, normalizeScriptPath, parseScript, type ParsedCommand } from "./scripts.js";

/**
 * Source maps for readable Sentry stack traces: the build the host already has (esbuild, tsup or
 * tsc) is told to emit maps, and the build script then runs `mon sentry sourcemaps inject <out>`
 * so the built files carry debug ids (see src/sourcemaps/inject.ts), and `mon sentry release stamp
 * <out>` so they carry the release with the commit. Uploading the maps needs a
 * Sentry auth token, so it stays a documented step (`npx @sentry/cli sourcemaps upload <out>`).
 */
export interface SourcemapEditResult {
  /** New values of the scripts that change. */
  scripts: Record<string, string>;
  /** tsconfig.json with `"sourceMap": true`, when a tsc build needs it. */
  tsconfigText?: string;
  /** Build output directories found. */
  outDirs: string[];
  notes: string[];
}

export const INJECT_COMMAND = "mon sentry sourcemaps inject";
/** Fixes the release (with the commit) while the checkout is there: a deploy without .git still names it. */
export const STAMP_COMMAND = "mon sentry release stamp";
const BUILD_SCRIPTS = /^(?:build|build:[\w:-]+|compile|bundle)$/;

function flagValue(command: ParsedCommand, ...names: string[]): string | undefined {
  const tokens = command.tokens.map((t) => t.text);
  for (const name of names) {
    const eq = tokens.find((t) => t.startsWith(`${name}=`));
    if (eq) return eq.slice(name.length + 1);
    const at = tokens.indexOf(name);
    if (at !== -1 && tokens[at + 1]) return tokens[at + 1];
  }
  return undefined;
}

const hasSourcemapFlag = (command: ParsedCommand) => command.tokens.some((t) => /^--sourcemap(?:=|$)|^--source-map$/.test(t.text));

/** Where one build command writes, and the flag to add for maps (undefined when it has one). */
function describeBuild(command: ParsedCommand, tsconfig: TsConfigInfo | undefined): { outDir?: string; addFlag?: string; tsc?: boolean } | undefined {
  if (command.runner === "esbuild") {
    const outfile = esbuildFlag(command, "outfile");
    const outdir = esbuildFlag(command, "outdir");
    const outDir = outfile ? posix.dirname(normalizeScriptPath(outfile)) : outdir ? normalizeScriptPath(outdir) : undefined;
    return { ...(outDir ? { outDir } : {}), ...(hasSourcemapFlag(command) ? {} : { addFlag: "--sourcemap" }) };
  }
  if (command.runner === "tsup") {
    const outDir = normalizeScriptPath(flagValue(command, "--out-dir", "-d") ?? "dist");
    return { outDir, ...(hasSourcemapFlag(command) ? {} : { addFlag: "--sourcemap" }) };
  }
  if (command.runner === "tsc" && !command.tokens.some((t) => t.text === "--noEmit")) {
    const outDir = flagValue(command, "--outDir") ?? tsconfig?.outDir;
    return { ...(outDir ? { outDir: normalizeScriptPath(outDir) } : {}), tsc: true };
  }
  return undefined;
}

/** Adds `"sourceMap": true` right after `"compilerOptions": {`, keeping every other byte (comments too). */
export function withTsSourceMap(text: string): string | undefined {
  if (/"sourceMap"\s*:/.test(text) || /"inlineSourceMap"\s*:\s*true/.test(text)) return undefined;
  const match = /("compilerOptions"\s*:\s*\{)([ \t]*)(\r?\n)?([ \t]*)/.exec(text);
  if (!match) return undefined;
  const [whole, open, , eol, indent] = match;
  const at = match.index + whole.length;
  const insertion = eol ? `"sourceMap": true,${eol}${indent}` : ` "sourceMap": true,`;
  return eol ? `${text.slice(0, at)}${insertion}${text.slice(at)}` : `${text.slice(0, match.index + open!.length)}${insertion}${text.slice(match.index + open!.length)}`;
}

export function planSourcemapEdits(input: { scripts: Record<string, string>; tsconfig?: TsConfigInfo; tsconfigText?: string }): SourcemapEditResult {
  const scripts: Record<string, string> = {};
  const outDirs = new Set<string>();
  const notes: string[] = [];
  let needsTsMap = false;
  for (const [name, line] of Object.entries(input.scripts)) {
    if (typeof line !== "string" || !BUILD_SCRIPTS.test(name)) continue;
    let next = line;
    const found: string[] = [];
    // Right to left, so earlier offsets stay valid.
    for (const command of parseScript(line).reverse()) {
      const build = describeBuild(command, input.tsconfig);
      if (!build) continue;
      if (build.outDir) found.push(build.outDir);
      if (build.tsc) needsTsMap = true;
      if (build.addFlag) {
        const runner = command.tokens[command.runnerIndex]!;
        next = `${next.slice(0, runner.end)} ${build.addFlag}${next.slice(runner.end)}`;
      }
    }
    if (found.length === 0) continue;
    const dir = found[found.length - 1]!;
    outDirs.add(dir);
    if (!next.includes(INJECT_COMMAND)) next = `${next} && ${INJECT_COMMAND} ${dir}`;
    if (!next.includes(STAMP_COMMAND)) next = `${next} && ${STAMP_COMMAND} ${dir}`;
    if (next !== line) scripts[name] = next;
  }
  const tsconfigText = needsTsMap && input.tsconfigText ? withTsSourceMap(input.tsconfigText) : undefined;
  if (outDirs.size > 0) {
    notes.push(`source maps: the build now emits maps, injects Sentry debug ids and stamps the release with the commit (${[...outDirs][0]}/sentry-release.json); upload the maps after each build with \`npx @sentry/cli sourcemaps upload --release "$(node -p "require('./${[...outDirs][0]}/sentry-release.json').release")" ${[...outDirs][0]}\` (SENTRY_AUTH_TOKEN, SENTRY_ORG, SENTRY_PROJECT set; see docs/sentry.md)`);
  }
  return { scripts, outDirs: [...outDirs], notes, ...(tsconfigText ? { tsconfigText } : {}) };
}

/** Undoes withTsSourceMap byte for byte (uninstall): the one line it added goes, nothing else. */
export function withoutTsSourceMap(text: string): string {
  return text.replace(/("compilerOptions"\s*:\s*\{[ \t]*(?:\r?\n[ \t]*)?)"sourceMap": true,(?:\r?\n[ \t]*| )/, "$1");
}
