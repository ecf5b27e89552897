import { readFileSync } from "node:fs";
import type { AstNode } from "./ast.js";
import { ModuleGraph, type SourceModule, type Target } from "./module-graph.js";

/**
 * Where `app.use(monitoring.errorHandler)` must go: before the app's first error-handling
 * middleware, which Express recognises by its four parameters. Each `app.use(x)` after the app is
 * created is classified by following `x` to its function — also through `require`/`import`, into
 * another file, through a wrapper call and into a function that registers middleware on the app
 * it is given. What cannot be followed is "unknown", and the plan says so.
 */
export type MiddlewareKind = "error" | "normal" | "unknown";

export interface ClassifiedUse {
  statement: AstNode;
  kind: MiddlewareKind;
  /** The source text of the registration, e.g. `app.use(errorHandler)`. */
  label: string;
  /** Why it is error middleware (`errorHandler in src/middlewares/error.js has 4 parameters`) or unknown. */
  reason: string;
}

/** Packages whose middleware factories are known to return ordinary (3-parameter) middleware. */
const NORMAL_PACKAGES = new Set([
  "express", "cors", "helmet", "morgan", "compression", "cookie-parser", "body-parser", "express-rate-limit", "express-session",
  "passport", "xss-clean", "express-mongo-sanitize", "hpp", "multer", "serve-static", "serve-favicon", "method-override", "express-fileupload",
]);
const MAX_DEPTH = 6;

type Verdict = { kind: MiddlewareKind; reason: string };
const isFunction = (node: AstNode) => ["FunctionDeclaration", "FunctionExpression", "ArrowFunctionExpression", "ObjectMethod"].includes(node.type);

function arity(node: AstNode, where: string, label: string): Verdict {
  const params = (node.params as AstNode[]).length;
  return params === 4 ? { kind: "error", reason: `${label} in ${where} has 4 parameters` } : { kind: "normal", reason: `${label} in ${where} has ${params} parameters` };
}

function combine(verdicts: Verdict[]): Verdict {
  return verdicts.find((v) => v.kind === "error") ?? verdicts.find((v) => v.kind === "unknown") ?? verdicts[0] ?? { kind: "normal", reason: "nothing registered" };
}

/** Functions returning a function literal (`const handler = () => (err, req, res, next) => …`). */
function returnedFunction(fn: AstNode): AstNode | undefined {
  const body = fn.body as AstNode;
  if (isFunction(body)) return body;
  if (body.type !== "BlockStatement") return undefined;
  const last = (body.body as AstNode[]).findLast((s) => s.type === "ReturnStatement");
  const argument = last?.argument as AstNode | undefined;
  return argument && isFunction(argument) ? argument : undefined;
}

export class MiddlewareClassifier {
  constructor(private readonly graph: ModuleGraph, private readonly text: (module: SourceModule, node: AstNode) => string) {}

  classifyTarget(target: Target, label: string, depth: number): Verdict {
    if (depth > MAX_DEPTH) return { kind: "unknown", reason: `${label}: too many indirections to follow` };
    if (target.kind === "unresolved") return { kind: "unknown", reason: `${label}: ${target.why}` };
    if (target.kind === "package") {
      return NORMAL_PACKAGES.has(target.name) ? { kind: "normal", reason: `${label} comes from ${target.name}` } : { kind: "unknown", reason: `${label} comes from the package ${target.name}, which monwire does not read` };
    }
    if (target.kind === "module") return this.classifyTarget(this.graph.exportOf(target.module, "default"), label, depth + 1);
    return this.classifyNode(target.module, target.node, label, depth);
  }

  classifyNode(module: SourceModule, node: AstNode, label: string, depth: number): Verdict {
    if (isFunction(node)) return arity(node, module.file, label);
    if (node.type === "ArrayExpression") return combine((node.elements as AstNode[]).filter(Boolean).map((e) => this.classifyNode(module, e, this.text(module, e), depth + 1)));
    if (node.type === "Identifier" || node.type === "MemberExpression") {
      const target = this.graph.valueOf(module, node);
      if (target.kind === "node" && target.node === node) return { kind: "unknown", reason: `${label}: cannot tell what it is` };
      return this.classifyTarget(target, label, depth + 1);
    }
    if (node.type === "CallExpression" && (node.callee as AstNode).type === "Identifier" && (node.callee as AstNode).name === "require") {
      return this.classifyTarget(this.graph.valueOf(module, node), label, depth + 1);
    }
    if (node.type === "CallExpression") return this.classifyCall(module, node, label, depth);
    return { kind: "unknown", reason: `${label}: cannot tell what it is` };
  }

  /** The function a call calls; a required module stands for what it exports (`module.exports = function …`). */
  private callee(module: SourceModule, call: AstNode): Target {
    let target = this.graph.valueOf(module, call.callee as AstNode);
    for (let hops = 0; hops < MAX_DEPTH; hops++) {
      if (target.kind === "module") target = this.graph.exportOf(target.module, "default");
      else if (target.kind === "node" && (target.node.type === "Identifier" || target.node.type === "MemberExpression") && target.node !== call.callee) target = this.graph.valueOf(target.module, target.node);
      else break;
    }
    return target;
  }

  /** `factory()`, `express.json()`, `wrap(errorHandler)`: the arguments and the factory's return value decide. */
  private classifyCall(module: SourceModule, call: AstNode, label: string, depth: number): Verdict {
    const args = (call.arguments as AstNode[]).filter((a) => a.type !== "SpreadElement");
    // A wrapper around an error handler (`catchErrors(errorHandler)`) still registers one.
    for (const arg of args) {
      if (arg.type !== "Identifier" && arg.type !== "MemberExpression" && !isFunction(arg)) continue;
      const inner = this.classifyNode(module, arg, this.text(module, arg), depth + 1);
      if (inner.kind === "error") return { kind: "error", reason: `${label} wraps ${inner.reason}` };
    }
    const callee = this.callee(module, call);
    if (callee.kind === "package") return this.classifyTarget(callee, label, depth + 1);
    if (callee.kind === "node" && isFunction(callee.node)) {
      const returned = returnedFunction(callee.node);
      if (returned) return arity(returned, callee.module.file, `the function ${label} returns`);
      if ((callee.node.params as AstNode[]).length === 4) return arity(callee.node, callee.module.file, label);
    }
    return { kind: "unknown", reason: `${label}: cannot tell what the call returns` };
  }

  /**
   * A function the entry hands the app to (`registerErrorHandlers(app)`, `require("./errors")(app)`):
   * what it registers with `.use(…)` on that parameter.
   */
  classifyRegistrar(module: SourceModule, call: AstNode, appIndex: number, label: string): Verdict | undefined {
    const callee = this.callee(module, call);
    if (callee.kind !== "node" || !isFunction(callee.node)) return undefined;
    const param = (callee.node.params as AstNode[])[appIndex];
    if (param?.type !== "Identifier") return undefined;
    const verdicts: Verdict[] = [];
    const visit = (node: AstNode) => {
      const c = node.callee as AstNode | undefined;
      if (node.type === "CallExpression" && c?.type === "MemberExpression" && (c.object as AstNode).type === "Identifier" && (c.object as AstNode).name === param.name && (c.property as AstNode).name === "use") {
        verdicts.push(...useArguments(node).map((arg) => this.classifyNode(callee.module, arg, this.text(callee.module, arg), 1)));
      }
      for (const value of Object.values(node)) {
        if (Array.isArray(value)) value.forEach((v) => v && typeof v === "object" && typeof v.type === "string" && visit(v));
        else if (value && typeof value === "object" && typeof (value as AstNode).type === "string") visit(value as AstNode);
      }
    };
    visit(callee.node.body as AstNode);
    if (verdicts.length === 0) return undefined;
    const verdict = combine(verdicts);
    return { kind: verdict.kind, reason: `${label} registers middleware in ${callee.module.file}: ${verdict.reason}` };
  }
}

/** The middleware arguments of `app.use([path,] …handlers)`. */
export function useArguments(call: AstNode): AstNode[] {
  const args = call.arguments as AstNode[];
  const first = args[0];
  const isPath = first && (first.type === "StringLiteral" || first.type === "TemplateLiteral" || first.type === "RegExpLiteral" || (first.type === "ArrayExpression" && (first.elements as AstNode[]).every((e) => e?.type === "StringLiteral")));
  return isPath ? args.slice(1) : args;
}

export interface ErrorHandlerPosition {
  /** The statement monitoring.errorHandler goes before; undefined when the app registers no error middleware monwire can see. */
  before?: AstNode;
  /** The app's first error middleware, when found. */
  errorUse?: ClassifiedUse;
  /** Registrations monwire could not classify that sit where an error handler would (after the last known route). */
  uncertain: ClassifiedUse[];
}

const SKIPPED_CALLS = new Set(["listen", "set", "enable", "disable", "engine", "locals", "mountMetrics", "installShutdown", "param"]);

/**
 * Classifies the top-level registrations after the app is created and picks the position: before
 * the first error middleware, or earlier — before a run of registrations it could not classify
 * that follows the last known route or middleware (where error handlers live). That is the safe
 * choice: if one of them is an error handler that ends the response, monitoring still sees the
 * error; if none is, nothing is lost, since every route was registered before them.
 */
export function findErrorHandlerPosition(graph: ModuleGraph, entry: SourceModule, appName: string, appStatement: AstNode, sourceText: string, ordinary: readonly string[] = []): ErrorHandlerPosition {
  const text = (module: SourceModule, node: AstNode) => (module === entry ? sourceText : readText(module)).slice(node.start, node.end).replace(/\s+/g, " ");
  const classifier = new MiddlewareClassifier(graph, text);
  const classified: ClassifiedUse[] = [];
  for (const statement of entry.program.body as AstNode[]) {
    if (statement.start < appStatement.end || statement.type !== "ExpressionStatement") continue;
    const call = statement.expression as AstNode;
    if (call.type !== "CallExpression") continue;
    const label = text(entry, call);
    const callee = call.callee as AstNode;
    const method = callee.type === "MemberExpression" ? ((callee.property as AstNode).name as string | undefined) : undefined;
    const onApp = callee.type === "MemberExpression" && (callee.object as AstNode).type === "Identifier" && (callee.object as AstNode).name === appName;
    if (onApp && method === "use" && ordinary.includes(label)) {
      classified.push({ statement, label, kind: "normal", reason: `${label}: you said it is ordinary middleware` });
      continue;
    }
    if (onApp && method === "use") {
      const verdict = combine(useArguments(call).map((arg) => classifier.classifyNode(entry, arg, text(entry, arg), 0)));
      classified.push({ statement, label, ...verdict });
      continue;
    }
    if (onApp && method && !SKIPPED_CALLS.has(method)) {
      classified.push({ statement, label, kind: "normal", reason: `${label} registers a route` });
      continue;
    }
    const appIndex = (call.arguments as AstNode[]).findIndex((a) => a.type === "Identifier" && a.name === appName);
    if (appIndex === -1 || (method && SKIPPED_CALLS.has(method))) continue;
    const verdict = classifier.classifyRegistrar(entry, call, appIndex, label);
    if (verdict) classified.push({ statement, label, ...verdict });
    else classified.push({ statement, label, kind: "unknown", reason: `${label} hands the app to code monwire cannot follow` });
  }
  const errorIndex = classified.findIndex((c) => c.kind === "error");
  const end = errorIndex === -1 ? classified.length : errorIndex;
  let tailStart = end;
  while (tailStart > 0 && classified[tailStart - 1]!.kind === "unknown") tailStart -= 1;
  const uncertain = classified.slice(tailStart, end);
  const errorUse = errorIndex === -1 ? undefined : classified[errorIndex];
  const before = uncertain[0]?.statement ?? errorUse?.statement;
  return { ...(before ? { before } : {}), ...(errorUse ? { errorUse } : {}), uncertain };
}

const texts = new WeakMap<SourceModule, string>();
function readText(module: SourceModule): string {
  let text = texts.get(module);
  if (text === undefined) {
    text = readFileSync(module.path, "utf8");
    texts.set(module, text);
  }
  return text;
}
