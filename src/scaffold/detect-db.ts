import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, posix } from "node:path";
import type { DatabaseClient } from "../config/schema.js";
import { parseSource, type AstNode } from "./ast.js";
import { stripRegions } from "./regions.js";

/**
 * Finds the database client a host uses: the package from its dependencies, and the top-level
 * statement that creates the pool/client (`new Pool(…)`, `drizzle(…)`, `new Database(…)`, …),
 * which is where `mon init` wires `monitorDatabase()` — never at the app's query sites.
 */
export interface DetectedDatabase {
  client: DatabaseClient;
  /** The dependency that decided it, e.g. `pg ^8.13.0`. */
  source: string;
  /** Where the pool/client is created, when found at the top level of a source file. */
  site?: DatabaseSite;
  /** The runtime can instrument this client (mysql2 and Prisma are detected but not wired yet). */
  instrumentable: boolean;
}

export interface DatabaseSite {
  file: string;
  /** 1-based line of the creating statement. */
  line: number;
  /** The variable holding the pool/client/drizzle database. */
  variable: string;
  /** What creates it, e.g. `new Pool(...)`. */
  construct: string;
  /** Offsets of the creating top-level statement in the file without monwire's regions. */
  statementEnd: number;
}

/** Packages in precedence order: an ORM over a driver is named by both. */
const CLIENTS: Array<{ client: DatabaseClient; needs: string[]; instrumentable: boolean }> = [
  { client: "drizzle-pg", needs: ["drizzle-orm", "pg"], instrumentable: true },
  { client: "drizzle-better-sqlite3", needs: ["drizzle-orm", "better-sqlite3"], instrumentable: true },
  { client: "pg", needs: ["pg"], instrumentable: true },
  { client: "neon", needs: ["@neondatabase/serverless"], instrumentable: true },
  { client: "better-sqlite3", needs: ["better-sqlite3"], instrumentable: true },
  { client: "mysql2", needs: ["mysql2"], instrumentable: false },
  { client: "prisma", needs: ["@prisma/client"], instrumentable: false },
];

/** Module → the constructors/factories that create a client from it. */
const CREATORS: Record<string, { news: string[]; calls: string[] }> = {
  pg: { news: ["Pool", "Client"], calls: [] },
  "@neondatabase/serverless": { news: ["Pool", "Client"], calls: [] },
  "better-sqlite3": { news: ["default"], calls: [] },
  "drizzle-orm/node-postgres": { news: [], calls: ["drizzle"] },
  "drizzle-orm/better-sqlite3": { news: [], calls: ["drizzle"] },
  "drizzle-orm/neon-serverless": { news: [], calls: ["drizzle"] },
};

const SKIP_DIRS = new Set(["node_modules", "dist", "build", ".git", "coverage", "logs", "public", "client", "monitoring"]);
const SOURCE = /\.(?:[cm]?[jt]s)$/;
const QUICK = /new\s+[\w.]*(?:Pool|Client|Database)\s*\(|drizzle\s*\(/;
const MAX_FILES = 1500;

function dependencies(pkg: Record<string, unknown>): Record<string, string> {
  return { ...(pkg.devDependencies as Record<string, string>), ...(pkg.dependencies as Record<string, string>) };
}

function listSources(root: string, dirs: string[]): string[] {
  const files: string[] = [];
  const visit = (rel: string, depth: number) => {
    if (files.length >= MAX_FILES || depth > 6) return;
    const abs = join(root, rel);
    for (const name of readdirSync(abs).sort()) {
      if (name.startsWith(".") || SKIP_DIRS.has(name)) continue;
      const child = rel === "." ? name : posix.join(rel, name);
      const stat = statSync(join(root, child), { throwIfNoEntry: false });
      if (stat?.isDirectory()) visit(child, depth + 1);
      else if (stat?.isFile() && SOURCE.test(name) && !name.endsWith(".d.ts")) files.push(child);
    }
  };
  for (const dir of dirs) if (existsSync(join(root, dir))) visit(dir, 0);
  return [...new Set(files)];
}

/** Local names bound to a creator: `Pool` from `import { Pool } from "pg"`, `pg` for `pg.Pool`, … */
function creatorBindings(program: AstNode): Map<string, { module: string; imported: string }> {
  const names = new Map<string, { module: string; imported: string }>();
  for (const statement of program.body as AstNode[]) {
    if (statement.type === "ImportDeclaration") {
      const module = (statement.source as AstNode).value as string;
      if (!CREATORS[module]) continue;
      for (const spec of statement.specifiers as AstNode[]) {
        const local = (spec.local as AstNode).name as string;
        const imported = spec.type === "ImportSpecifier" ? (((spec.imported as AstNode).name ?? (spec.imported as AstNode).value) as string) : "*";
        names.set(local, { module, imported: spec.type === "ImportDefaultSpecifier" ? "default" : imported });
      }
    }
    if (statement.type === "VariableDeclaration") {
      for (const decl of statement.declarations as AstNode[]) {
        const init = decl.init as AstNode | null;
        if (init?.type !== "CallExpression" || (init.callee as AstNode).type !== "Identifier" || (init.callee as AstNode).name !== "require") continue;
        const module = ((init.arguments as AstNode[])[0]?.value as string) ?? "";
        if (!CREATORS[module]) continue;
        const id = decl.id as AstNode;
        if (id.type === "Identifier") names.set(id.name as string, { module, imported: "*" });
        else if (id.type === "ObjectPattern") {
          for (const prop of id.properties as AstNode[]) {
            const key = (prop.key as AstNode | undefined)?.name as string | undefined;
            const value = (prop.value as AstNode | undefined)?.name as string | undefined;
            if (key && value) names.set(value, { module, imported: key });
          }
        }
      }
    }
  }
  return names;
}

/** `new Pool(…)`, `new pg.Pool(…)`, `drizzle(…)`, `new Database(…)` bound to a client module. */
function creatorOf(init: AstNode, bindings: Map<string, { module: string; imported: string }>): string | undefined {
  const isNew = init.type === "NewExpression";
  if (!isNew && init.type !== "CallExpression") return undefined;
  const callee = init.callee as AstNode;
  let name: string | undefined;
  if (callee.type === "Identifier") {
    const bound = bindings.get(callee.name as string);
    if (!bound) return undefined;
    const creators = CREATORS[bound.module]!;
    const imported = bound.imported === "*" ? "default" : bound.imported;
    if ((isNew ? creators.news : creators.calls).includes(imported)) name = callee.name as string;
  } else if (callee.type === "MemberExpression" && (callee.object as AstNode).type === "Identifier") {
    const bound = bindings.get((callee.object as AstNode).name as string);
    const property = (callee.property as AstNode).name as string;
    if (bound && (bound.imported === "*" || bound.imported === "default") && (isNew ? CREATORS[bound.module]!.news : CREATORS[bound.module]!.calls).includes(property)) {
      name = `${(callee.object as AstNode).name as string}.${property}`;
    }
  }
  if (!name) return undefined;
  return isNew ? `new ${name}(...)` : `${name}(...)`;
}

/** The creating statements of one file, pools/clients before drizzle databases. */
export function findDatabaseSites(text: string, file: string): DatabaseSite[] {
  const clean = stripRegions(text);
  if (!QUICK.test(clean)) return [];
  let program: AstNode;
  try {
    program = parseSource(clean, file);
  } catch {
    return [];
  }
  const bindings = creatorBindings(program);
  const sites: DatabaseSite[] = [];
  for (const top of program.body as AstNode[]) {
    const statement = top.type === "ExportNamedDeclaration" && top.declaration ? (top.declaration as AstNode) : top;
    if (statement.type !== "VariableDeclaration") continue;
    for (const decl of statement.declarations as AstNode[]) {
      const id = decl.id as AstNode;
      let init = decl.init as AstNode | null;
      while (init && (init.type === "TSAsExpression" || init.type === "TSSatisfiesExpression" || init.type === "TSNonNullExpression")) init = init.expression as AstNode;
      if (id.type !== "Identifier" || !init) continue;
      const construct = creatorOf(init, bindings);
      if (!construct) continue;
      const line = clean.slice(0, top.start).split("\n").length;
      sites.push({ file, line, variable: id.name as string, construct, statementEnd: top.end });
    }
  }
  return sites.sort((a, b) => Number(a.construct.includes("drizzle")) - Number(b.construct.includes("drizzle")) || a.line - b.line);
}

export function detectDatabase(root: string, pkg: Record<string, unknown>, searchDirs: string[]): DetectedDatabase | undefined {
  const deps = dependencies(pkg);
  const match = CLIENTS.find((c) => c.needs.every((name) => deps[name] !== undefined));
  if (!match) return undefined;
  const source = match.needs.map((name) => `${name} ${deps[name]}`).join(", ");
  const detected: DetectedDatabase = { client: match.client, source: `package.json ${source}`, instrumentable: match.instrumentable };
  if (!match.instrumentable) return detected;
  const sites = listSources(root, searchDirs).flatMap((file) => findDatabaseSites(readFileSync(join(root, file), "utf8"), file));
  // The pool is what gets instrumented when the app makes one; a drizzle database otherwise.
  const site = sites.find((s) => !s.construct.includes("drizzle")) ?? sites[0];
  return site ? { ...detected, site } : detected;
}
