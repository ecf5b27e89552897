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
  /**
   * Paths in a stored session: keys of the objects the app stores in a Map
   * (`sessions.set(token, { userId })`), or what it assigns to `req.session` for a store.
   */
  fields: string[];
}

/** How the generated monitoring file reaches a store: the module that exports it, and the name. */
export interface SessionStoreWire {
  file: string;
  name: string;
  /** `sessions.tenantField` when the tenant is not at the default path "tenant". */
  tenantField?: string;
}

/** What init writes to `sessions.source` and tells the user about it. */
export interface SessionsPlan {
  source: "events" | "store";
  site?: SessionStoreSite;
  /** Set when source is "store": the monitoring file passes a lazy import of this export. */
  wire?: SessionStoreWire;
  /** One sentence for the plan: what was found, which source is in use, how to change it. */
  note: string;
}

const SESSION_MAP = /^(?:user)?sessions?(?:map|store|table|s)?$/i;
const STORE_CLASS = /^(?:MemoryStore|PgStore|PGStore|PostgresStore|RedisStore|MongoStore|SequelizeStore|FileStore|SQLiteStore|[A-Z]\w*SessionStore)$/;
const TENANT_FIELD = /^(?:tenant|shop|tenantId|shopId)$/;

/** `req.session.shop` → ["req", "session", "shop"]; undefined for anything but a plain member chain. */
function memberPath(node: AstNode): string[] | undefined {
  if (node.type === "Identifier") return [node.name as string];
  if (node.type !== "MemberExpression" || node.computed) return undefined;
  const object = memberPath(node.object as AstNode);
  const property = nameOf(node.property as AstNode);
  return object && property ? [...object, property] : undefined;
}

const nameOf = (node: AstNode | null | undefined): string | undefined =>
  node?.type === "Identifier" ? (node.name as string) : node?.type === "StringLiteral" ? (node.value as string) : undefined;

/** Sites found in the parsed files, the entry's imports first. */
export function findSessionStores(programs: ReadonlyArray<{ file: string; program: AstNode }>): SessionStoreSite[] {
  const sites: SessionStoreSite[] = [];
  // What the app puts in express-session sessions, from any file: req.session.shop = …,
  // req.session.user = { id, shop }.
  const sessionFields: string[] = [];
  for (const { file, program } of programs) {
    const exportedNames = new Set<string>();
    const maps = new Map<string, SessionStoreSite>();
    walk(program, (node, ancestors) => {
      if (node.type === "AssignmentExpression") {
        const path = memberPath(node.left as AstNode) ?? [];
        // CommonJS: `module.exports = { sessions }`, `exports.sessions = sessions` (same name only:
        // the monitoring file reads the export by the variable's name).
        const right = node.right as AstNode;
        const exportsObject = path.join(".") === "module.exports" || (path.length === 1 && path[0] === "exports");
        if (exportsObject && right.type === "ObjectExpression") {
          for (const p of right.properties as AstNode[]) if (p.type === "ObjectProperty" && nameOf(p.key as AstNode) === nameOf(p.value as AstNode)) exportedNames.add(nameOf(p.key as AstNode) ?? "");
        }
        const exportedAs = path[0] === "exports" && path.length === 2 ? path[1] : path[0] === "module" && path[1] === "exports" && path.length === 3 ? path[2] : undefined;
        if (exportedAs && nameOf(right) === exportedAs) exportedNames.add(exportedAs);
        const at = path.indexOf("session");
        if (at > 0 && path.length > at + 1) {
          const field = path.slice(at + 1).join(".");
          sessionFields.push(field);
          const value = node.right as AstNode;
          if (value.type === "ObjectExpression") for (const p of value.properties as AstNode[]) if (p.type === "ObjectProperty" && nameOf(p.key as AstNode)) sessionFields.push(`${field}.${nameOf(p.key as AstNode)}`);
        }
      }
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
    for (const site of sites) if (site.file === file && site.variable && exportedNames.has(site.variable)) site.exported = true;
    for (const map of maps.values()) sites.push({ ...map, exported: map.exported || exportedNames.has(map.variable as string), fields: [...new Set(map.fields)] });
  }
  for (const site of sites) if (site.kind === "express-session") site.fields = [...new Set(sessionFields)];
  return sites;
}

/** The first path whose last part names a tenant ("shop", "user.tenantId"). */
const tenantPath = (fields: readonly string[]): string | undefined => fields.find((f) => TENANT_FIELD.test(f.split(".").pop() ?? ""));

/**
 * Which source init sets. init does not edit the app's business files, so it can count from a
 * store only when the store is reachable: exported by name from its module. Then the monitoring
 * file passes a lazy import of that export (sessions.source "store"); with several tenants each
 * session must also carry its tenant where init can see it. Otherwise the count comes from
 * login/logout events, and the note names the store found, why it is not used and the change that
 * switches to it.
 */
export function planSessions(sites: readonly SessionStoreSite[], tenantCount: number): SessionsPlan {
  const events = 'active_user_sessions counts login/logout events (sessions.source "events")';
  const site = sites.find((s) => s.kind === "express-session" && s.variable && s.exported) ?? sites.find((s) => s.kind === "express-session") ?? sites[0];
  if (!site) return { source: "events", note: `no session store found in the app's code: ${events}` };
  const what = site.kind === "express-session" ? "an express-session store" : "the session Map";
  const where = `${site.variable ? `\`${site.variable}\` ` : ""}in ${site.file}`;
  const tenant = tenantPath(site.fields);
  const reachable = Boolean(site.variable && site.exported);
  const tenantKnown = Boolean(tenant) || tenantCount <= 1;
  if (reachable && tenantKnown) {
    const wire: SessionStoreWire = { file: site.file, name: site.variable as string, ...(tenant && tenant !== "tenant" && tenantCount > 1 ? { tenantField: tenant } : {}) };
    const tenantNote = tenantCount > 1 ? `, each session's tenant from "${tenant}"` : "";
    return { source: "store", site, wire, note: `found ${what} ${where}, exported: active_user_sessions is read from it at each scrape (sessions.source "store"${tenantNote}); the monitoring file imports it lazily` };
  }
  const howTo = `pass it as createMonitoring({ sessionSource: ${site.variable ?? "store"} }) and set sessions.source to "store" (docs/tracking.md, Sessions)`;
  const problems = [
    ...(!site.variable ? ["is created inline, not held in a variable"] : site.exported ? [] : ["is not exported"]),
    ...(tenantKnown ? [] : site.kind === "map" && site.fields.length > 0 ? [`holds no tenant in its sessions (${site.fields.join(", ")})`] : ["has no tenant init can see in its sessions"]),
  ];
  const fix = `${reachable ? "" : site.variable ? "export it, " : "hold it in an exported variable, "}${tenantKnown ? "" : 'store the tenant in each session (sessions.tenantField, default "tenant"), '}then ${howTo}`;
  return { source: "events", site, note: `found ${what} ${where}, but it ${problems.join(" and ")}: ${events}; to count from it, ${fix}` };
}
