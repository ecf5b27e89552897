import type { ActorConfig } from "../config/schema.js";
import type { RequestContext } from "./context.js";

/** The request's user as monwire understands it. */
export interface ResolvedActor {
  id: string;
  role?: string;
  segment?: string;
  branch?: string;
  /** Ancestor branch ids, root first. */
  branchPath?: string[];
  /** The user object itself, for rules that read `user.*`. */
  user: object;
}

/** Finds the user object for a request, in code (createMonitoring({ actorResolver })). */
export type ActorResolverFn = (req: unknown, res: unknown) => unknown;

export type ActorLookup = (req: object, res: object) => ResolvedActor | undefined;

const FORBIDDEN = new Set(["__proto__", "constructor", "prototype"]);

function getter(path: string): (value: unknown) => unknown {
  const parts = path.split(".");
  // Decided once: a path through the prototype chain never reads anything.
  if (parts.some((part) => FORBIDDEN.has(part))) return () => undefined;
  return (value) => {
    let current = value;
    for (let i = 0; i < parts.length; i++) {
      if (typeof current !== "object" || current === null) return undefined;
      // Plain reads, not own-property checks: ORMs and session stores hand out users whose fields are class getters.
      current = (current as Record<string, unknown>)[parts[i] as string];
    }
    return current;
  };
}

function text(value: unknown): string | undefined {
  if (typeof value === "string" && value !== "") return value;
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  return undefined;
}

type Place = (req: object, res: object) => unknown;
type Loose = Record<string, unknown>;

/**
 * The default places, read with fixed property names. A route rule looks for the user twice per
 * request, and mostly finds none: the generic getter's computed reads miss through Express's
 * dictionary-mode req and its prototype chain in V8's megamorphic path on each of them, while a
 * named read keeps an inline cache per place. Same results as the generic getter.
 */
const KNOWN_PLACES: Readonly<Record<string, Place>> = {
  "req.user": (req) => (req as Loose).user,
  // `.user` by name, not through inside(): a keyed read with a variable key goes megamorphic.
  "res.locals.user": (_req, res) => {
    const locals = (res as { locals?: unknown }).locals;
    return typeof locals === "object" && locals !== null ? (locals as { user?: unknown }).user : undefined;
  },
  "req.session.user": (req) => {
    const session = (req as { session?: unknown }).session;
    return typeof session === "object" && session !== null ? (session as { user?: unknown }).user : undefined;
  },
};

/**
 * Compiles `actor` from the config once: each `from` place becomes a getter on req or res, each
 * field a getter inside the user. The lookup never throws (a getter that throws means no user).
 */
export function createActorLookup(config: ActorConfig, custom?: ActorResolverFn): ActorLookup {
  const places = config.from.map((place): Place => {
    if (Object.hasOwn(KNOWN_PLACES, place)) return KNOWN_PLACES[place] as Place;
    const [root, ...rest] = place.split(".");
    const get = getter(rest.join("."));
    return root === "res" ? (_req: object, res: object) => get(res) : (req: object) => get(req);
  });
  const id = getter(config.id);
  const role = config.role ? getter(config.role) : undefined;
  const segment = config.segment ? getter(config.segment) : undefined;
  const branch = config.branch ? getter(config.branch) : undefined;
  const parents = config.branchParents ? getter(config.branchParents) : undefined;

  const find = (req: object, res: object): unknown => {
    if (custom) return custom(req, res);
    for (const place of places) {
      const user = place(req, res);
      if (typeof user === "object" && user !== null) return user;
    }
    return undefined;
  };

  return (req, res) => {
    try {
      const user = find(req, res);
      if (typeof user !== "object" || user === null) return undefined;
      const userId = text(id(user));
      if (userId === undefined) return undefined;
      const actor: ResolvedActor = { id: userId, user };
      const r = role && text(role(user));
      if (r) actor.role = r;
      const s = segment && text(segment(user));
      if (s) actor.segment = s;
      const b = branch && text(branch(user));
      if (b) actor.branch = b;
      const p = parents?.(user);
      if (Array.isArray(p)) actor.branchPath = p.map(text).filter((x): x is string => x !== undefined).slice(0, 32);
      return actor;
    } catch {
      return undefined;
    }
  };
}

/**
 * Puts a resolved actor on the request context. What the app set itself (setActor,
 * setContextFields) wins; only empty fields are filled.
 */
export function applyActor(context: RequestContext, actor: ResolvedActor): void {
  if (!context.actor) context.actor = actor.role ? { id: actor.id, role: actor.role, type: "user" } : { id: actor.id, type: "user" };
  if (context.segment === undefined && actor.segment) context.segment = actor.segment;
  if (context.branch === undefined && actor.branch) context.branch = actor.branch;
  if (context.branchPath === undefined && actor.branchPath) context.branchPath = actor.branchPath;
}
