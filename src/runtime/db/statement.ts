import { DB_OPERATIONS } from "../../metrics/catalog.js";

/**
 * What monwire reads from a SQL statement: its verb (a bounded label value) and, for slow-query
 * breadcrumbs only, its shape with every literal replaced. The SQL text itself never becomes a
 * label, and parameter values are never read at all.
 */
export type DbOperation = (typeof DB_OPERATIONS)[number];

const VERBS: Record<string, DbOperation> = {
  select: "select", insert: "insert", update: "update", delete: "delete",
  begin: "begin", start: "begin", commit: "commit", end: "commit", rollback: "rollback", abort: "rollback",
};
const MAIN_VERBS = new Set(["select", "insert", "update", "delete"]);

const isWordChar = (code: number) =>
  (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || (code >= 48 && code <= 57) || code === 95;

/** Index after leading whitespace and comments (`-- …`, `/* … *\/`). */
function skipSpace(sql: string, at: number): number {
  let i = at;
  for (;;) {
    while (i < sql.length && sql.charCodeAt(i) <= 32) i += 1;
    if (sql.startsWith("--", i)) {
      const end = sql.indexOf("\n", i);
      i = end === -1 ? sql.length : end + 1;
    } else if (sql.startsWith("/*", i)) {
      const end = sql.indexOf("*/", i + 2);
      i = end === -1 ? sql.length : end + 2;
    } else return i;
  }
}

/**
 * The verb of a CTE statement (`WITH x AS (…) DELETE …`): the first main verb outside
 * parentheses and quotes after the CTE list.
 */
function cteVerb(sql: string, from: number): DbOperation {
  let depth = 0;
  for (let i = from; i < sql.length; i += 1) {
    const c = sql[i];
    if (c === "(") depth += 1;
    else if (c === ")") depth -= 1;
    else if (c === "'" || c === '"') {
      const close = sql.indexOf(c, i + 1);
      if (close === -1) break;
      i = close;
    } else if (depth === 0 && isWordChar(sql.charCodeAt(i)) && (i === 0 || !isWordChar(sql.charCodeAt(i - 1)))) {
      let end = i;
      while (end < sql.length && isWordChar(sql.charCodeAt(end))) end += 1;
      const word = sql.slice(i, end).toLowerCase();
      if (MAIN_VERBS.has(word)) return word as DbOperation;
      i = end - 1;
    }
  }
  return "other";
}

/**
 * Verbs of recently seen statements: apps and ORMs send the same few hundred statement texts over
 * and over, so the scan runs once per text. Bounded, so ad-hoc SQL with inlined values cannot
 * grow it without limit.
 */
const seen = new Map<string, DbOperation>();
const SEEN_MAX = 2000;

/** The last statement looked up: a run of the same query skips even the map look-up. */
let lastSql: string | undefined;
let lastOperation: DbOperation = "other";

/** The statement's verb, from its first keyword; anything unknown is "other". */
export function sqlOperation(sql: unknown): DbOperation {
  if (typeof sql !== "string") return "other";
  if (sql === lastSql) return lastOperation;
  const operation = cachedOperation(sql);
  lastSql = sql;
  lastOperation = operation;
  return operation;
}

function cachedOperation(sql: string): DbOperation {
  const known = seen.get(sql);
  if (known !== undefined) return known;
  const operation = scanOperation(sql);
  if (seen.size >= SEEN_MAX) seen.clear();
  seen.set(sql, operation);
  return operation;
}

function scanOperation(sql: string): DbOperation {
  const start = skipSpace(sql, 0);
  let end = start;
  while (end < sql.length && end - start < 9 && isWordChar(sql.charCodeAt(end))) end += 1;
  const word = sql.slice(start, end).toLowerCase();
  if (word === "with") return cteVerb(sql, end);
  return VERBS[word] ?? "other";
}

const SHAPE_MAX = 300;

/**
 * The statement with string literals (including E'…' and dollar-quoted bodies), numbers and
 * literal lists replaced by `?`, whitespace collapsed and the length capped. Placeholders ($1, ?)
 * stay: they name where a parameter goes without carrying it.
 */
export function statementShape(sql: unknown): string {
  if (typeof sql !== "string") return "(not SQL text)";
  const shaped = sql
    .replace(/\/\*[\s\S]*?\*\/|--[^\n]*/g, " ")
    .replace(/\$([A-Za-z_]\w*)?\$[\s\S]*?\$\1\$/g, "?")
    .replace(/(?:\b[EeBbXxNn])?'(?:[^'\\]|''|\\.)*'/g, "?")
    .replace(/(?<![\w$.])-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?\b/g, "?")
    .replace(/\b(true|false)\b/gi, "?")
    .replace(/\(\s*\?(?:\s*,\s*\?)+\s*\)/g, "(?)")
    .replace(/\s+/g, " ")
    .trim();
  return shaped.length > SHAPE_MAX ? `${shaped.slice(0, SHAPE_MAX)}…` : shaped;
}

/** SQLSTATE (pg, mysql2) or SQLite result code → a bounded label value. */
export function errorCode(error: unknown): string {
  if (typeof error !== "object" || error === null) return "other";
  const { code, sqlState } = error as { code?: unknown; sqlState?: unknown };
  const state = typeof sqlState === "string" ? sqlState : code;
  if (typeof state === "string") {
    // A SQLSTATE's first two characters are its class (23 integrity, 42 syntax/access, 08 connection, …).
    if (/^[0-9A-Z]{5}$/.test(state)) return state.slice(0, 2);
    const sqlite = /^SQLITE_([A-Z]+)/.exec(state);
    if (sqlite) return `sqlite_${sqlite[1]!.toLowerCase()}`.slice(0, 24);
    if (/^E(CONNREFUSED|CONNRESET|PIPE|TIMEDOUT|HOSTUNREACH|NOTFOUND|AI_AGAIN)$/.test(state)) return "connection";
  }
  const message = (error as { message?: unknown }).message;
  if (typeof message === "string" && /connection (terminated|ended|refused)|timeout exceeded when trying to connect/i.test(message)) return "connection";
  return "other";
}
