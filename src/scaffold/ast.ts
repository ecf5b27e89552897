import { parse } from "../vendor/babel-parser.js";
import { MonwireError, EXIT } from "../errors.js";

/**
 * What `mon init` needs to know about the entry file, read from its syntax tree. Only positions
 * are taken from the tree: edits are spliced into the original text, so formatting, comments and
 * line endings of everything else stay byte-identical.
 */
export interface AstNode {
  type: string;
  start: number;
  end: number;
  [key: string]: unknown;
}

export interface EntryAnalysis {
  /** The variable holding `express()`. */
  appName: string;
  /** The statement that creates the app. */
  appStatement: AstNode;
  /** Where imports end (insertion point for the monitoring import), or undefined when none. */
  lastImportStatement?: AstNode;
  /** The first top-level statement after directives; the instrument goes before it. */
  firstStatement?: AstNode;
  /** Last directive ("use strict"), after which the instrument goes when present. */
  lastDirective?: AstNode;
  /** The first app.use(...) that registers error middleware (four parameters), after the app. */
  errorMiddlewareStatement?: AstNode;
  /** The statement that calls `.listen(`. */
  listenStatement?: AstNode;
  /** Variable holding the http server, when the listen call exposes one. */
  serverName?: string;
  /** An export of the app (`export default app`, `module.exports = app`), for apps without listen. */
  exportStatement?: AstNode;
  /** Port found in the code (`process.env.PORT || 5000`, `listen(5000)`). */
  port?: number;
  /** Paths the app already serves with app.get/app.use, e.g. "/metrics". */
  routePaths: string[];
  hasListen: boolean;
}

const isNode = (value: unknown): value is AstNode =>
  typeof value === "object" && value !== null && typeof (value as { type?: unknown }).type === "string";

/** Visits every node depth-first; `visit` gets the node and its ancestors (nearest last). */
export function walk(node: AstNode, visit: (node: AstNode, ancestors: AstNode[]) => void, ancestors: AstNode[] = []): void {
  visit(node, ancestors);
  ancestors.push(node);
  for (const key of Object.keys(node)) {
    if (key === "loc" || key === "leadingComments" || key === "trailingComments" || key === "innerComments" || key === "extra") continue;
    const value = node[key];
    if (Array.isArray(value)) {
      for (const child of value) if (isNode(child)) walk(child, visit, ancestors);
    } else if (isNode(value)) {
      walk(value, visit, ancestors);
    }
  }
  ancestors.pop();
}

export function parseSource(text: string, file: string): AstNode {
  const typescript = /\.[cm]?tsx?$/.test(file);
  try {
    const ast = parse(text, {
      sourceType: "unambiguous",
      allowReturnOutsideFunction: true,
      allowAwaitOutsideFunction: true,
      plugins: typescript ? ["typescript", ...(file.endsWith("x") ? (["jsx"] as const) : [])] : ["jsx"],
    });
    return ast.program as unknown as AstNode;
  } catch (cause) {
    throw new MonwireError("E_UNSUPPORTED_PROJECT", `cannot parse ${file}: ${(cause as Error).message}`, {
      exitCode: EXIT.unsupported,
      cause,
      hint: "Fix the syntax error, or point monwire at the file that creates the Express app with --entry.",
    });
  }
}

const calleeName = (call: AstNode): string | undefined => {
  const callee = call.callee as AstNode | undefined;
  return callee?.type === "Identifier" ? (callee.name as string) : undefined;
};

const memberCall = (node: AstNode, property: string): AstNode | undefined => {
  if (node.type !== "CallExpression") return undefined;
  const callee = node.callee as AstNode;
  if (callee.type !== "MemberExpression" || (callee.property as AstNode).type !== "Identifier") return undefined;
  return (callee.property as AstNode).name === property ? (callee.object as AstNode) : undefined;
};

const isRequireOf = (node: unknown, name?: string): boolean =>
  isNode(node) &&
  node.type === "CallExpression" &&
  calleeName(node) === "require" &&
  (name === undefined || ((node.arguments as AstNode[])[0]?.value as unknown) === name);

/** The statement (direct child of a block or the program) that contains the node. */
function enclosingStatement(ancestors: AstNode[], node: AstNode): AstNode | undefined {
  const chain = [...ancestors, node];
  for (let i = chain.length - 1; i > 0; i -= 1) {
    const parent = chain[i - 1]!;
    if ((parent.type === "Program" || parent.type === "BlockStatement") && (parent.body as AstNode[]).includes(chain[i]!)) return chain[i];
  }
  return undefined;
}

function literalNumber(node: unknown): number | undefined {
  if (!isNode(node)) return undefined;
  if (node.type === "NumericLiteral" && Number.isInteger(node.value)) return node.value as number;
  if (node.type === "StringLiteral" && /^\d{2,5}$/.test(node.value as string)) return Number(node.value);
  return undefined;
}

const mentionsEnvPort = (text: string, node: AstNode): boolean => /process\.env\.PORT|process\.env\[["']PORT["']\]/.test(text.slice(node.start, node.end));

const ROUTE_METHODS = new Set(["get", "post", "put", "patch", "delete", "all", "use"]);

/** Names bound to the express module: `import express from "express"`, `const express = require("express")`. */
function findExpressNames(body: AstNode[]): Set<string> {
  const names = new Set<string>();
  for (const statement of body) {
    if (statement.type === "ImportDeclaration" && (statement.source as AstNode).value === "express") {
      for (const specifier of statement.specifiers as AstNode[]) {
        if (specifier.type !== "ImportSpecifier") names.add((specifier.local as AstNode).name as string);
      }
    }
    if (statement.type === "VariableDeclaration") {
      for (const declarator of statement.declarations as AstNode[]) {
        if (isRequireOf(declarator.init, "express") && (declarator.id as AstNode).type === "Identifier") names.add((declarator.id as AstNode).name as string);
      }
    }
  }
  if (names.size === 0) names.add("express");
  return names;
}

/** Functions declared with four parameters: Express treats those as error middleware. */
function findErrorHandlerNames(program: AstNode): Set<string> {
  const names = new Set<string>();
  walk(program, (node) => {
    if (node.type === "FunctionDeclaration" && (node.params as AstNode[]).length === 4 && node.id) names.add((node.id as AstNode).name as string);
    if (node.type === "VariableDeclarator" && (node.id as AstNode).type === "Identifier" && isNode(node.init)) {
      const init = node.init;
      if ((init.type === "ArrowFunctionExpression" || init.type === "FunctionExpression") && (init.params as AstNode[]).length === 4) {
        names.add((node.id as AstNode).name as string);
      }
    }
  });
  return names;
}

const isTopImport = (statement: AstNode): boolean =>
  statement.type === "ImportDeclaration" ||
  (statement.type === "VariableDeclaration" && (statement.declarations as AstNode[]).some((d) => isRequireOf(d.init) || (isNode(d.init) && isRequireOf((d.init as AstNode).object)))) ||
  (statement.type === "ExpressionStatement" && isRequireOf(statement.expression)) ||
  (statement.type === "TSImportEqualsDeclaration");

/** Reads the entry file's syntax tree; undefined when it never calls `express()`. */
export function analyzeEntry(text: string, file: string): EntryAnalysis | undefined {
  const program = parseSource(text, file);
  const body = program.body as AstNode[];
  const expressNames = findExpressNames(body);
  const errorHandlerNames = findErrorHandlerNames(program);
  let app: { name: string; statement: AstNode } | undefined;
  const listens: Array<{ object: AstNode; statement: AstNode; call: AstNode }> = [];
  const uses: Array<{ object: AstNode; statement: AstNode; call: AstNode }> = [];
  const routePaths: string[] = [];
  let port: number | undefined;
  let exportStatement: AstNode | undefined;

  walk(program, (node, ancestors) => {
    const isExpressCall = (value: unknown) => isNode(value) && value.type === "CallExpression" && expressNames.has(calleeName(value) ?? "");
    if (!app && node.type === "VariableDeclarator" && (node.id as AstNode).type === "Identifier" && isExpressCall(node.init)) {
      const statement = enclosingStatement(ancestors, node);
      if (statement) app = { name: (node.id as AstNode).name as string, statement };
    }
    if (!app && node.type === "AssignmentExpression" && (node.left as AstNode).type === "Identifier" && isExpressCall(node.right)) {
      const statement = enclosingStatement(ancestors, node);
      if (statement) app = { name: (node.left as AstNode).name as string, statement };
    }
    const listenObject = memberCall(node, "listen");
    if (listenObject) {
      const statement = enclosingStatement(ancestors, node);
      if (statement) listens.push({ object: listenObject, statement, call: node });
      const [first] = node.arguments as AstNode[];
      port ??= literalNumber(first) ?? (first?.type === "ObjectExpression"
        ? literalNumber((first.properties as AstNode[]).find((p) => (p.key as AstNode | undefined)?.name === "port")?.value)
        : undefined);
    }
    const callee = node.type === "CallExpression" ? (node.callee as AstNode) : undefined;
    if (callee?.type === "MemberExpression" && (callee.property as AstNode).type === "Identifier" && ROUTE_METHODS.has((callee.property as AstNode).name as string)) {
      const statement = enclosingStatement(ancestors, node);
      if (statement && (callee.property as AstNode).name === "use") uses.push({ object: callee.object as AstNode, statement, call: node });
      const [first] = node.arguments as AstNode[];
      if (first?.type === "StringLiteral") routePaths.push(first.value as string);
    }
    if ((node.type === "LogicalExpression" || node.type === "ConditionalExpression") && mentionsEnvPort(text, node)) {
      port ??= literalNumber(node.right) ?? literalNumber(node.alternate);
    }
    if (node.type === "VariableDeclarator" && /^port$/i.test(((node.id as AstNode).name as string) ?? "")) port ??= literalNumber(node.init);
    if (node.type === "ExportDefaultDeclaration" || (node.type === "AssignmentExpression" && /^module\.exports|^exports\./.test(text.slice((node.left as AstNode).start, (node.left as AstNode).end)))) {
      exportStatement ??= enclosingStatement(ancestors, node) ?? node;
    }
  });
  if (!app) return undefined;
  const appName = app.name;
  const appStatement = app.statement;

  const isErrorMiddleware = (call: AstNode) =>
    (call.arguments as AstNode[]).some((arg) =>
      ((arg.type === "ArrowFunctionExpression" || arg.type === "FunctionExpression") && (arg.params as AstNode[]).length === 4) ||
      (arg.type === "Identifier" && errorHandlerNames.has(arg.name as string)),
    );
  const errorUse = uses.find((u) => u.object.type === "Identifier" && u.object.name === appName && u.call.start > appStatement.end && isErrorMiddleware(u.call));
  const listen = listens.find((l) => l.call.start > appStatement.start) ?? listens[0];
  let serverName: string | undefined;
  if (listen) {
    if (listen.statement.type === "VariableDeclaration") {
      const id = (listen.statement.declarations as AstNode[])[0]?.id as AstNode | undefined;
      if (id?.type === "Identifier") serverName = id.name as string;
    } else if (listen.object.type === "Identifier" && listen.object.name !== appName) {
      serverName = listen.object.name as string;
    }
  }
  const directives = (program.directives as AstNode[] | undefined) ?? [];
  const imports = body.filter((statement) => statement.end <= appStatement.start && isTopImport(statement));
  return {
    appName,
    appStatement,
    ...(imports.length > 0 ? { lastImportStatement: imports[imports.length - 1]! } : {}),
    ...(body[0] ? { firstStatement: body[0] } : {}),
    ...(directives.length > 0 ? { lastDirective: directives[directives.length - 1]! } : {}),
    ...(errorUse ? { errorMiddlewareStatement: errorUse.statement } : {}),
    ...(listen ? { listenStatement: listen.statement } : {}),
    ...(serverName ? { serverName } : {}),
    ...(exportStatement ? { exportStatement } : {}),
    ...(port !== undefined ? { port } : {}),
    routePaths,
    hasListen: Boolean(listen),
  };
}
