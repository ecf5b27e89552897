/**
 * Which requests become traces. The scrape path, health checks and CORS preflights are never
 * traced: a Prometheus scrape every 15 s per instance would otherwise outnumber the shop's real
 * traffic in the trace quota, and none of them says anything about a purchase.
 */
export interface SamplingContext {
  name?: string;
  attributes?: Record<string, unknown>;
  parentSampled?: boolean;
  normalizedRequest?: { url?: string; method?: string };
  inheritOrSampleWith?: (fallback: number) => number;
}

/** Last path segments that mark a liveness/readiness probe. */
const HEALTH = /(?:^|\/)(?:health|healthz|healthcheck|health-check|ready|readyz|readiness|live|livez|liveness|ping|heartbeat)\/?$/i;
const UNTRACED_METHODS = new Set(["OPTIONS", "HEAD"]);

const text = (value: unknown): string | undefined => (typeof value === "string" && value !== "" ? value : undefined);

function pathOf(url: string): string {
  try {
    return new URL(url, "http://localhost").pathname;
  } catch {
    return url.split("?")[0] ?? url;
  }
}

/** The method and path a sampling decision is about, from whichever fields this SDK version fills. */
export function describeSampled(context: SamplingContext): { method?: string; path?: string } {
  const a = context.attributes ?? {};
  const [nameMethod, namePath] = (context.name ?? "").split(" ", 2);
  const method = text(a["http.request.method"]) ?? text(a["http.method"]) ?? text(context.normalizedRequest?.method) ?? (namePath ? nameMethod : undefined);
  const url = text(context.normalizedRequest?.url) ?? text(a["url.path"]) ?? text(a["http.target"]) ?? text(a["url.full"]) ?? text(a["http.url"]) ?? text(namePath);
  return { ...(method ? { method: method.toUpperCase() } : {}), ...(url ? { path: pathOf(url) } : {}) };
}

export interface SamplerOptions {
  rate: number;
  metricsPath: string;
  ignorePaths: readonly string[];
}

/** Builds the tracesSampler passed to Sentry.init (SDK 10 and 11 call it with the same shape). */
export function createTracesSampler(options: SamplerOptions): (context: SamplingContext) => number {
  const ignored = new Set([options.metricsPath, ...options.ignorePaths]);
  return (context) => {
    const { method, path } = describeSampled(context);
    if (method && UNTRACED_METHODS.has(method)) return 0;
    if (path && (ignored.has(path) || HEALTH.test(path))) return 0;
    // A caller that already decided (a traced upstream service) keeps its trace whole.
    if (context.inheritOrSampleWith) return context.inheritOrSampleWith(options.rate);
    if (context.parentSampled !== undefined) return context.parentSampled ? 1 : 0;
    return options.rate;
  };
}
