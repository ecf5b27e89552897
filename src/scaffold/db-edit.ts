import { parseSource, type AstNode } from "./ast.js";
import type { DatabaseSite } from "./detect-db.js";
import { findRegions, indentAt, insertRegions, lineStart, nextLineStart, stripRegions, type Insertion } from "./regions.js";
import type { ModuleSystem } from "./types.js";

/**
 * Wires monitorDatabase() into the file that creates the pool: an import region after the
 * file's imports and one call right after the creating statement. Regions of other owners in the
 * same file (the entry's, when the pool is created there) stay as they are.
 */
export const DATABASE_REGIONS = ["database-import", "database"] as const;

export interface DatabaseEdit {
  text: string;
  editedRegions: string[];
}

const ours = (name: string) => (DATABASE_REGIONS as readonly string[]).includes(name);

function isRequire(statement: AstNode): boolean {
  if (statement.type !== "VariableDeclaration") return false;
  return (statement.declarations as AstNode[]).some((d) => {
    const init = d.init as AstNode | null;
    return init?.type === "CallExpression" && (init.callee as AstNode).type === "Identifier" && (init.callee as AstNode).name === "require";
  });
}

function declares(statement: AstNode, variable: string): boolean {
  const declaration = statement.type === "ExportNamedDeclaration" ? (statement.declaration as AstNode | null) : statement;
  if (declaration?.type !== "VariableDeclaration") return false;
  return (declaration.declarations as AstNode[]).some((d) => (d.id as AstNode).type === "Identifier" && (d.id as AstNode).name === variable);
}

export function editDatabaseFile(current: string, site: Pick<DatabaseSite, "file" | "variable">, options: { language: "ts" | "js"; moduleSystem: ModuleSystem }): DatabaseEdit | undefined {
  const base = stripRegions(current, "//", (region) => !ours(region.name));
  const body = parseSource(base, site.file).body as AstNode[];
  const statement = body.find((s) => declares(s, site.variable));
  if (!statement) return undefined;
  const others = findRegions(base);
  // An offset inside another owner's region moves to that region's end.
  const outside = (offset: number) => others.find((r) => offset > r.start && offset < r.end)?.end ?? offset;
  const importLine = options.language === "js" && options.moduleSystem === "cjs"
    ? 'const { monitorDatabase } = require("monwire/runtime");'
    : 'import { monitorDatabase } from "monwire/runtime";';
  const lastImport = body.filter((s) => s.type === "ImportDeclaration" || isRequire(s)).filter((s) => s.start < statement.start).at(-1);
  const importAt = lastImport ? nextLineStart(base, lastImport.end) : lineStart(base, body[0]!.start);
  const insertions: Insertion[] = [
    { offset: outside(importAt), name: "database-import", body: [importLine], indent: "" },
    { offset: outside(nextLineStart(base, statement.end)), name: "database", body: [`monitorDatabase(${site.variable});`], indent: indentAt(base, statement.start) },
  ];
  const text = insertRegions(base, insertions);
  const wanted = new Map(findRegions(text).filter((r) => ours(r.name)).map((r) => [r.name, r.body.join("\n")]));
  const editedRegions = findRegions(current)
    .filter((region) => wanted.has(region.name) && wanted.get(region.name) !== region.body.join("\n"))
    .map((region) => region.name);
  return { text, editedRegions };
}
