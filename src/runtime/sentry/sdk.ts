/**
 * The slice of @sentry/node that monwire uses, typed structurally so that monwire's published
 * types never depend on the (optional, peer) SDK, and so one code path serves SDK 10 and 11.
 */
export interface SentryScope {
  setTag(key: string, value: string): unknown;
  setTransactionName?(name?: string): unknown;
  /** SDK 11 (and late 10.x): scope attributes, copied onto every streamed span. */
  setAttribute?(key: string, value: string): unknown;
  setUser?(user: Record<string, string> | null): unknown;
  getUser?(): { id?: unknown } | undefined;
}

export interface SentryTransportResponse {
  statusCode?: number;
  headers?: Record<string, string | null | undefined>;
}

export interface SentryTransport {
  send(envelope: unknown): PromiseLike<SentryTransportResponse>;
  flush(timeout?: number): PromiseLike<boolean>;
}

export interface SentryBreadcrumb {
  type?: string;
  category?: string;
  message?: string;
  level?: string;
  data?: Record<string, unknown>;
  timestamp?: number;
}

export interface SentrySdk {
  SDK_VERSION: string;
  init(options: Record<string, unknown>): unknown;
  makeNodeTransport(options: unknown): SentryTransport;
  captureException(error: unknown, hint?: Record<string, unknown>): string;
  withScope<T>(callback: (scope: SentryScope) => T): T;
  addBreadcrumb(breadcrumb: SentryBreadcrumb): void;
  flush(timeout?: number): PromiseLike<boolean>;
  close(timeout?: number): PromiseLike<boolean>;
  /** The per-request scope the SDK's HTTP instrumentation forks for each incoming request. */
  getIsolationScope?(): SentryScope;
  /** SDK 11: marks a beforeSendSpan callback for traceLifecycle "static". */
  withStaticSpan?<F>(callback: F): F;
}

export interface ActiveSentry {
  sdk: SentrySdk;
  /** Major version of the loaded SDK (10, 11, …). */
  major: number;
}

let active: ActiveSentry | undefined;

/** The initialised SDK, or undefined while Sentry is off (no DSN, invalid DSN, not installed). */
export function getActiveSentry(): ActiveSentry | undefined {
  return active;
}

export function setActiveSentry(value: ActiveSentry | undefined): void {
  active = value;
}

/** Loads @sentry/node lazily: it is heavy and optional, so apps without a DSN never pay for it. */
export async function loadSentrySdk(): Promise<{ sdk: SentrySdk; major: number } | { missing: true; cause: unknown }> {
  try {
    const sdk = (await import("@sentry/node")) as unknown as SentrySdk;
    const major = Number.parseInt(String(sdk.SDK_VERSION).split(".")[0] ?? "", 10);
    return { sdk, major: Number.isFinite(major) ? major : 0 };
  } catch (cause) {
    // Only the SDK itself missing counts as "not installed"; a broken install (one of its own
    // dependencies missing) is reported with the loader's message.
    const { code, message } = cause as { code?: string; message?: string };
    const notFound = code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND";
    if (notFound && /Cannot find (?:package|module) '@sentry\/node'/.test(message ?? "")) return { missing: true, cause };
    throw cause;
  }
}
