import type { SentryConfig } from "../../config/schema.js";
import { scrubBreadcrumb, scrubEvent, scrubSpan } from "./scrub.js";
import { getRequestContext } from "../context.js";
import { categorizeError, contextTags, contextUser } from "./tags.js";
import { countingTransport } from "./transport.js";
import { policyTransport } from "./envelope-policy.js";
import type { SentrySdk } from "./sdk.js";
import { withDedupe } from "./dedupe.js";
import { isProbeError } from "../probe.js";
import { createTracesSampler } from "./traces.js";
import { applyUserPolicy, applyUserPolicyToSpan } from "./user-policy.js";

/** What initSentry resolved at startup from the environment and the project (see settings.ts). */
export interface ResolvedSettings {
  environment: string;
  release?: string;
  tracesRate: number;
  metricsPath: string;
  /** Extra integrations monwire adds (the profiler when `sentry.profiling` is on). */
  integrations?: Array<{ name: string }>;
  profilesSampleRate?: number;
}

/**
 * SDK 11 collects user info, cookies, headers, query strings and bodies unless told otherwise
 * (its `dataCollection` defaults are permissive and `sendDefaultPii` is gone). monwire spells out
 * the restrictive choice for every category instead of relying on any default.
 */
export const RESTRICTIVE_DATA_COLLECTION = {
  userInfo: false,
  cookies: false,
  httpHeaders: {
    request: { allow: ["content-type", "content-length", "accept", "user-agent", "x-request-id"] },
    response: { allow: ["content-type", "content-length"] },
  },
  httpBodies: [],
  urlQueryParams: false,
  graphQL: { document: true, variables: false },
  genAI: { inputs: false, outputs: false },
  mcp: { inputs: false, outputs: false },
  databaseQueryData: false,
  queues: false,
  stackFrameVariables: false,
  frameContextLines: 5,
} as const;

/**
 * Privacy options per SDK major. SDK 10 knows `sendDefaultPii` (false is restrictive there);
 * later 10.x releases also read `dataCollection`, and when both are set it wins, which is why
 * both are passed: early 10.x ignore the unknown key and still get sendDefaultPii: false.
 */
export function privacyOptions(major: number): Record<string, unknown> {
  if (major <= 10) return { sendDefaultPii: false, dataCollection: RESTRICTIVE_DATA_COLLECTION };
  return { dataCollection: RESTRICTIVE_DATA_COLLECTION };
}

/**
 * SDK 11 only calls a beforeSendSpan that matches its trace lifecycle: plain functions for the
 * default "stream", functions marked with withStaticSpan for "static". SDK 10 calls plain ones.
 */
function spanHook<F extends (...args: never[]) => unknown>(sdk: SentrySdk, lifecycle: unknown, hook: F): F {
  return lifecycle === "static" && sdk.withStaticSpan ? sdk.withStaticSpan(hook) : hook;
}

interface EventLike {
  tags?: Record<string, unknown>;
  user?: Record<string, unknown>;
  contexts?: Record<string, unknown>;
  transaction?: string;
  request?: { method?: string; url?: string };
}

function pathOf(url: string): string {
  try {
    return new URL(url, "http://localhost").pathname;
  } catch {
    return url.split("?")[0] ?? url;
  }
}

/**
 * Adds the request-context tags and the error category (keeping tags the app set itself), and
 * names the event after monwire's route template when one matched, the same name the metrics
 * use. The SDK's own name is only as good as its instrumentation of the app's Express copy;
 * without it, it falls back to the concrete URL (`POST /api/wallets/5/deposit`).
 */
export function tagEvent<E extends EventLike>(event: E, originalException: unknown): E & { tags: Record<string, unknown> } {
  const context = getRequestContext();
  const method = (event.request?.method ?? event.transaction?.split(" ")[0] ?? "").toUpperCase();
  const transaction = context?.route && method ? `${method} ${context.route}` : event.transaction;
  const route = transaction ?? (event.request?.url ? `${method} ${pathOf(event.request.url)}` : undefined);
  const tags: Record<string, unknown> = { ...contextTags(context), error_category: categorizeError(originalException, route) };
  // The app's own Sentry.setUser wins; monwire fills the user only when the event has none.
  const user = event.user?.id === undefined ? contextUser(context) : undefined;
  const branch = context?.branch ? { branch: { id: context.branch, ...(context.branchPath ? { parents: context.branchPath } : {}) } } : undefined;
  return {
    ...event,
    ...(transaction ? { transaction } : {}),
    ...(user ? { user: { ...event.user, ...user } } : {}),
    ...(branch ? { contexts: { ...branch, ...event.contexts } } : {}),
    tags: { ...tags, ...event.tags },
  };
}

/**
 * The Sentry.init options monwire owns: DSN, environment/release/sampling from mon.config.json,
 * privacy defaults, the scrubber and tags in every before* hook, and the counting transport.
 * `extra` (from initSentry's `sentryOptions`) may add integrations, override a privacy or config
 * choice on purpose, or bring its own hooks and transport; its hooks run first and monwire's
 * after them, so nothing an app adds can bypass the scrubber or the envelope counter. The DSN
 * always comes from the validated env var.
 */
export function buildInitOptions(sdk: SentrySdk, major: number, dsn: string, config: SentryConfig, extra: Record<string, unknown> = {}, resolved?: ResolvedSettings): Record<string, unknown> {
  type Hook = (value: unknown, hint?: unknown) => unknown;
  const chain = (own: Hook | undefined, mine: (value: never, hint?: { originalException?: unknown }) => unknown): Hook =>
    (value, hint) => {
      if (!own) return mine(value as never, hint as never);
      const result = own(value, hint);
      if (result && typeof (result as PromiseLike<unknown>).then === "function") {
        return Promise.resolve(result).then((v) => (v === null ? null : mine(v as never, hint as never)));
      }
      return result === null ? null : mine(result as never, hint as never);
    };
  const { beforeSend, beforeSendTransaction, beforeSendSpan, beforeBreadcrumb, transport, dsn: _ignored, integrations, ...rest } = extra as Record<string, Hook | undefined>;
  const settings: ResolvedSettings = resolved ?? {
    environment: config.environment ?? "production",
    ...(config.release ? { release: config.release } : {}),
    tracesRate: config.tracesSampleRate ?? 0,
    metricsPath: "/metrics",
  };
  // An older config object (built in code, not loaded) may lack the field: restrictive then.
  const pii = config.pii ?? "none";
  const policy = { sendUserIp: config.pii === "ip" || config.pii === "ip+email", sendUserAgent: config.sendUserAgent };
  // At rate 0 no sampler is installed: the SDK then skips the per-request sampling call entirely.
  const tracing = settings.tracesRate > 0
    ? { tracesSampler: createTracesSampler({ rate: settings.tracesRate, metricsPath: settings.metricsPath, ignorePaths: config.tracesIgnorePaths }) }
    : { tracesSampleRate: 0 };
  const ownIntegrations = integrations as unknown as Parameters<typeof withDedupe>[0];
  const added = settings.integrations ?? [];
  const withAdded: Parameters<typeof withDedupe>[0] = added.length === 0 ? ownIntegrations
    : (defaults) => [...(typeof ownIntegrations === "function" ? ownIntegrations(defaults) : [...defaults, ...(ownIntegrations ?? [])]), ...added];
  const chosenIntegrations = withDedupe(withAdded, config.dedupe);
  return {
    ...privacyOptions(major),
    environment: settings.environment,
    ...(settings.release ? { release: settings.release } : {}),
    sampleRate: config.sampleRate,
    ...tracing,
    ...(settings.profilesSampleRate !== undefined ? { profileSessionSampleRate: settings.profilesSampleRate, profileLifecycle: "trace" } : {}),
    ...(chosenIntegrations ? { integrations: chosenIntegrations } : {}),
    ...rest,
    dsn,
    transport: (options: unknown) => countingTransport(policyTransport(((transport as Hook | undefined) ?? ((o: unknown) => sdk.makeNodeTransport(o)))(options) as ReturnType<SentrySdk["makeNodeTransport"]>, pii, policy.sendUserAgent)),
    beforeSend: chain(beforeSend, (event: EventLike, hint) => isProbeError(hint?.originalException) ? null : scrubEvent(applyUserPolicy(tagEvent(event, hint?.originalException), getRequestContext(), policy), pii)),
    // SDK 11 ignores beforeSendTransaction (and warns about it) unless traces are "static".
    ...(major <= 10 || (rest as Record<string, unknown>).traceLifecycle === "static"
      ? { beforeSendTransaction: chain(beforeSendTransaction, (event: EventLike) => scrubEvent(applyUserPolicy({ ...event, tags: { ...contextTags(), ...event.tags } }, getRequestContext(), policy), pii)) }
      : {}),
    beforeSendSpan: spanHook(sdk, (rest as Record<string, unknown>).traceLifecycle, chain(beforeSendSpan, (span: object) => scrubSpan(applyUserPolicyToSpan(span as Record<string, unknown>, policy), pii))),
    beforeBreadcrumb: chain(beforeBreadcrumb, (crumb: object) => scrubBreadcrumb(crumb, pii)),
  };
}
