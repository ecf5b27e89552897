import { readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { parseSource, type AstNode } from "./ast.js";

/**
 * Just enough of a module resolver to answer "what does this name refer to?" for the values an
 * entry passes to `app.use(…)`: local functions, `require`d and imported bindings (named, default,
 * destructured, namespace), and what a relative module exports (`module.exports = { a, b }`,
 * `exports.a =`, `export function a`, `export { a }`, `export default`). Packages are named, not read.
 */
export interface SourceModule {
  /** Path relative to the project root, `/`-separated (for messages). */
  file: string;
  path: string;
  program: AstNode;
}

export type Target =
  | { kind: "node"; module: SourceModule; node: AstNode }
  | { kind: "module"; module: SourceModule }
  | { kind: "package"; name: string; member?: string }
  | { kind: "unresolved"; why: string };

const isNode = (value: unknown): value is AstNode => typeof value === "object" && value !== null && typeof (value as AstNode).type === "string";
const nameOf = (node: unknown): string | undefined => (isNode(node) && node.type === "Identifier" ? (node.name as string) : isNode(node) && node.type === "StringLiteral" ? (node.value as string) : undefined);

const EXTENSIONS = ["", ".js", ".cjs", ".mjs", ".ts", ".cts", ".mts", "/index.js", "/index.ts", "/index.cjs", "/index.mjs"];

export class ModuleGraph {
  private readonly cache = new Map<string, SourceModule | undefined>();
  constructor(private readonly root: string) {}

  /** Parses a file of the project once; undefined when it cannot be read or parsed. */
  load(path: string): SourceModule | undefined {
    const absolute = resolve(path);
    if (this.cache.has(absolute)) return this.cache.get(absolute);
    let module: SourceModule | undefined;
    try {
      const text = readFileSync(absolute, "utf8");
      const file = relative(this.root, absolute).split("\\").join("/");
      module = { file, path: absolute, program: parseSource(text, file) };
    } catch {
      module = undefined;
    }
    this.cache.set(absolute, module);
    return module;
  }

  /** `./middlewares/error` from `from` → the file, trying Node's and TypeScript's extensions. */
  resolveSpecifier(from: SourceModule, specifier: string): Target {
    if (!specifier.startsWith(".")) return { kind: "package", name: specifier };
    const base = join(dirname(from.path), specifier);
    const candidates = [...EXTENSIONS.map((ext) => base + ext), base.replace(/\.js$/, ".ts"), base.replace(/\.mjs$/, ".mts"), base.replace(/\.cjs$/, ".cts")];
    for (const candidate of candidates) {
      try {
        if (!statSync(candidate).isFile()) continue;
      } catch {
        continue;
      }
      const module = this.load(candidate);
      return module ? { kind: "module", module } : { kind: "unresolved", why: `${specifier} could not be parsed` };
    }
    return { kind: "unresolved", why: `${specifier} was not found` };
  }

  /** What a module-level name in `module` is bound to. */
  binding(module: SourceModule, name: string): Target {
    for (const statement of module.program.body as AstNode[]) {
      const declaration = statement.type === "ExportNamedDeclaration" && isNode(statement.declaration) ? statement.declaration : statement;
      if (declaration.type === "FunctionDeclaration" && nameOf(declaration.id) === name) return { kind: "node", module, node: declaration };
      if (declaration.type === "ImportDeclaration") {
        for (const specifier of declaration.specifiers as AstNode[]) {
          if (nameOf(specifier.local) !== name) continue;
          const source = this.resolveSpecifier(module, (declaration.source as AstNode).value as string);
          if (specifier.type === "ImportNamespaceSpecifier") return source;
          const exported = specifier.type === "ImportDefaultSpecifier" ? "default" : (nameOf(specifier.imported) ?? name);
          return this.member(source, exported);
        }
      }
      if (declaration.type !== "VariableDeclaration") continue;
      for (const declarator of declaration.declarations as AstNode[]) {
        const id = declarator.id as AstNode;
        const init = declarator.init;
        if (id.type === "Identifier" && id.name === name) return isNode(init) ? this.valueOf(module, init) : { kind: "unresolved", why: `${name} has no value` };
        if (id.type === "ObjectPattern" && isNode(init)) {
          for (const property of id.properties as AstNode[]) {
            if (property.type === "ObjectProperty" && nameOf(property.value) === name) return this.member(this.valueOf(module, init), nameOf(property.key) ?? name);
          }
        }
      }
    }
    return { kind: "unresolved", why: `${name} is not defined at the top of ${module.file}` };
  }

  /** Follows a value: `require("./x")`, `require("./x").y`, a name, or the expression itself. */
  valueOf(module: SourceModule, node: AstNode): Target {
    if (node.type === "CallExpression" && nameOf(node.callee) === "require") {
      const specifier = (node.arguments as AstNode[])[0];
      return specifier?.type === "StringLiteral" ? this.resolveSpecifier(module, specifier.value as string) : { kind: "unresolved", why: "a computed require" };
    }
    if (node.type === "MemberExpression" && !node.computed) {
      const object = this.valueOf(module, node.object as AstNode);
      if (object.kind === "module" || object.kind === "package") return this.member(object, nameOf(node.property) ?? "");
      return { kind: "node", module, node };
    }
    if (node.type === "Identifier") return this.binding(module, node.name as string);
    if (node.type === "TSAsExpression" || node.type === "TSNonNullExpression" || node.type === "ParenthesizedExpression") return this.valueOf(module, node.expression as AstNode);
    return { kind: "node", module, node };
  }

  /** `exported` of a module or package target. */
  member(target: Target, exported: string): Target {
    if (target.kind === "package") return { kind: "package", name: target.name, member: exported };
    if (target.kind !== "module") return target.kind === "unresolved" ? target : { kind: "unresolved", why: `cannot read .${exported} of an expression` };
    return this.exportOf(target.module, exported);
  }

  /** What `module` exports under `exported` ("default" for `export default` / `module.exports =`). */
  exportOf(module: SourceModule, exported: string): Target {
    for (const statement of module.program.body as AstNode[]) {
      if (statement.type === "ExportDefaultDeclaration" && exported === "default") {
        const declaration = statement.declaration as AstNode;
        return declaration.type === "Identifier" ? this.binding(module, declaration.name as string) : { kind: "node", module, node: declaration };
      }
      if (statement.type === "ExportNamedDeclaration") {
        const declaration = statement.declaration;
        if (isNode(declaration)) {
          if (declaration.type === "FunctionDeclaration" && nameOf(declaration.id) === exported) return { kind: "node", module, node: declaration };
          if (declaration.type === "VariableDeclaration" && (declaration.declarations as AstNode[]).some((d) => nameOf(d.id) === exported)) return this.binding(module, exported);
        }
        for (const specifier of (statement.specifiers as AstNode[] | undefined) ?? []) {
          if (nameOf(specifier.exported) !== exported) continue;
          const local = nameOf(specifier.local) ?? exported;
          return isNode(statement.source) ? this.member(this.resolveSpecifier(module, statement.source.value as string), local) : this.binding(module, local);
        }
      }
      if (statement.type !== "ExpressionStatement" || (statement.expression as AstNode).type !== "AssignmentExpression") continue;
      const { left, right } = statement.expression as { left: AstNode; right: AstNode };
      const target = left.type === "MemberExpression" ? `${nameOf(left.object) ?? (left.object as AstNode).type}.${nameOf(left.property)}` : "";
      if (target === "module.exports") {
        if (exported === "default" || right.type !== "ObjectExpression") {
          const whole = this.valueOf(module, right);
          return exported === "default" ? whole : this.member(whole, exported);
        }
        for (const property of right.properties as AstNode[]) {
          if (property.type === "ObjectProperty" && nameOf(property.key) === exported) return this.valueOf(module, property.value as AstNode);
          if (property.type === "ObjectMethod" && nameOf(property.key) === exported) return { kind: "node", module, node: property };
        }
      }
      const isExportsMember = left.type === "MemberExpression" && (nameOf(left.object) === "exports" || (isNode(left.object) && (left.object as AstNode).type === "MemberExpression" && nameOf((left.object as AstNode).property) === "exports"));
      if (isExportsMember && nameOf(left.property) === exported) return this.valueOf(module, right);
    }
    return { kind: "unresolved", why: `${module.file} has no export "${exported}"` };
  }
}
