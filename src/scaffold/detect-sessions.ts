import { walk, type AstNode } from "./ast.js";

/**
 * Where active_user_sessions can come from in the app, as init sees it in the files the entry
 * imports: an express-session store (`session({ store })`, `new MemoryStore()`, connect-pg-simple,
 * connect-redis …) or an app-level `Map` of sessions (`const sessions = new Map()`).
 */
export interface SessionStoreSite {
  kind: "express-session" | "map";
  file: string;
  /** The variable holding the store or Map, when it is one. */
  variable?: string;
  exported: boolean;
  /** Keys of the objects the app stores in a Map (`sessions.set(token, { userId })`). */
  fields: string[];
}

/** What init writes to `sessions.source` and tells the user about it. */
export interface SessionsPlan {
  source: "events";
  site?: SessionStoreSite;
  /** One sentence for the plan: what was found, which source is in use, how to change it. */
  note: string;
}

const SESSION_MAP = /^(?:user)?sessions?(?:map|store|table|s)?$/i;
const STORE_CLASS = /^(?:MemoryStore|PgStore|PGStore|PostgresStore|RedisStore|MongoStore|SequelizeStore|FileStore|SQLiteStore|[A-Z]\w*SessionStore)$/;
const TENANT_FIELD = /^(?:tenant|shop|tenantId|shopId)$/;

const nameOf = (node: AstNode | null | undefined): string | undefined =>
  node?.type === "Identifier" ? (node.name as string) : node?.type === "StringLiteral" ? (node.value as string) : undefined;

/** Sites found in the parsed files, the entry's imports first. */
export function findSessionStores(programs: ReadonlyArray<{ file: string; program: AstNode }>): SessionStoreSite[] {
  const sites: SessionStoreSite[] = [];
  for (const { file, program } of programs) {
    const exportedNames = new Set<string>();
    const maps = new Map<string, SessionStoreSite>();
    walk(program, (node, ancestors) => {
      if (node.type === "ExportSpecifier") exportedNames.add(nameOf(node.local as AstNode) ?? "");
      if (node.type === "VariableDeclarator" && (node.init as AstNode | null)?.type === "NewExpression") {
        const variable = nameOf(node.id as AstNode);
        const created = nameOf((node.init as AstNode).callee as AstNode);
        if (!variable || !created) return;
        const exported = ancestors.some((a) => a.type === "ExportNamedDeclaration");
        if (created === "Map" && SESSION_MAP.test(variable)) maps.set(variable, { kind: "map", file, variable, exported, fields: [] });
        else if (STORE_CLASS.test(created)) sites.push({ kind: "express-session", file, variable, exported, fields: [] });
      }
      if (node.type === "CallExpression") {
        const callee = node.callee as AstNode;
        const args = node.arguments as AstNode[];
        // session({ store: … }) with a store that is not a variable init saw (new X() inline).
        if (nameOf(callee) === "session" && args[0]?.type === "ObjectExpression") {
          const store = (args[0].properties as AstNode[]).find((p) => nameOf(p.key as AstNode) === "store");
          if (store && !sites.some((s) => s.file === file && s.variable === nameOf(store.value as AstNode))) {
            sites.push({ kind: "express-session", file, ...(nameOf(store.value as AstNode) ? { variable: nameOf(store.value as AstNode) } : {}), exported: false, fields: [] });
          }
        }
        // sessions.set(token, { userId, tenant }): the fields a stored session has.
        if (callee.type === "MemberExpression" && nameOf(callee.property as AstNode) === "set" && args[1]?.type === "ObjectExpression") {
          const map = maps.get(nameOf(callee.object as AstNode) ?? "");
          if (map) for (const p of args[1].properties as AstNode[]) if (p.type === "ObjectProperty" && nameOf(p.key as AstNode)) map.fields.push(nameOf(p.key as AstNode) as string);
        }
      }
    });
    for (const map of maps.values()) sites.push({ ...map, exported: map.exported || exportedNames.has(map.variable as string), fields: [...new Set(map.fields)] });
  }
  return sites;
}

/**
 * Which source init sets. init does not edit the app's business files to reach a store, so the
 * count comes from login/logout events, and the note names the store found and the one change
 * that switches to it (pass it as `createMonitoring({ sessionSource })`, set `sessions.source`).
 * A Map whose sessions hold no tenant cannot be counted per tenant when there are several.
 */
export function planSessions(sites: readonly SessionStoreSite[], tenantCount: number): SessionsPlan {
  const events = 'active_user_sessions counts login/logout events (sessions.source "events")';
  const site = sites.find((s) => s.kind === "express-session") ?? sites[0];
  if (!site) return { source: "events", note: `no session store found in the app's code: ${events}` };
  const where = `${site.variable ? `\`${site.variable}\` ` : ""}in ${site.file}`;
  const howTo = `pass it as createMonitoring({ sessionSource: ${site.variable ?? "store"} }) and set sessions.source to "store" (docs/tracking.md, Sessions)`;
  if (site.kind === "express-session") return { source: "events", site, note: `found an express-session store ${where}; ${events} until you ${howTo}` };
  const tenant = site.fields.find((f) => TENANT_FIELD.test(f));
  const problems = [
    ...(site.exported ? [] : ["is not exported"]),
    ...(tenant || tenantCount <= 1 || site.fields.length === 0 ? [] : [`holds no tenant in its sessions (${site.fields.join(", ")})`]),
  ];
  const why = problems.length > 0 ? `, but it ${problems.join(" and ")}` : "";
  const fix = problems.length > 0 ? `; to count from it, ${site.exported ? "" : "export it, "}${tenant || tenantCount <= 1 ? "" : 'store the tenant in each session (sessions.tenantField, default "tenant"), '}then ${howTo}` : `; ${howTo}`;
  return { source: "events", site, note: `found the session Map ${where}${why}: ${events}${fix}` };
}
