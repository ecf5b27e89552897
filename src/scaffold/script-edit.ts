import { posix } from "node:path";
import type { TsConfigInfo } from "./detect-module.js";
import { esbuildFlag, findEsbuildEntries, findFileArgument, NODE_RUNNERS, normalizeScriptPath, parseScript, unquote } from "./scripts.js";

/**
 * Start-script changes for ESM hosts: Sentry must be loaded before the app's modules are linked,
 * so every script that runs the entry gets `--import <instrument>`, and an esbuild bundle emits
 * the instrument as a separate entry point that the start script preloads the same way.
 */
export interface ScriptEditResult {
  /** New values of the scripts that change. */
  scripts: Record<string, string>;
  notes: string[];
}

interface Splice {
  start: number;
  end: number;
  text: string;
}

function applySplices(line: string, splices: Splice[]): string {
  let result = line;
  for (const splice of [...splices].sort((a, b) => b.start - a.start)) result = result.slice(0, splice.start) + splice.text + result.slice(splice.end);
  return result;
}

const withoutExt = (path: string) => path.replace(/\.[cm]?[jt]sx?$/, "");

function commonDir(paths: string[]): string {
  const parts = paths.map((p) => posix.dirname(p).split("/"));
  const first = parts[0] ?? ["."];
  let length = first.length;
  for (const other of parts) {
    let i = 0;
    while (i < length && other[i] === first[i]) i += 1;
    length = i;
  }
  return first.slice(0, length).join("/") || ".";
}

/** Where esbuild writes an entry: outdir + the path below outbase, with the output extension. */
function esbuildOutput(src: string, outdir: string, outbase: string, outExt: string): string {
  const below = outbase === "." ? src : posix.relative(outbase, src);
  return posix.join(outdir, `${withoutExt(below)}${outExt}`);
}

/** Built output paths (entry and instrument), keyed by source path. */
export type BuildMap = Map<string, string>;

/** Rewrites esbuild commands that bundle the entry so they also emit the instrument. */
function editEsbuild(line: string, entry: string, instrument: string, builds: BuildMap): string {
  const splices: Splice[] = [];
  for (const command of parseScript(line)) {
    if (command.runner !== "esbuild") continue;
    const entries = findEsbuildEntries(command);
    const entryToken = entries.find((t) => normalizeScriptPath(t.text.replace(/^[^=]+=/, "")) === entry);
    if (!entryToken) continue;
    const sources = entries.map((t) => normalizeScriptPath(t.text.replace(/^[^=]+=/, "")));
    const outExt = /--out-extension:\.js=(\.[a-z]+)/.exec(line)?.[1] ?? ".js";
    const outfile = esbuildFlag(command, "outfile");
    if (outfile) {
      // Two entry points need --outdir; aliases keep the bundle's file name unchanged.
      const outToken = command.tokens.find((t) => t.text.startsWith("--outfile="))!;
      const outdir = posix.dirname(normalizeScriptPath(outfile));
      const alias = withoutExt(posix.basename(outfile));
      const instrumentAlias = withoutExt(posix.relative(posix.dirname(entry), instrument));
      builds.set(entry, posix.join(outdir, `${alias}${outExt}`));
      builds.set(instrument, posix.join(outdir, `${instrumentAlias}${outExt}`));
      if (sources.includes(instrument)) continue;
      splices.push({ start: outToken.start, end: outToken.end, text: `--outdir=${outdir}` });
      splices.push({ start: entryToken.start, end: entryToken.end, text: `${alias}=${unquote(entryToken.text)} ${instrumentAlias}=${instrument}` });
      continue;
    }
    const outdir = normalizeScriptPath(esbuildFlag(command, "outdir") ?? ".");
    const all = sources.includes(instrument) ? sources : [...sources, instrument];
    const outbase = esbuildFlag(command, "outbase") ? normalizeScriptPath(esbuildFlag(command, "outbase")!) : commonDir(all);
    builds.set(entry, esbuildOutput(entry, outdir, outbase, outExt));
    builds.set(instrument, esbuildOutput(instrument, outdir, outbase, outExt));
    if (!sources.includes(instrument)) splices.push({ start: entryToken.end, end: entryToken.end, text: ` ${instrument}` });
  }
  return applySplices(line, splices);
}

/** tsc output paths: outDir + the path below rootDir (default: the entry's top folder). */
function tscOutputs(entry: string, instrument: string, tsconfig: TsConfigInfo | undefined, builds: BuildMap): void {
  if (!tsconfig?.outDir || builds.size > 0) return;
  const rootDir = normalizeScriptPath(tsconfig.rootDir ?? (entry.includes("/") ? entry.split("/")[0]! : "."));
  const outDir = normalizeScriptPath(tsconfig.outDir);
  const out = (src: string) => posix.join(outDir, (rootDir === "." ? src : posix.relative(rootDir, src)).replace(/\.([cm]?)tsx?$/, ".$1js"));
  builds.set(entry, out(entry));
  builds.set(instrument, out(instrument));
}

/** Adds `--import ./instrument` to commands running the entry (source or built). */
function editRunners(line: string, entry: string, instrument: string, builds: BuildMap, notes: string[], script: string, seen: { count: number }): string {
  const splices: Splice[] = [];
  const targets = new Map<string, string>([[entry, instrument]]);
  if (builds.has(entry) && builds.has(instrument)) targets.set(builds.get(entry)!, builds.get(instrument)!);
  for (const command of parseScript(line)) {
    if (!(NODE_RUNNERS as readonly string[]).includes(command.runner)) continue;
    const fileIndex = findFileArgument(command);
    if (fileIndex === undefined) continue;
    const preload = targets.get(normalizeScriptPath(command.tokens[fileIndex]!.text));
    if (!preload) continue;
    seen.count += 1;
    const flag = command.runner === "nodemon" ? `--import=./${preload}` : `--import ./${preload}`;
    if (line.includes(`./${preload}`)) continue;
    if (command.runner.startsWith("ts-node")) {
      notes.push(`scripts.${script} runs ${command.runner}, which cannot preload ES modules: run it as \`node --loader ts-node/esm --import ./${preload} …\` so Sentry loads first`);
      continue;
    }
    splices.push({ start: command.tokens[fileIndex]!.start, end: command.tokens[fileIndex]!.start, text: `${flag} ` });
  }
  return applySplices(line, splices);
}

export function planScriptEdits(input: {
  scripts: Record<string, string>;
  entry: string;
  instrument: string;
  tsconfig?: TsConfigInfo;
}): ScriptEditResult {
  const { entry, instrument } = input;
  const builds: BuildMap = new Map();
  const notes: string[] = [];
  const edited: Record<string, string> = {};
  const seen = { count: 0 };
  for (const [name, line] of Object.entries(input.scripts)) {
    if (typeof line !== "string") continue;
    const next = editEsbuild(line, entry, instrument, builds);
    if (next !== line) edited[name] = next;
  }
  tscOutputs(entry, instrument, input.tsconfig, builds);
  for (const [name, original] of Object.entries(input.scripts)) {
    if (typeof original !== "string") continue;
    const line = edited[name] ?? original;
    const next = editRunners(line, entry, instrument, builds, notes, name, seen);
    if (next !== original) edited[name] = next;
  }
  if (seen.count === 0) {
    notes.push(`no script runs ${entry}: start the app with \`node --import ./${builds.get(instrument) ?? instrument} …\` so Sentry loads before Express`);
  }
  return { scripts: edited, notes };
}
