import { createHash } from "node:crypto";
import { readdir, readFile, stat, writeFile } from "node:fs/promises";
import { join, relative, resolve } from "node:path";
import { MonwireError } from "../errors.js";

/**
 * Debug ids tie a built file to its source map without a release or a URL: the file registers
 * its id in `globalThis._sentryDebugIds` (keyed by a stack trace that names the file), the SDK
 * attaches `debug_meta.images[{code_file, debug_id}]` to every event, and Sentry finds the map
 * uploaded with the same id (`sentry-cli sourcemaps upload`). This is what `sentry-cli
 * sourcemaps inject` does, done by monwire so the build needs no extra binary and no network.
 *
 * The snippet is appended, not prepended: every existing mapping keeps its line and column, so
 * the map only gains its `debug_id`. Files already carrying a `//# debugId=` are left alone.
 */
export interface InjectResult {
  file: string;
  map: string;
  debugId: string;
  status: "injected" | "unchanged";
}

const DEBUG_ID_COMMENT = /^\/\/# debugId=([0-9a-f-]{36})\s*$/m;
const MAP_COMMENT = /\n\/\/# sourceMappingURL=([^\s]+)\s*$/;
const JS = /\.(?:c|m)?js$/;

/** A UUID v4-shaped id derived from the file's content, so rebuilding the same code gives the same id. */
export function debugIdFor(content: string): string {
  const hex = createHash("sha256").update(content).digest("hex");
  const variant = ((Number.parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** The registration the SDK looks for (same shape as sentry-cli's), on one line. */
export function debugIdSnippet(debugId: string): string {
  return `!function(){try{var e="undefined"!=typeof globalThis?globalThis:"undefined"!=typeof global?global:{},n=(new e.Error).stack;n&&(e._sentryDebugIds=e._sentryDebugIds||{},e._sentryDebugIds[n]="${debugId}",e._sentryDebugIdIdentifier="sentry-dbid-${debugId}")}catch(e){}}();`;
}

async function listJs(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory() && entry.name !== "node_modules") out.push(...(await listJs(path)));
    else if (entry.isFile() && JS.test(entry.name)) out.push(path);
  }
  return out.sort();
}

/** Adds debug ids to every built file under `dir` that has a source map next to it (or named by its comment). */
export async function injectDebugIds(options: { dir: string; cwd: string; dryRun?: boolean }): Promise<InjectResult[]> {
  const dir = resolve(options.cwd, options.dir);
  const info = await stat(dir).catch(() => undefined);
  if (!info?.isDirectory()) {
    throw new MonwireError("E_USAGE", `${options.dir} is not a directory`, { exitCode: 2, hint: "Pass the build output directory, e.g. mon sentry sourcemaps inject dist." });
  }
  const results: InjectResult[] = [];
  for (const file of await listJs(dir)) {
    const text = await readFile(file, "utf8");
    const named = MAP_COMMENT.exec(text)?.[1];
    const mapPath = named && !named.startsWith("data:") ? resolve(file, "..", named) : `${file}.map`;
    const rawMap = await readFile(mapPath, "utf8").catch(() => undefined);
    if (rawMap === undefined) continue;
    const existing = DEBUG_ID_COMMENT.exec(text)?.[1];
    const debugId = existing ?? debugIdFor(text);
    const map = JSON.parse(rawMap) as Record<string, unknown>;
    const rel = (p: string) => relative(options.cwd, p).split("\\").join("/");
    if (existing && map.debug_id === existing) {
      results.push({ file: rel(file), map: rel(mapPath), debugId, status: "unchanged" });
      continue;
    }
    if (!options.dryRun) {
      if (!existing) {
        // Snippet and comment go before the sourceMappingURL comment, which tools expect last.
        const comment = MAP_COMMENT.exec(text);
        const body = comment ? text.slice(0, comment.index) : text.replace(/\n?$/, "");
        await writeFile(file, `${body}\n${debugIdSnippet(debugId)}\n//# debugId=${debugId}${comment ? comment[0] : ""}\n`);
      }
      await writeFile(mapPath, JSON.stringify({ ...map, debug_id: debugId, debugId }));
    }
    results.push({ file: rel(file), map: rel(mapPath), debugId, status: "injected" });
  }
  return results;
}
