import { IncomingMessage, type IncomingHttpHeaders, type ServerResponse } from "node:http";
import { HTTP_METHODS, ROUTE_UNMATCHED, TENANT_NONE } from "../metrics/catalog.js";
import { runWithContext, type RequestContext } from "./context.js";
import { REQUEST_STATE } from "./error-handler.js";
import type { MonwireMetrics } from "./metrics.js";
import { installRouteAccessors, watchRoute, type RouteWatch } from "./route-template.js";
import type { RequestHooks, RequestState } from "./rules/engine.js";
import type { TenantRequest, TenantResolution } from "./tenant.js";
import { notifyRequestObservers } from "./request-observers.js";
import { createHttpRecorder } from "./http-recorder.js";
import { PROBE_HEADER, ProbeError } from "./probe.js";
import { newRequestId } from "./request-id.js";

/** The Express request fields the middleware reads (Express 4 and 5 both provide them). */
export type MonitoredRequest = IncomingMessage &
  TenantRequest & { ip?: string; baseUrl?: string; route?: unknown; params?: Record<string, unknown> };

export interface MiddlewareOptions {
  metrics: MonwireMetrics;
  tenants: TenantResolution;
  /** The scrape path: requests for it are neither measured nor given a context. */
  metricsPath: string;
  /** When false the middleware only opens the request context (and runs the hooks). */
  measure: boolean;
  /** Recognises `mon check`'s error-handler probe (see probe.ts). */
  isProbe?: (req: IncomingMessage) => boolean;
  /** Route rules, the actor, security signals and sessions (createMonitoring builds them). */
  hooks?: RequestHooks;
}

const METHODS: ReadonlySet<string> = new Set(HTTP_METHODS);
/** What an incoming x-request-id may look like to be reused: bounded, and safe in logs and headers. */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
/** User agents are kept for the audit trail; a longer one is cut, not trusted. */
const USER_AGENT_MAX = 512;
/** Status label for a request whose client went away before any response was sent (nginx's convention). */
export const STATUS_CLIENT_CLOSED = "499";
const CLIENT_CLOSED = Number(STATUS_CLIENT_CLOSED);

/** Status label strings by code, made once: the recorder's lookups then see the same string each time. */
const STATUS_LABELS: string[] = [];

function statusLabel(code: number): string {
  if (!Number.isInteger(code) || code < 0 || code > 999) return String(code);
  return (STATUS_LABELS[code] ??= String(code));
}

export function normalizeMethod(method: string | undefined): string {
  return method && METHODS.has(method) ? method : "_OTHER";
}

export function errorKind(status: number, exception: boolean): "exception" | "server_error" | "client_error" | undefined {
  if (exception) return "exception";
  if (status >= 500) return "server_error";
  if (status >= 400) return "client_error";
  return undefined;
}

export function pickRequestId(header: string | string[] | undefined): string {
  return typeof header === "string" && REQUEST_ID.test(header) ? header : newRequestId();
}

function pathOf(req: MonitoredRequest): string {
  const url = (req as { originalUrl?: string }).originalUrl ?? req.url ?? "/";
  const query = url.indexOf("?");
  return query === -1 ? url : url.slice(0, query);
}

/**
 * Whether a request path reaches the scrape handler mounted at `metricsPath`. Express matches
 * routes case-insensitively and accepts one trailing slash by default (Express 4 and 5 alike), so
 * `/METRICS` and `/metrics/` are scrapes too; the length test keeps ordinary requests cheap.
 */
export function createMetricsPathTest(metricsPath: string): (path: string) => boolean {
  const bare = metricsPath.length > 1 && metricsPath.endsWith("/") ? metricsPath.slice(0, -1) : metricsPath;
  const lower = bare.toLowerCase();
  return (path) => {
    const length = path.length;
    if (length === bare.length) return path === bare || path.toLowerCase() === lower;
    if (length !== bare.length + 1 || path.charCodeAt(length - 1) !== 0x2f) return false;
    return path.slice(0, -1).toLowerCase() === lower;
  };
}

/** The client address Express would report, without paying for its proxy parsing when it cannot matter. */
function clientIp(req: MonitoredRequest, headers: IncomingHttpHeaders): string | undefined {
  // With no X-Forwarded-For, Express's `req.ip` is the socket address whatever `trust proxy` says;
  // only a forwarded request needs Express's (comparatively costly) proxy-addr evaluation.
  if (headers["x-forwarded-for"] === undefined) return req.socket?.remoteAddress;
  return req.ip ?? req.socket?.remoteAddress;
}

/** Everything the finish path needs about one request. */
interface Pending {
  start: bigint;
  method: string | undefined;
  context: RequestContext;
  route: RouteWatch;
  state: RequestState;
  done: boolean;
}

/**
 * Builds the Express 4/5 middleware: opens the request context, times the request with
 * `process.hrtime.bigint()`, and when the response is done — its "close" event, which Node emits
 * exactly once both after a completed response and when the client goes away first — records
 * http_requests_total, http_request_duration_seconds and api_errors_total. Monitoring never breaks
 * a request: every metric update is guarded.
 *
 * Per-request state lives in objects of its own (a closure listener holds it), never as extra
 * properties on the response: under Express, whose prototype swaps keep req and res changing
 * hidden classes, each property added to them costs V8 a map transition and cache misses.
 */
export function createMiddleware(options: MiddlewareOptions) {
  const { metrics, tenants, metricsPath, measure, isProbe, hooks } = options;
  const isMetricsPath = createMetricsPathTest(metricsPath);
  installRouteAccessors(IncomingMessage.prototype);
  // One object for the recorder to read the families through: nothing allocated per request.
  const families = {
    get requests() {
      return metrics.httpRequests;
    },
    get duration() {
      return metrics.httpDuration;
    },
  };
  const recorder = createHttpRecorder(() => families);
  const onError = hooks ? (state: RequestState) => hooks.onError(state) : undefined;

  function record(res: ServerResponse, pending: Pending): void {
    if (pending.done) return;
    pending.done = true;
    const aborted = !res.writableFinished && !res.headersSent;
    const code = aborted ? CLIENT_CLOSED : res.statusCode;
    if (measure) measureRequest(pending, code, aborted ? STATUS_CLIENT_CLOSED : statusLabel(code));
    hooks?.onFinish(pending.state, code, aborted);
  }

  function measureRequest(pending: Pending, code: number, status: string): void {
    try {
      const seconds = Number(process.hrtime.bigint() - pending.start) / 1e9;
      const method = normalizeMethod(pending.method);
      const route = pending.route.template() ?? ROUTE_UNMATCHED;
      const tenant = pending.context.tenant;
      recorder.record(method, route, status, tenant, seconds);
      const kind = errorKind(code, pending.state.exception);
      if (kind) metrics.apiErrors.inc({ method, route, kind, tenant });
    } catch {
      // A broken metric must not break a purchase.
    }
  }

  // `headers` is read once by the caller: on Node 24 `req.headers` is a getter.
  const begin = (req: MonitoredRequest, res: ServerResponse, headers: IncomingHttpHeaders): RequestContext => {
    const start = process.hrtime.bigint();
    const resolved = tenants.resolve(req);
    const context: RequestContext = { requestId: pickRequestId(headers["x-request-id"]), tenant: resolved.tenant };
    if (resolved.raw !== undefined) context.rawTenant = resolved.raw;
    const ip = clientIp(req, headers);
    if (ip) context.ip = ip;
    const userAgent = headers["user-agent"];
    if (userAgent) context.userAgent = userAgent.length > USER_AGENT_MAX ? userAgent.slice(0, USER_AGENT_MAX) : userAgent;

    // One object per request holds the error handler's mark and what the hooks need; every field
    // is set here so all requests share one hidden class.
    const state: RequestState = {
      exception: false, errorHook: onError, req: req as unknown as RequestState["req"], res, context,
      rule: undefined, params: undefined, response: undefined, captured: false, actor: undefined,
    };
    // The first change to req is the route watch: it turns req into a dictionary-mode object (see
    // watchRoute), after which adding the request state is cheap. Only reads come before it.
    // The template also goes on the context: Sentry names events after it, as the metrics do.
    const route: RouteWatch = tenants.dependsOnParams
      ? watchRoute(req, (params) => {
          const template = route.template() as string;
          context.route = template;
          const next = tenants.resolve(req, params);
          // A later route without the param must not erase a tenant an earlier one found.
          if (next.tenant !== TENANT_NONE || context.tenant === TENANT_NONE) {
            context.tenant = next.tenant;
            if (next.raw !== undefined) context.rawTenant = next.raw;
          }
          notifyRequestObservers(context, "route");
          hooks?.onRoute(state, template, params);
        })
      : watchRoute(req, (params) => {
          const template = route.template() as string;
          context.route = template;
          notifyRequestObservers(context, "route");
          hooks?.onRoute(state, template, params);
        });
    (req as unknown as Record<symbol, RequestState>)[REQUEST_STATE] = state;
    res.setHeader("x-request-id", context.requestId);
    notifyRequestObservers(context, "start");
    if (!measure && !hooks) return context;

    const pending: Pending = { start, method: req.method, context, route, state, done: false };
    res.on("close", () => record(res, pending));
    return context;
  };

  return function monwireMiddleware(req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void): void {
    const request = req as MonitoredRequest;
    // One property read for ordinary requests; the token is only compared when the header is there.
    const headers = req.headers;
    if (headers[PROBE_HEADER] !== undefined && isProbe?.(req)) {
      res.setHeader(PROBE_HEADER, "started");
      return next(new ProbeError());
    }
    if (isMetricsPath(pathOf(request))) return next();
    let context: RequestContext | undefined;
    try {
      context = begin(request, res, headers);
    } catch {
      context = undefined;
    }
    if (context) runWithContext(context, next);
    else next();
  };
}
