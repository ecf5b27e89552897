import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { Registry, type MetricObjectWithValues, type MetricValue, type RegistryContentType } from "prom-client";
import { CATALOG } from "../metrics/catalog.js";
import type { MonwireMetrics } from "./metrics.js";

export type ExpositionFormat = "text" | "openmetrics";

/** The user-supplied database check: true when the database answers. */
export type DatabaseProbe = () => boolean | Promise<boolean>;

export interface MetricsHandlerOptions {
  metrics: MonwireMetrics;
  /** The bearer token scrapers must send; undefined or empty means no auth. */
  token?: string;
  databaseProbe?: DatabaseProbe;
  /** How long the probe may take before database_up is reported as 0. */
  probeTimeoutMs: number;
  /** Runs before each render (createMonitoring probes monitored databases here, with their pool gauges). */
  beforeRender?: () => Promise<void>;
  /** Families to leave out of this scrape; by default the database ones unless `databaseProbe` is given. */
  exclude?: () => ReadonlySet<string>;
  /** Runs before each render (active_user_sessions from the session store, idle-session expiry); never fails the scrape. */
  collect?: () => void | Promise<void>;
}

/** Catalog families that mean something only when the app has a database wired. */
export const DATABASE_FAMILY_NAMES: readonly string[] = CATALOG.filter((e) => "requires" in e && e.requires === "database").map((e) => e.name);

export const CONTENT_TYPES: Record<ExpositionFormat, RegistryContentType> = {
  text: Registry.PROMETHEUS_CONTENT_TYPE,
  openmetrics: Registry.OPENMETRICS_CONTENT_TYPE,
};

/**
 * Picks the exposition format from an Accept header. OpenMetrics is served only when the client
 * prefers it at least as much as plain text (Prometheus sends it first, with a higher q).
 */
export function negotiateFormat(accept: string | undefined): ExpositionFormat {
  if (!accept) return "text";
  let openMetrics = 0;
  let text = 0;
  for (const range of accept.split(",")) {
    const [type = "", ...params] = range.split(";").map((part) => part.trim().toLowerCase());
    const qParam = params.find((p) => p.startsWith("q="));
    const q = qParam ? Number(qParam.slice(2)) : 1;
    if (!Number.isFinite(q)) continue;
    if (type === "application/openmetrics-text") openMetrics = Math.max(openMetrics, q);
    else if (type === "text/plain" || type === "text/*" || type === "*/*") text = Math.max(text, q);
  }
  return openMetrics > 0 && openMetrics >= text ? "openmetrics" : "text";
}

const digest = (value: string) => createHash("sha256").update(value).digest();

/**
 * Compares the presented bearer token with the expected one in constant time: both sides are
 * hashed first, so neither the content nor the length of the secret leaks through timing.
 */
export function checkBearer(authorization: string | undefined, expected: Buffer): "ok" | "missing" | "invalid" {
  const match = authorization ? /^Bearer\s+(\S+)\s*$/i.exec(authorization) : null;
  if (!match) return "missing";
  return timingSafeEqual(digest(match[1] as string), expected) ? "ok" : "invalid";
}

/** Runs the probe against a timer: a hung database yields 0 instead of a hung scrape. */
export async function probeDatabase(probe: DatabaseProbe, timeoutMs: number): Promise<0 | 1> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    const up = await Promise.race([Promise.resolve().then(probe), timeout]);
    return up === true ? 1 : 0;
  } catch {
    return 0;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Renders the registry in the requested format. prom-client renders OpenMetrics by renaming
 * counters in place (it strips `_total` from the metric object), which would corrupt every later
 * text scrape; so the OpenMetrics render registers per-scrape views (`Object.create(counter)`) that
 * take the rename while sharing the counter's values.
 */
export function renderMetrics(registry: Registry, format: ExpositionFormat, exclude: ReadonlySet<string> = new Set()): Promise<string> {
  // prom-client's typings bind a registry to one content type; this view is set per scrape.
  const view = new Registry() as unknown as Registry<RegistryContentType>;
  view.setContentType(CONTENT_TYPES[format]);
  for (const metric of registry.getMetricsAsArray()) {
    if (exclude.has(metric.name)) continue;
    const registered = format === "openmetrics" && String(metric.type) === "counter" ? Object.create(metric) : metric;
    view.registerMetric(registered);
  }
  return view.metrics();
}

export function send(res: ServerResponse, status: number, headers: Record<string, string>, body: string, head: boolean): void {
  res.statusCode = status;
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.setHeader("Cache-Control", "no-store");
  res.end(head ? undefined : body);
}

/** Families left out of a scrape: without a probe the truth about the database is unknown, and 0 would page someone. */
function defaultExclude(databaseProbe: DatabaseProbe | undefined): () => ReadonlySet<string> {
  const fixed = new Set<string>(databaseProbe ? DATABASE_FAMILY_NAMES.filter((n) => n !== "database_up") : DATABASE_FAMILY_NAMES);
  return () => fixed;
}

/** What every scrape does before rendering: the database probes, then the collectors (sessions). */
async function prepareScrape(options: Omit<MetricsHandlerOptions, "token">): Promise<void> {
  const { metrics, databaseProbe, probeTimeoutMs, beforeRender, collect } = options;
  if (databaseProbe) metrics.databaseUp.set(await probeDatabase(databaseProbe, probeTimeoutMs));
  if (beforeRender) await beforeRender();
  if (collect) await Promise.resolve().then(collect).catch(() => undefined);
}

/**
 * This process's metrics as plain JSON (what a cluster primary or a sibling aggregates): the same
 * preparation and the same families as a scrape of this process.
 */
export function createMetricsCollector(options: Omit<MetricsHandlerOptions, "token">) {
  const exclude = options.exclude ?? defaultExclude(options.databaseProbe);
  return async function collectMetrics(): Promise<MetricObjectWithValues<MetricValue<string>>[]> {
    await prepareScrape(options);
    const skip = exclude();
    return (await options.metrics.registry.getMetricsAsJSON()).filter((metric) => !skip.has(metric.name));
  };
}

/**
 * The HTTP side every scrape endpoint shares (one process, or a cluster's aggregate): GET/HEAD
 * only, the bearer token when one is set (digested once, here), and a 500 instead of a hung
 * request when rendering fails. `render` produces the body and its content type.
 */
export function createScrapeEndpoint(token: string | undefined, render: (req: IncomingMessage) => Promise<{ body: string; contentType: string }>) {
  const expected = token ? digest(token) : undefined;
  const serve = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const head = req.method === "HEAD";
    if (req.method !== "GET" && !head) {
      return send(res, 405, { Allow: "GET, HEAD", "Content-Type": "text/plain; charset=utf-8" }, "method not allowed\n", false);
    }
    if (expected) {
      const verdict = checkBearer(req.headers.authorization, expected);
      if (verdict !== "ok") {
        const challenge = verdict === "invalid" ? 'Bearer realm="metrics", error="invalid_token"' : 'Bearer realm="metrics"';
        return send(res, 401, { "WWW-Authenticate": challenge, "Content-Type": "text/plain; charset=utf-8" }, "unauthorized\n", head);
      }
    }
    const { body, contentType } = await render(req);
    send(res, 200, { "Content-Type": contentType }, body, head);
  };
  return function monwireMetricsHandler(req: IncomingMessage, res: ServerResponse): void {
    serve(req, res).catch(() => {
      if (!res.headersSent) send(res, 500, { "Content-Type": "text/plain; charset=utf-8" }, "metrics unavailable\n", false);
      else res.destroy();
    });
  };
}

/**
 * Builds the scrape handler; it works as Express route handler and as a plain `http` handler.
 * Everything decidable at setup (auth on or off, probe present) is decided here, once.
 */
export function createMetricsHandler(options: MetricsHandlerOptions) {
  const exclude = options.exclude ?? defaultExclude(options.databaseProbe);
  return createScrapeEndpoint(options.token, async (req) => {
    await prepareScrape(options);
    const format = negotiateFormat(req.headers.accept);
    return { body: await renderMetrics(options.metrics.registry, format, exclude()), contentType: CONTENT_TYPES[format] };
  });
}
