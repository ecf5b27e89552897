import { existsSync, readFileSync, statSync } from "node:fs";
import { join, posix, relative } from "node:path";
import { analyzeEntry, parseSource, walk, type AstNode } from "./ast.js";
import { handlerFacts, type HandlerFacts } from "./routes-facts.js";

/**
 * The routes an Express app registers, read from its syntax trees without running it: `app.METHOD`
 * and `router.METHOD` calls, `app.route(path).METHOD`, routers mounted with `use(prefix, router)`,
 * and functions the entry calls with the app (`registerRoutes(app)` in `server/routes.ts`),
 * following relative imports. Each route carries what its handler visibly does (routes-facts.ts).
 */
export interface ScannedRoute {
  method: string;
  /** Full template with mount prefixes, as the metrics' route label shows it. */
  path: string;
  /** File (relative to the project root) and line of the registration. */
  file: string;
  line: number;
  facts: HandlerFacts;
}

export interface RouteScan {
  routes: ScannedRoute[];
  /** Files read, relative to the root. */
  files: string[];
}

const METHODS = new Set(["get", "post", "put", "patch", "delete"]);
const EXTENSIONS = ["", ".ts", ".tsx", ".mts", ".cts", ".js", ".mjs", ".cjs", "/index.ts", "/index.js", "/index.mjs"];
const MAX_DEPTH = 12;

interface Module {
  file: string;
  program: AstNode;
  /** Local name → relative import it came from (`default` or the exported name). */
  imports: Map<string, { from: string; name: string }>;
}

const isNode = (v: unknown): v is AstNode => typeof v === "object" && v !== null && typeof (v as AstNode).type === "string";
const idName = (node: unknown): string | undefined => (isNode(node) && node.type === "Identifier" ? (node.name as string) : undefined);
const stringValue = (node: unknown): string | undefined => {
  if (!isNode(node)) return undefined;
  if (node.type === "StringLiteral") return node.value as string;
  if (node.type === "TemplateLiteral" && (node.expressions as AstNode[]).length === 0) return ((node.quasis as AstNode[])[0]?.value as { cooked: string }).cooked;
  return undefined;
};
const joinPath = (prefix: string, path: string) => {
  const joined = `${prefix.replace(/\/$/, "")}/${path.replace(/^\//, "")}`;
  return joined.length > 1 ? joined.replace(/\/$/, "") : "/";
};
const requireOf = (node: unknown): string | undefined =>
  isNode(node) && node.type === "CallExpression" && idName(node.callee) === "require" ? stringValue((node.arguments as AstNode[])[0]) : undefined;

export function scanRoutes(root: string, entry: string): RouteScan {
  const modules = new Map<string, Module | null>();
  const routes: Array<ScannedRoute & { at: number }> = [];
  const seen = new Set<string>();

  const load = (file: string): Module | undefined => {
    if (modules.has(file)) return modules.get(file) ?? undefined;
    let module: Module | null = null;
    try {
      const program = parseSource(readFileSync(join(root, file), "utf8"), file);
      module = { file, program, imports: collectImports(program) };
    } catch {
      // A file monwire cannot parse only means fewer proposals, never a failed init.
    }
    modules.set(file, module);
    return module ?? undefined;
  };

  const resolveImport = (from: Module, specifier: string): string | undefined => {
    if (!specifier.startsWith(".")) return undefined;
    const base = posix.join(posix.dirname(from.file), specifier);
    const stripped = base.replace(/\.[cm]?js$/, "");
    for (const candidate of [base, ...EXTENSIONS.map((ext) => `${stripped}${ext}`)]) {
      const abs = join(root, candidate);
      if (existsSync(abs) && statSync(abs).isFile() && !relative(root, abs).startsWith("..")) return candidate;
    }
    return undefined;
  };

  /** The local name, function or router an imported or local name stands for. */
  const definition = (module: Module, name: string): { module: Module; name: string } | undefined => {
    const imported = module.imports.get(name);
    if (!imported) return { module, name };
    const file = resolveImport(module, imported.from);
    const target = file ? load(file) : undefined;
    if (!target) return undefined;
    const local = imported.name === "default" ? defaultExportName(target.program) : exportedLocalName(target.program, imported.name);
    return local ? { module: target, name: local } : undefined;
  };

  /** Walks `scope` in `module` with `bindings` (variable → mount prefix) and records routes. */
  const visit = (module: Module, scope: AstNode, bindings: Map<string, string>, depth: number) => {
    const key = `${module.file}:${scope.start}:${[...bindings].join(",")}`;
    if (depth > MAX_DEPTH || seen.has(key)) return;
    seen.add(key);
    const functions = localFunctions(module.program);
    walk(scope, (node) => {
      if (node.type !== "CallExpression") return;
      const callee = node.callee as AstNode;
      const args = node.arguments as AstNode[];
      if (callee.type === "MemberExpression" && (callee.property as AstNode).type === "Identifier") {
        const method = (callee.property as AstNode).name as string;
        const target = routeTarget(callee.object as AstNode, bindings);
        if (target !== undefined && METHODS.has(method)) {
          const path = target.path ?? stringValue(args[0]);
          const handlers = target.path === undefined ? args.slice(1) : args;
          // `app.get("env")` reads a setting: a route needs a handler.
          if (path === undefined || handlers.length === 0) return;
          const handler = [...handlers].reverse().map((h) => resolveHandler(h, functions)).find(Boolean);
          routes.push({ method: method.toUpperCase(), path: joinPath(target.prefix, path), file: module.file, line: (node.loc as { start: { line: number } }).start.line,
            facts: handlerFacts(handler, module.program), at: (callee.property as AstNode).start });
          return;
        }
        if (target !== undefined && target.path === undefined && method === "use") {
          const prefix = stringValue(args[0]);
          for (const arg of prefix === undefined ? args : args.slice(1)) mount(module, arg, joinPath(target.prefix, prefix ?? "/"), depth);
        }
        return;
      }
      // registerRoutes(app): follow into the function with its parameter bound to the app.
      const fn = idName(callee);
      if (!fn) return;
      const index = args.findIndex((a) => idName(a) !== undefined && bindings.has(idName(a)!));
      if (index === -1) return;
      const def = definition(module, fn);
      const declared = def ? localFunctions(def.module.program).get(def.name) : undefined;
      const param = declared ? idName(paramNode((declared.params as AstNode[])[index])) : undefined;
      if (def && declared && param) visit(def.module, declared.body as AstNode, new Map([[param, bindings.get(idName(args[index])!)!]]), depth + 1);
    });
  };

  const mount = (module: Module, arg: AstNode, prefix: string, depth: number) => {
    const required = requireOf(arg);
    if (required !== undefined) {
      const file = resolveImport(module, required);
      const target = file ? load(file) : undefined;
      const name = target ? defaultExportName(target.program) : undefined;
      if (target && name) visit(target, target.program, new Map([[name, prefix]]), depth + 1);
      return;
    }
    const name = idName(arg);
    const def = name ? definition(module, name) : undefined;
    if (def) visit(def.module, def.module.program, new Map([[def.name, prefix]]), depth + 1);
  };

  const start = load(entry);
  const app = start ? appName(readFileSync(join(root, entry), "utf8"), entry) : undefined;
  if (start && app) visit(start, start.program, new Map([[app, ""]]), 0);
  // Registration order; within a run of one file, source order (the walk meets a chain's
  // outer .post before its inner .get).
  const runs: Array<typeof routes> = [];
  for (const route of routes) {
    const last = runs[runs.length - 1];
    if (last && last[0]!.file === route.file) last.push(route);
    else runs.push([route]);
  }
  const ordered = runs.flatMap((run) => run.sort((a, b) => a.at - b.at));
  const order = [...modules.keys()];
  const unique = new Map<string, ScannedRoute>();
  for (const { at: _at, ...route } of ordered) if (!unique.has(`${route.method} ${route.path}`)) unique.set(`${route.method} ${route.path}`, route);
  return { routes: [...unique.values()], files: order.filter((f) => modules.get(f)) };
}

/** `app.get(...)` → the app's prefix; `app.route("/x").get(...)` → prefix and path. */
function routeTarget(object: AstNode, bindings: Map<string, string>): { prefix: string; path?: string } | undefined {
  const name = idName(object);
  if (name !== undefined) return bindings.has(name) ? { prefix: bindings.get(name)! } : undefined;
  if (object.type !== "CallExpression") return undefined;
  const callee = object.callee as AstNode;
  if (callee.type !== "MemberExpression" || idName(callee.property) === undefined) return undefined;
  const path = stringValue((object.arguments as AstNode[])[0]);
  // A chain: app.route("/x").get(...).post(...) — the inner call carries the route.
  if (idName(callee.property) === "route" && path !== undefined) {
    const base = routeTarget(callee.object as AstNode, bindings);
    return base ? { prefix: base.prefix, path } : undefined;
  }
  if (METHODS.has(idName(callee.property)!)) return routeTarget(callee.object as AstNode, bindings);
  return undefined;
}

const paramNode = (param: AstNode | undefined): AstNode | undefined =>
  param?.type === "AssignmentPattern" ? (param.left as AstNode) : param?.type === "TSParameterProperty" ? (param.parameter as AstNode) : param;

function resolveHandler(node: AstNode, functions: Map<string, AstNode>): AstNode | undefined {
  if (node.type === "ArrowFunctionExpression" || node.type === "FunctionExpression") return node;
  const name = idName(node);
  return name ? functions.get(name) : undefined;
}

/** Top-level functions by name: declarations, exported ones, and `const f = (...) => {}`. */
function localFunctions(program: AstNode): Map<string, AstNode> {
  const found = new Map<string, AstNode>();
  for (const statement of program.body as AstNode[]) {
    const node = statement.type === "ExportNamedDeclaration" || statement.type === "ExportDefaultDeclaration" ? (statement.declaration as AstNode | undefined) : statement;
    if (!node) continue;
    if (node.type === "FunctionDeclaration" && node.id) found.set(idName(node.id)!, node);
    if (node.type === "VariableDeclaration") {
      for (const d of node.declarations as AstNode[]) {
        const init = d.init as AstNode | undefined;
        if (idName(d.id) && init && (init.type === "ArrowFunctionExpression" || init.type === "FunctionExpression")) found.set(idName(d.id)!, init);
      }
    }
  }
  return found;
}

function collectImports(program: AstNode): Map<string, { from: string; name: string }> {
  const imports = new Map<string, { from: string; name: string }>();
  for (const statement of program.body as AstNode[]) {
    if (statement.type === "ImportDeclaration") {
      const from = (statement.source as AstNode).value as string;
      for (const s of statement.specifiers as AstNode[]) {
        const name = s.type === "ImportSpecifier" ? (idName(s.imported) ?? stringValue(s.imported)!) : "default";
        imports.set(idName(s.local)!, { from, name });
      }
    }
    if (statement.type === "VariableDeclaration") {
      for (const d of statement.declarations as AstNode[]) {
        const from = requireOf(d.init) ?? requireOf(isNode(d.init) ? d.init.object : undefined);
        if (from === undefined) continue;
        const id = d.id as AstNode;
        if (id.type === "Identifier") imports.set(id.name as string, { from, name: isNode(d.init) && d.init.type === "MemberExpression" ? idName((d.init as AstNode).property)! : "default" });
        if (id.type === "ObjectPattern") {
          for (const p of id.properties as AstNode[]) if (p.type === "ObjectProperty" && idName(p.value)) imports.set(idName(p.value)!, { from, name: idName(p.key)! });
        }
      }
    }
  }
  return imports;
}

/** The local name behind `export default x` / `module.exports = x`. */
function defaultExportName(program: AstNode): string | undefined {
  for (const statement of program.body as AstNode[]) {
    if (statement.type === "ExportDefaultDeclaration") {
      const d = statement.declaration as AstNode;
      return idName(d) ?? idName(d.id);
    }
    const assigned = moduleExportsAssignment(statement);
    if (assigned && idName(assigned)) return idName(assigned);
  }
  return undefined;
}

/** The local name behind a named export: `export const x`, `export { y as x }`, `exports.x = y`, `module.exports = { x }`. */
function exportedLocalName(program: AstNode, exported: string): string | undefined {
  for (const statement of program.body as AstNode[]) {
    if (statement.type === "ExportNamedDeclaration") {
      const d = statement.declaration as AstNode | undefined;
      if (d?.type === "VariableDeclaration" && (d.declarations as AstNode[]).some((v) => idName(v.id) === exported)) return exported;
      if (d && idName(d.id) === exported) return exported;
      for (const s of (statement.specifiers as AstNode[] | undefined) ?? []) if ((idName(s.exported) ?? stringValue(s.exported)) === exported) return idName(s.local);
    }
    if (statement.type === "ExpressionStatement" && (statement.expression as AstNode).type === "AssignmentExpression") {
      const { left, right } = statement.expression as AstNode;
      const l = left as AstNode;
      if (l.type === "MemberExpression" && idName(l.object) === "exports" && idName(l.property) === exported) return idName(right) ?? exported;
    }
    const assigned = moduleExportsAssignment(statement);
    if (assigned?.type === "ObjectExpression") {
      for (const p of assigned.properties as AstNode[]) if (p.type === "ObjectProperty" && idName(p.key) === exported) return idName(p.value);
    }
  }
  return undefined;
}

function moduleExportsAssignment(statement: AstNode): AstNode | undefined {
  if (statement.type !== "ExpressionStatement") return undefined;
  const expression = statement.expression as AstNode;
  if (expression.type !== "AssignmentExpression") return undefined;
  const left = expression.left as AstNode;
  return left.type === "MemberExpression" && idName(left.object) === "module" && idName(left.property) === "exports" ? (expression.right as AstNode) : undefined;
}

/** The variable holding `express()` in the entry, as init's entry analysis finds it. */
function appName(text: string, file: string): string | undefined {
  try {
    return analyzeEntry(text, file)?.appName;
  } catch {
    return undefined;
  }
}
