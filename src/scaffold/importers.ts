import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { parseSource, walk, type AstNode } from "./ast.js";
import { ModuleGraph } from "./module-graph.js";

/**
 * Which of the app's own files import a file uninstall is about to delete. Code inside monwire's
 * marked regions does not count (those regions go in the same uninstall); every other `import`,
 * `export … from`, `require(…)`, `import(…)` and `import x = require(…)` does, resolved the way
 * init's module graph resolves the entry's imports. An importer left behind would crash the app
 * at start with "Cannot find module".
 */
const CODE = /\.(c|m)?(j|t)sx?$/;
/** Folders that hold no source of the app (dependencies, builds, VCS data, caches). */
const SKIP_DIRS = new Set(["node_modules", ".git", "dist", "build", "out", "coverage", ".next", ".monwire"]);
/** A bound on the walk: an app with more files than this is scanned up to here, not forever. */
const MAX_FILES = 5000;
const MAX_BYTES = 1_000_000;

function codeFiles(root: string): string[] {
  const files: string[] = [];
  const pending = [root];
  while (pending.length > 0 && files.length < MAX_FILES) {
    const dir = pending.pop()!;
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const entry of entries) {
      if (entry.isDirectory() && !SKIP_DIRS.has(entry.name) && !entry.name.startsWith(".")) pending.push(join(dir, entry.name));
      else if (entry.isFile() && CODE.test(entry.name) && !entry.name.endsWith(".d.ts")) files.push(join(dir, entry.name));
    }
  }
  return files;
}

/** Blanks monwire's regions line by line, so the line numbers of what remains stay true. */
function withoutRegions(text: string): string {
  return text.replace(/^([ \t]*)\/\/ monwire:begin ([\w-]+)[ \t]*\r?\n[\s\S]*?^[ \t]*\/\/ monwire:end \2[ \t]*$/gm, (block) => block.replace(/[^\r\n]/g, ""));
}

function specifiers(program: AstNode): Array<{ value: string; line: number }> {
  const found: Array<{ value: string; line: number }> = [];
  const add = (node: unknown) => {
    const literal = node as AstNode | undefined;
    if (literal?.type === "StringLiteral") found.push({ value: literal.value as string, line: (literal.loc as { start: { line: number } } | undefined)?.start.line ?? 0 });
  };
  walk(program, (node) => {
    if (node.type === "ImportDeclaration" || node.type === "ExportNamedDeclaration" || node.type === "ExportAllDeclaration") add(node.source);
    else if (node.type === "CallExpression" && ((node.callee as AstNode).type === "Import" || ((node.callee as AstNode).type === "Identifier" && (node.callee as AstNode).name === "require"))) add((node.arguments as AstNode[])[0]);
    else if (node.type === "ImportExpression") add(node.source);
    else if (node.type === "TSExternalModuleReference") add(node.expression);
  });
  return found;
}

/** For each path (relative to root) in `targets`, the `file:line` places outside monwire's regions that import it. */
export function findImporters(root: string, targets: string[]): Map<string, string[]> {
  const wanted = new Set(targets);
  const importers = new Map<string, string[]>();
  const graph = new ModuleGraph(root);
  for (const path of codeFiles(root)) {
    const file = relative(root, path).split("\\").join("/");
    if (wanted.has(file)) continue;
    let program: AstNode;
    try {
      if (statSync(path).size > MAX_BYTES) continue;
      program = parseSource(withoutRegions(readFileSync(path, "utf8")), file);
    } catch {
      continue;
    }
    for (const { value, line } of specifiers(program)) {
      if (!value.startsWith(".")) continue;
      const target = graph.resolveSpecifier({ file, path, program }, value);
      if (target.kind !== "module") continue;
      const imported = relative(root, target.module.path).split("\\").join("/");
      if (!wanted.has(imported)) continue;
      importers.set(imported, [...(importers.get(imported) ?? []), `${file}:${line}`]);
    }
  }
  return importers;
}
