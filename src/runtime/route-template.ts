/**
 * Route labels: the matched route template, never the concrete URL, so the label set stays as
 * small as the app's route table.
 *
 * Express gives `req.baseUrl + req.route.path`, but reading them when the response finishes is
 * wrong in two cases: after `next(err)` leaves a nested router, Express has already restored
 * `req.baseUrl` to the parent's value (the label would lose its prefix); and `req.baseUrl` holds the
 * concrete mount path (`/shops/eur`), not its template (`/shops/:shop`). So the middleware watches
 * the two assignments Express makes (`req.baseUrl = …` on entering a router, `req.route = …` on
 * dispatching a route) and records the template at that moment, when everything is still right.
 */

/** What Express keeps in `route.path`: a string, or in Express 4/5 also an array or a RegExp. */
export function stringifyRoutePath(path: unknown): string {
  if (typeof path === "string") return path;
  if (path instanceof RegExp) return String(path);
  if (Array.isArray(path)) return path.map(stringifyRoutePath).join("|");
  return String(path);
}

/** Joins a router's template with a route path; a router's own "/" route is labelled by the router. */
export function joinRoute(base: string, path: string): string {
  if (base === "") return path === "" ? "/" : path;
  if (path === "/" || path === "") return base;
  return base.endsWith("/") && path.startsWith("/") ? base + path.slice(1) : base + path;
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/**
 * Turns the concrete part a mount consumed (`/shops/eur`) back into a template using the mount's
 * params (`{shop: "eur"}` → `/shops/:shop`). Wildcard params (Express 5 `*splat`, an array of
 * segments) become `*name`.
 */
export function templatizeMountPath(concrete: string, params: Record<string, unknown> | undefined): string {
  if (!params) return concrete;
  const entries = Object.entries(params);
  if (entries.length === 0) return concrete;
  const segments = concrete.split("/");
  const out: string[] = [];
  for (let i = 0; i < segments.length; ) {
    const segment = decode(segments[i] as string);
    const match = segment === "" ? undefined : entries.find(([, value]) => matchesAt(value, segments, i));
    if (!match) {
      out.push(segments[i] as string);
      i += 1;
      continue;
    }
    const [key, value] = match;
    out.push(Array.isArray(value) ? `*${key}` : `:${key}`);
    i += Array.isArray(value) ? value.length : 1;
  }
  return out.join("/");
}

function matchesAt(value: unknown, segments: string[], index: number): boolean {
  if (typeof value === "string") return value === decode(segments[index] as string);
  if (!Array.isArray(value) || value.length === 0) return false;
  return value.every((part, offset) => part === decode(segments[index + offset] ?? "\u0000"));
}

/** Express's route object, as far as labels care. */
interface RouteLike {
  path?: unknown;
}

interface WatchedRequest {
  baseUrl?: string;
  route?: unknown;
  params?: Record<string, unknown>;
}

export interface RouteWatch {
  /** The template of the last dispatched route, or undefined when no route matched. */
  template(): string | undefined;
}

/** Per-request watch state, kept under a symbol on the request. */
class RouteState implements RouteWatch {
  baseUrl: string;
  route: unknown;
  private routeTemplate: string | undefined;
  // Concrete baseUrl → template, filled as routers are entered; restores hit known entries.
  private bases: Map<string, string> | undefined;
  private mountParams: Record<string, unknown> | undefined;

  constructor(
    private readonly req: WatchedRequest,
    private readonly onRoute: ((params: Record<string, unknown>) => void) | undefined,
  ) {
    this.baseUrl = req.baseUrl ?? "";
    this.route = req.route;
  }

  template(): string | undefined {
    return this.routeTemplate;
  }

  private baseTemplate(concrete: string): string {
    return concrete === "" ? "" : (this.bases?.get(concrete) ?? concrete);
  }

  setBaseUrl(next: string): void {
    if (typeof next === "string" && next !== "" && !this.bases?.has(next)) {
      this.bases ??= new Map();
      const parent = next.startsWith(this.baseUrl) ? this.baseUrl : "";
      const params = this.req.params;
      this.bases.set(next, this.baseTemplate(parent) + templatizeMountPath(next.slice(parent.length), params));
      if (params && Object.keys(params).length > 0) this.mountParams = { ...this.mountParams, ...params };
    }
    this.baseUrl = next;
  }

  setRoute(next: unknown): void {
    this.route = next;
    if (!next || typeof next !== "object") return;
    this.routeTemplate = joinRoute(this.baseTemplate(this.baseUrl), stringifyRoutePath((next as RouteLike).path));
    const params = this.req.params ?? {};
    this.onRoute?.(this.mountParams ? { ...this.mountParams, ...params } : params);
  }
}

const STATE = Symbol("monwire.routeWatch");
type Watched = WatchedRequest & { [STATE]: RouteState };

// One shared getter/setter pair for every request: per-request closures would give each request
// object its own hidden class in V8, which costs several microseconds per request.
const BASE_URL: PropertyDescriptor = {
  configurable: true,
  enumerable: true,
  get(this: Watched) {
    return this[STATE].baseUrl;
  },
  set(this: Watched, next: string) {
    this[STATE].setBaseUrl(next);
  },
};
const ROUTE: PropertyDescriptor = {
  configurable: true,
  enumerable: true,
  get(this: Watched) {
    return this[STATE].route;
  },
  set(this: Watched, next: unknown) {
    this[STATE].setRoute(next);
  },
};

/**
 * Installs the two watchers on `req`. `onRoute` runs each time Express dispatches a route, with the
 * params at that moment (a route dispatch sets params before calling the handlers), merged with the
 * params of every router mount on the way (so a tenant in a mount path is found without mergeParams).
 */
export function watchRoute(req: WatchedRequest, onRoute?: (params: Record<string, unknown>) => void): RouteWatch {
  const state = new RouteState(req, onRoute);
  // Redefining baseUrl, which Express has already set as a plain property, turns the request into
  // a dictionary-mode object in V8. That is a net gain under Express 5, whose prototype swaps and
  // property additions otherwise keep the request's hidden class unstable and its property loads
  // missing their caches (measured: about a tenth fewer instructions per request). It also makes
  // every later addition cheap, so the state goes on after the accessors, not before.
  Object.defineProperty(req, "baseUrl", BASE_URL);
  Object.defineProperty(req, "route", ROUTE);
  (req as Watched)[STATE] = state;
  return state;
}
