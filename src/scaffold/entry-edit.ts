import { join } from "node:path";
import { analyzeEntry, parseSource, type AstNode, type EntryAnalysis } from "./ast.js";
import { findErrorHandlerPosition, type ErrorHandlerPosition } from "./error-position.js";
import { ModuleGraph } from "./module-graph.js";
import { findRegions, indentAt, insertRegions, lineStart, nextLineStart, stripRegions, type Insertion } from "./regions.js";
import type { InitAnswers, ModuleSystem } from "./types.js";

/**
 * Wires monitoring into the entry file: positions come from the syntax tree, and every added line
 * lives in an owned region so a re-run recognises it and uninstall removes it byte-exactly.
 */
export interface EntryEditOptions {
  file: string;
  language: "ts" | "js";
  moduleSystem: ModuleSystem;
  /** Specifier suffix for relative imports ("" or ".js"). */
  importExtension: string;
  answers: Pick<InitAnswers, "sentry" | "metrics" | "audit">;
  /** Project root: given, `app.use(x)` is followed into the files `x` is imported from. */
  root?: string;
  /** Registrations (their source text) the user said are ordinary middleware, not error handlers. */
  ordinaryMiddleware?: readonly string[];
}

export interface EntryEdit {
  /** The entry with monwire's regions as they should be. */
  text: string;
  /** The same file with monwire's regions removed (what uninstall restores). */
  clean: string;
  /** Regions whose current body differs from what monwire would write (the user edited them). */
  editedRegions: string[];
  notes: string[];
  /** Registrations it could not classify, placed after monitoring.errorHandler to be safe. */
  uncertain: string[];
}

function importLine(options: EntryEditOptions, names: string, specifier: string): string {
  if (options.language === "js" && options.moduleSystem === "cjs") return `const { ${names} } = require("${specifier}");`;
  return `import { ${names} } from "${specifier}";`;
}

function instrumentLine(options: EntryEditOptions): string {
  const specifier = `./monitoring/sentry${options.importExtension}`;
  return options.language === "js" ? `require("${specifier}");` : `import "${specifier}";`;
}

/** Where each region goes, derived from the analysis of the clean text. */
export function planEntryRegions(clean: string, analysis: EntryAnalysis, options: EntryEditOptions, position?: ErrorHandlerPosition): { insertions: Insertion[]; notes: string[] } {
  const notes: string[] = [];
  const insertions: Insertion[] = [];
  const before = (node: AstNode, name: string, body: string[]) =>
    insertions.push({ offset: lineStart(clean, node.start), name, body, indent: indentAt(clean, node.start) });
  const after = (node: AstNode, name: string, body: string[]) =>
    insertions.push({ offset: nextLineStart(clean, node.end), name, body, indent: indentAt(clean, node.start) });
  const { appName } = analysis;

  // CommonJS hosts load the Sentry instrument by requiring it before anything else; ESM hosts
  // preload it with `node --import` (see the script changes), because static imports are all
  // linked before the first one runs.
  if (options.answers.sentry && options.moduleSystem === "cjs") {
    const body = [instrumentLine(options)];
    if (analysis.lastDirective) after(analysis.lastDirective, "instrument", body);
    else if (analysis.firstStatement) before(analysis.firstStatement, "instrument", body);
    else insertions.push({ offset: 0, name: "instrument", body, indent: "" });
  }

  const importBody = [importLine(options, "monitoring", `./middleware/monitoring${options.importExtension}`)];
  if (analysis.lastImportStatement) after(analysis.lastImportStatement, "imports", importBody);
  else before(analysis.firstStatement ?? analysis.appStatement, "imports", importBody);

  const middleware = [`${appName}.use(monitoring.middleware);`];
  if (options.answers.metrics) middleware.push(`monitoring.mountMetrics(${appName});`);
  after(analysis.appStatement, "middleware", middleware);

  const errorBody = [`${appName}.use(monitoring.errorHandler);`];
  if (position?.uncertain.length) {
    const names = position.uncertain.map((u) => `\`${u.label}\` (${u.reason})`).join("; ");
    notes.push(`could not tell whether ${names} is error middleware: monitoring.errorHandler was put before it, the safe position (every route is registered earlier). If it is ordinary middleware, the error-handler region may move after it`);
  } else if (position?.errorUse) {
    notes.push(`monitoring.errorHandler goes before \`${position.errorUse.label}\`: ${position.errorUse.reason}, so Express treats it as error middleware`);
  }
  if (position?.before) before(position.before, "error-handler", errorBody);
  else if (analysis.errorMiddlewareStatement) before(analysis.errorMiddlewareStatement, "error-handler", errorBody);
  else if (analysis.listenStatement) before(analysis.listenStatement, "error-handler", errorBody);
  else if (analysis.exportStatement) before(analysis.exportStatement, "error-handler", errorBody);
  else {
    insertions.push({ offset: clean.length, name: "error-handler", body: errorBody, indent: "" });
    notes.push("the entry neither listens nor exports the app: the error handler was appended at the end of the file — keep it after your routes");
  }

  if (analysis.listenStatement && analysis.serverName) {
    after(analysis.listenStatement, "shutdown", [`monitoring.installShutdown(${analysis.serverName});`]);
  } else {
    notes.push("call monitoring.installShutdown(server) with your http.Server so SIGTERM flushes the audit trail and Sentry");
  }
  return { insertions, notes };
}

/**
 * Computes the entry file as monwire wants it. Returns undefined when the file does not create an
 * Express app. Regions the user changed are reported, never silently rewritten.
 */
export function editEntry(current: string, options: EntryEditOptions): EntryEdit | undefined {
  const clean = stripRegions(current);
  const analysis = analyzeEntry(clean, options.file);
  if (!analysis) return undefined;
  let position: ErrorHandlerPosition | undefined;
  if (options.root) {
    const graph = new ModuleGraph(options.root);
    const entry = { file: options.file, path: join(options.root, options.file), program: parseSource(clean, options.file) };
    position = findErrorHandlerPosition(graph, entry, analysis.appName, analysis.appStatement, clean, options.ordinaryMiddleware);
  }
  const { insertions, notes } = planEntryRegions(clean, analysis, options, position);
  const text = insertRegions(clean, insertions);
  const wanted = new Map(findRegions(text).map((r) => [r.name, r.body.join("\n")]));
  const editedRegions = findRegions(current)
    .filter((region) => wanted.has(region.name) && wanted.get(region.name) !== region.body.join("\n"))
    .map((region) => region.name);
  return { text, clean, editedRegions, notes, uncertain: position?.uncertain.map((u) => u.label) ?? [] };
}
