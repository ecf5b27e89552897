import { MonwireError } from "../errors.js";
import { defaultConfig, type MonwireConfig } from "../config/schema.js";
import { BINARY_OUTCOMES, LOGIN_METHODS, PRODUCT_OTHER, TENANT_NONE, WALLET_TYPES } from "../metrics/catalog.js";
import {
  createMetricsSink,
  type BranchCreatedEvent,
  type BusinessEvent,
  type BusinessEventBase,
  type BusinessEventSink,
  type LoginEvent,
  type WalletTransactionEvent,
} from "./business-event.js";
import { getRequestContext } from "./context.js";
import { getMetrics, type MonwireMetrics } from "./metrics.js";
import { reportMonitoringFailure } from "./report-failure.js";
import { SessionCounter } from "./sessions.js";
import { createTenantBound } from "./tenant.js";

/** Options every helper accepts. */
interface TenantOption {
  /** An explicit tenant, for work outside a request (jobs, queues). */
  tenant?: string;
  /**
   * Reject when the event cannot be recorded (invalid arguments, audit write failed) instead of
   * resolving. Off by default: a monitoring failure is counted and reported as a warning, and never
   * reaches an Express 4 async handler as an unhandled rejection.
   */
  strict?: boolean;
}
/** What a caller passes for an event: its own fields, without the ones the helper resolves. */
type CallerFields<E extends BusinessEventBase> = Omit<E, keyof BusinessEventBase | "kind">;
export type LoginInput = TenantOption & Omit<CallerFields<LoginEvent>, "method"> & { method?: string };
export type WalletTransactionInput = TenantOption & CallerFields<WalletTransactionEvent>;
export type LicenseKeysInput = TenantOption & { product: string; count?: number; keys?: readonly string[] };
export type BranchCreatedInput = TenantOption & CallerFields<BranchCreatedEvent>;

/** One call per business event; each resolves once every sink has handled it. */
export interface Tracker {
  login(input: LoginInput): Promise<void>;
  walletTransaction(input: WalletTransactionInput): Promise<void>;
  licenseKeysGenerated(input: LicenseKeysInput): Promise<void>;
  branchCreated(input: BranchCreatedInput): Promise<void>;
  sessionStarted(options?: TenantOption): Promise<void>;
  sessionEnded(options?: TenantOption): Promise<void>;
  /** Adds a sink to this tracker; returns the remove function. */
  addSink(sink: BusinessEventSink): () => void;
  /**
   * Hands an already normalized event to the sinks (route rules use it). Unlike the helpers it does
   * not mark the event as tracked by the app, and it never rejects.
   */
  emit(fields: EventFields): Promise<void>;
}

/** A business event without the fields the tracker resolves (time, tenant, context). */
export type EventFields = BusinessEvent extends infer E ? (E extends BusinessEvent ? Omit<E, keyof BusinessEventBase> : never) : never;

/** The route-rule event name a tracked event stands for (see CONTRACT: events). */
export function eventNameOf(event: Pick<BusinessEvent, "kind"> & { type?: string }): string | undefined {
  switch (event.kind) {
    case "login": return "login";
    case "wallet_transaction": return `wallet.${event.type}`;
    case "license_keys_generated": return "license.generated";
    case "branch_created": return "branch.created";
    case "session_started": return "session.started";
    case "session_ended": return "logout";
    default: return undefined;
  }
}

const processSinks = new Set<BusinessEventSink>();
/** Sinks that never read an event's `at` (they keep their own clocks, if any). */
const TIMELESS_SINKS = new Set(["metrics", "sessions", "security-signals"]);
/** One settled promise for every call with nothing to wait for: no allocation (and no async-hook work) per event. */
const RESOLVED: Promise<void> = Promise.resolve();

/** Hands the event to one sink; its promise (or its throw, as a rejection) joins `pending`. */
function handleIn(sink: BusinessEventSink, event: BusinessEvent, pending: Promise<void>[] | undefined): Promise<void>[] | undefined {
  try {
    const result = sink.handle(event);
    if (!result) return pending;
    (pending ??= []).push(result);
  } catch (error) {
    (pending ??= []).push(Promise.reject(error));
  }
  return pending;
}

/**
 * Adds a sink to every tracker in the process (Sentry breadcrumbs are set up by the instrument
 * file, before the app creates its monitoring). Returns the remove function.
 */
export function addBusinessEventSink(sink: BusinessEventSink): () => void {
  processSinks.add(sink);
  return () => processSinks.delete(sink);
}

function invalid(helper: string, message: string): MonwireError {
  return new MonwireError("E_OPTION_INVALID", `track.${helper}: ${message}`, {
    hint: "Fix the arguments of this call; nothing was recorded for it.",
  });
}

function oneOf<T extends string>(helper: string, field: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value === "string" && (allowed as readonly string[]).includes(value)) return value as T;
  throw invalid(helper, `${field} must be one of ${allowed.join(", ")} (got ${JSON.stringify(value)})`);
}

function text(helper: string, field: string, value: unknown, required: boolean): string | undefined {
  if (value === undefined && !required) return undefined;
  if (typeof value === "string" && value !== "") return value;
  throw invalid(helper, `${field} must be a non-empty string`);
}

function boundedFrom(value: string, allowed: readonly string[], fallback: string): string {
  const lower = value.toLowerCase();
  return allowed.find((a) => a.toLowerCase() === lower) ?? fallback;
}

export interface TrackerOptions {
  config: MonwireConfig;
  metrics?: MonwireMetrics;
  clock?: () => Date;
  sinks?: BusinessEventSink[];
  /** Counts active_user_sessions from session events; default: one with a 30-minute idle timeout. */
  sessions?: BusinessEventSink;
}

/** Creates the track helpers for one monitoring instance: metrics sink first, then the others. */
export function createTracker(options: TrackerOptions): Tracker {
  const { config } = options;
  const clock = options.clock ?? (() => new Date());
  const metrics = options.metrics ?? getMetrics();
  const sessions = options.sessions ?? new SessionCounter({ metrics, idleTimeoutMs: 1_800_000, maxTracked: 10_000 });
  const sinks: BusinessEventSink[] = [createMetricsSink(metrics), sessions, ...(options.sinks ?? [])];
  const boundTenant = createTenantBound(config.tenants.values);

  const base = (explicit: string | undefined): BusinessEventBase => {
    const context = getRequestContext();
    const tenant =
      explicit !== undefined
        ? boundTenant(explicit)
        : context
          ? { tenant: context.tenant, ...(context.rawTenant !== undefined ? { raw: context.rawTenant } : {}) }
          : { tenant: TENANT_NONE };
    return {
      at: clock(),
      tenant: tenant.tenant,
      ...(tenant.raw !== undefined && tenant.raw !== tenant.tenant ? { rawTenant: tenant.raw } : {}),
      ...(context ? { context: { ...context } } : {}),
    };
  };

  /**
   * Sinks run synchronously in order (so the metric is updated before the call returns); async work
   * is awaited together. Without `strict` a failure resolves: it is counted where it happened (an
   * audit write in audit_write_errors_total) and reported as a process warning.
   */
  const dispatch = (helper: string, input: TenantOption | undefined, build: () => BusinessEvent): Promise<void> => {
    const strict = input?.strict === true;
    let event: BusinessEvent;
    try {
      event = build();
    } catch (error) {
      if (strict) return Promise.reject(error);
      reportMonitoringFailure(`track.${helper}`, error);
      return RESOLVED;
    }
    if (event.context) markExplicit(event);
    return deliver(helper, event, strict);
  };

  // Sinks known not to read an event's `at`; with only these, a rule's event skips the clock.
  let timed = false;
  const sinksChanged = () => {
    timed = sinks.some((sink) => !TIMELESS_SINKS.has(sink.name));
  };
  sinksChanged();

  const deliver = (helper: string, event: BusinessEvent, strict: boolean): Promise<void> => {
    // The array exists only when a sink has async work (the audit trail): with metrics and
    // sessions alone an event allocates nothing here.
    let pending: Promise<void>[] | undefined;
    for (const sink of sinks) pending = handleIn(sink, event, pending);
    if (processSinks.size > 0) for (const sink of processSinks) pending = handleIn(sink, event, pending);
    if (pending === undefined) return RESOLVED;
    const all = Promise.all(pending).then(() => undefined);
    return strict ? all : all.catch((error: unknown) => reportMonitoringFailure(`track.${helper}`, error));
  };

  const optional = <K extends string, V>(key: K, value: V | undefined) => (value === undefined ? {} : ({ [key]: value } as Record<K, V>));

  return {
    login: (input) =>
      dispatch("login", input, () => ({
        ...base(input.tenant),
        kind: "login",
        outcome: oneOf("login", "outcome", input.outcome, BINARY_OUTCOMES),
        method: boundedFrom(text("login", "method", input.method, false) ?? "password", LOGIN_METHODS, "other"),
        ...optional("actorId", text("login", "actorId", input.actorId, false)),
        ...optional("reason", text("login", "reason", input.reason, false)),
      })),
    walletTransaction: (input) =>
      dispatch("walletTransaction", input, () => {
        const event = base(input.tenant);
        if (!Number.isSafeInteger(input.amountMinor)) throw invalid("walletTransaction", "amountMinor must be an integer number of minor units (e.g. 1050 for 10.50)");
        const currency = input.currency ?? config.tenants.currency[event.tenant];
        if (currency !== undefined && !/^[A-Z]{3}$/.test(currency)) throw invalid("walletTransaction", `currency must be an ISO 4217 code like "EUR" (got ${JSON.stringify(currency)})`);
        const txId = text("walletTransaction", "txId", input.txId, false);
        // The transaction in flight tags what the request reports next (a crash's Sentry event
        // carries tx_id); an id the request already has (setContextFields, a rule) stays.
        const live = txId === undefined ? undefined : getRequestContext();
        if (live && live.txId === undefined) live.txId = txId;
        return {
          ...event,
          kind: "wallet_transaction",
          type: oneOf("walletTransaction", "type", input.type, WALLET_TYPES),
          outcome: oneOf("walletTransaction", "outcome", input.outcome, BINARY_OUTCOMES),
          amountMinor: input.amountMinor,
          ...optional("currency", currency),
          ...optional("walletId", text("walletTransaction", "walletId", input.walletId, false)),
          ...optional("txId", txId),
          ...optional("reason", text("walletTransaction", "reason", input.reason, false)),
        };
      }),
    licenseKeysGenerated: (input) =>
      dispatch("licenseKeysGenerated", input, () => {
        const rawProduct = text("licenseKeysGenerated", "product", input.product, true) as string;
        const count = input.count ?? input.keys?.length ?? 1;
        if (!Number.isSafeInteger(count) || count < 1) throw invalid("licenseKeysGenerated", "count must be an integer ≥ 1");
        return {
          ...base(input.tenant),
          kind: "license_keys_generated",
          product: boundedFrom(rawProduct, config.metrics.products, PRODUCT_OTHER),
          rawProduct,
          count,
          ...optional("keys", input.keys),
        };
      }),
    branchCreated: (input) =>
      dispatch("branchCreated", input, () => ({
        ...base(input.tenant),
        kind: "branch_created",
        branchId: text("branchCreated", "branchId", input.branchId, true) as string,
        ...optional("name", text("branchCreated", "name", input.name, false)),
      })),
    sessionStarted: (options = {}) => dispatch("sessionStarted", options, () => ({ ...base(options.tenant), kind: "session_started" })),
    sessionEnded: (options = {}) => dispatch("sessionEnded", options, () => ({ ...base(options.tenant), kind: "session_ended" })),
    // Route rules emit at the end of the request: the context no longer changes, so the event
    // holds the live context instead of a copy, and the fields object becomes the event itself.
    // Nothing here can throw, so no build closure; the time is read only when a sink may use it.
    emit: (fields) => {
      const event = fields as BusinessEvent;
      const context = getRequestContext();
      if (timed || processSinks.size > 0) {
        try {
          event.at = clock();
        } catch (error) {
          reportMonitoringFailure("track.rule", error);
          event.at = new Date();
        }
      }
      event.tenant = context ? context.tenant : TENANT_NONE;
      if (context) {
        if (context.rawTenant !== undefined && context.rawTenant !== context.tenant) event.rawTenant = context.rawTenant;
        event.context = context;
      }
      return deliver("rule", event, false);
    },
    addSink(sink) {
      sinks.push(sink);
      sinksChanged();
      return () => {
        const index = sinks.indexOf(sink);
        if (index > 0) sinks.splice(index, 1);
        sinksChanged();
      };
    },
  };
}

let active: Tracker | undefined;

/** Makes `tracker` the one behind the module-level `track` (createMonitoring does this). */
export function setActiveTracker(tracker: Tracker | undefined): void {
  active = tracker;
}

const current = (): Tracker => (active ??= createTracker({ config: defaultConfig() }));

/**
 * The track helpers of the app's monitoring (the last `createMonitoring()`), importable from any
 * module: `await track.walletTransaction({ type: "deposit", outcome: "success", amountMinor: 1050 })`.
 * The metric is updated before the call returns; the promise resolves once every sink (the audit
 * trail, when configured) has the event.
 */
export const track: Tracker = {
  login: (input) => current().login(input),
  walletTransaction: (input) => current().walletTransaction(input),
  licenseKeysGenerated: (input) => current().licenseKeysGenerated(input),
  branchCreated: (input) => current().branchCreated(input),
  sessionStarted: (options) => current().sessionStarted(options),
  sessionEnded: (options) => current().sessionEnded(options),
  addSink: (sink) => current().addSink(sink),
  emit: (fields) => current().emit(fields),
};

/**
 * Marks the request as having tracked this event itself. The mark goes on the live request
 * context (the event holds a copy), where the route rule looks at the end of the request.
 */
function markExplicit(event: BusinessEvent): void {
  const name = eventNameOf(event as Pick<BusinessEvent, "kind"> & { type?: string });
  const context = getRequestContext();
  if (name && context) (context.explicit ??= new Set()).add(name);
}
