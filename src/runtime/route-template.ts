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

function hasKeys(object: Record<string, unknown>): boolean {
  for (const _ in object) return true;
  return false;
}

function hasParams(params: Record<string, unknown> | undefined): boolean {
  return params !== undefined && params !== null && hasKeys(params);
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
  if (!params || !hasKeys(params)) return concrete;
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
  baseUrl: string | undefined;
  route: unknown;
  /** False while nothing watches (a request the shared accessors saw before any middleware): values are only kept. */
  private watching = false;
  private onRoute: ((params: Record<string, unknown>) => void) | undefined;
  private routeTemplate: string | undefined;
  // Concrete baseUrl → template, filled as routers are entered; restores hit known entries.
  private bases: Map<string, string> | undefined;
  private mountParams: Record<string, unknown> | undefined;

  constructor(
    private readonly req: WatchedRequest,
    baseUrl: string | undefined,
    route: unknown,
  ) {
    this.baseUrl = baseUrl;
    this.route = route;
  }

  /** Starts (or restarts, for a second middleware) watching from the request's current values. */
  watch(onRoute: ((params: Record<string, unknown>) => void) | undefined): this {
    this.watching = true;
    this.onRoute = onRoute;
    this.routeTemplate = undefined;
    this.bases = undefined;
    this.mountParams = undefined;
    return this;
  }

  template(): string | undefined {
    return this.routeTemplate;
  }

  private baseTemplate(concrete: string | undefined): string {
    return concrete === "" || concrete === undefined ? "" : (this.bases?.get(concrete) ?? concrete);
  }

  /** Whether `next`'s template is already answered by baseTemplate(). */
  private knows(next: string): boolean {
    return this.bases === undefined ? !hasParams(this.req.params) : this.bases.has(next);
  }

  setBaseUrl(next: string): void {
    // Without params and without a templated parent the mount is its own template (nothing to
    // keep): Express reassigns baseUrl on every layer it passes, so this is the common case.
    if (this.watching && typeof next === "string" && next !== "" && !this.knows(next)) {
      const current = this.baseUrl ?? "";
      const parent = next.startsWith(current) ? current : "";
      const params = this.req.params;
      const template = this.baseTemplate(parent) + templatizeMountPath(next.slice(parent.length), params);
      // A mount without params under untemplated parents is its own template, which
      // baseTemplate() answers without an entry: most requests never allocate the map.
      if (template !== next) (this.bases ??= new Map()).set(next, template);
      if (params && hasKeys(params)) this.mountParams = { ...this.mountParams, ...params };
    }
    this.baseUrl = next;
  }

  setRoute(next: unknown): void {
    this.route = next;
    if (!this.watching || !next || typeof next !== "object") return;
    this.routeTemplate = templateOf(next as RouteLike, this.baseTemplate(this.baseUrl));
    const params = this.req.params ?? {};
    this.onRoute?.(this.mountParams ? { ...this.mountParams, ...params } : params);
  }
}

/** Per route object, the template last joined for a base: the same string object request after request. */
const joined = new WeakMap<object, { base: string; template: string }>();

/**
 * The route's template under `base`. Express dispatches the same route objects for the life of the
 * app, so the joined string is kept with the route: no concatenation per request, and the label
 * value is one string object, whose hash the metric lookups compute once.
 */
function templateOf(route: RouteLike, base: string): string {
  const cached = joined.get(route);
  if (cached !== undefined && cached.base === base) return cached.template;
  const template = joinRoute(base, stringifyRoutePath(route.path));
  joined.set(route, { base, template });
  return template;
}

const STATE = Symbol("monwire.routeWatch");
type Watched = WatchedRequest & { [STATE]?: RouteState };

/** The state behind the shared accessors, created on the request's first assignment. */
function stateOf(req: Watched): RouteState {
  let state = req[STATE];
  if (state === undefined) {
    state = new RouteState(req, undefined, undefined);
    req[STATE] = state;
  }
  return state;
}

// One getter/setter pair for every request. Installed once on Node's IncomingMessage.prototype
// (see installRouteAccessors), they catch Express's own `req.baseUrl = …` from the first one on:
// the request never gets `baseUrl` or `route` as properties of its own, so its hidden class stays
// the one plain Express gives it. Per-request closures would give each request its own class.
const BASE_URL: PropertyDescriptor = {
  configurable: true,
  get(this: Watched) {
    return this[STATE]?.baseUrl;
  },
  set(this: Watched, next: string) {
    stateOf(this).setBaseUrl(next);
  },
};
const ROUTE: PropertyDescriptor = {
  configurable: true,
  get(this: Watched) {
    return this[STATE]?.route;
  },
  set(this: Watched, next: unknown) {
    stateOf(this).setRoute(next);
  },
};

let sharedPrototype: object | undefined;

/**
 * Whether this Node's V8 is better served by the shared accessors. Measured with the middleware
 * bench: on Node 24 accessors on each request cost about 20 µs a request (they make it a
 * dictionary-mode object); on Node 20 the dictionary-mode request is cheaper than Express 5's
 * unsettled hidden classes, and the shared accessors cost about a quarter more instructions per
 * request. Node 22 has not been measured and keeps the Node 20 behaviour.
 */
export const SHARED_ROUTE_ACCESSORS = Number(process.versions.node.split(".")[0]) >= 24;

/**
 * On Node 24 and later (SHARED_ROUTE_ACCESSORS), puts the two watchers on Node's
 * IncomingMessage.prototype, which every Express 4 and 5 request
 * inherits from whatever prototype swaps the apps make. Until then (and for a request that already
 * has the properties of its own, or is not an IncomingMessage) watchRoute falls back to
 * accessors on the request itself. Idempotent; the accessors behave like plain properties for
 * requests no middleware watches.
 */
export function installRouteAccessors(prototype: object): void {
  if (sharedPrototype || !SHARED_ROUTE_ACCESSORS) return;
  if (Object.getOwnPropertyDescriptor(prototype, "baseUrl") || Object.getOwnPropertyDescriptor(prototype, "route")) return;
  Object.defineProperty(prototype, "baseUrl", BASE_URL);
  Object.defineProperty(prototype, "route", ROUTE);
  sharedPrototype = prototype;
}

/** Whether the shared accessors see this request's assignments. */
function sharesAccessors(req: WatchedRequest): boolean {
  if (!sharedPrototype || !Object.prototype.isPrototypeOf.call(sharedPrototype, req)) return false;
  return !Object.prototype.hasOwnProperty.call(req, "baseUrl") && !Object.prototype.hasOwnProperty.call(req, "route");
}

/**
 * Installs the two watchers on `req`. `onRoute` runs each time Express dispatches a route, with the
 * params at that moment (a route dispatch sets params before calling the handlers), merged with the
 * params of every router mount on the way (so a tenant in a mount path is found without mergeParams).
 */
export function watchRoute(req: WatchedRequest, onRoute?: (params: Record<string, unknown>) => void): RouteWatch {
  // Fast path: the shared accessors already hold this request's state (Express assigned baseUrl).
  const shared = (req as Watched)[STATE];
  if (shared !== undefined && sharedPrototype) return shared.watch(onRoute);
  if (sharesAccessors(req)) return stateOf(req as Watched).watch(onRoute);
  const state = new RouteState(req, req.baseUrl ?? "", req.route).watch(onRoute);
  // Redefining baseUrl on the request itself turns it into a dictionary-mode object in V8: on
  // Node 20 that even saves instructions under Express 5, on Node 24 it costs about 20 µs a
  // request, which is why the shared accessors above come first there.
  Object.defineProperty(req, "baseUrl", { ...BASE_URL, enumerable: true });
  Object.defineProperty(req, "route", { ...ROUTE, enumerable: true });
  (req as Watched)[STATE] = state;
  return state;
}
