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
import { createTenantBound } from "./tenant.js";

/** Every helper accepts an explicit tenant for work outside a request (jobs, queues). */
interface TenantOption {
  tenant?: string;
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
}

const processSinks = new Set<BusinessEventSink>();

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
}

/** Creates the track helpers for one monitoring instance: metrics sink first, then the others. */
export function createTracker(options: TrackerOptions): Tracker {
  const { config } = options;
  const clock = options.clock ?? (() => new Date());
  const sinks: BusinessEventSink[] = [createMetricsSink(options.metrics ?? getMetrics()), ...(options.sinks ?? [])];
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

  /** Sinks run synchronously in order (so the metric is updated before the call returns); async work is awaited together. */
  const dispatch = (build: () => BusinessEvent): Promise<void> => {
    let event: BusinessEvent;
    try {
      event = build();
    } catch (error) {
      return Promise.reject(error);
    }
    const pending: Promise<void>[] = [];
    for (const sink of [...sinks, ...processSinks]) {
      try {
        const result = sink.handle(event);
        if (result) pending.push(result);
      } catch (error) {
        pending.push(Promise.reject(error));
      }
    }
    return pending.length === 0 ? Promise.resolve() : Promise.all(pending).then(() => undefined);
  };

  const optional = <K extends string, V>(key: K, value: V | undefined) => (value === undefined ? {} : ({ [key]: value } as Record<K, V>));

  return {
    login: (input) =>
      dispatch(() => ({
        ...base(input.tenant),
        kind: "login",
        outcome: oneOf("login", "outcome", input.outcome, BINARY_OUTCOMES),
        method: boundedFrom(text("login", "method", input.method, false) ?? "password", LOGIN_METHODS, "other"),
        ...optional("actorId", text("login", "actorId", input.actorId, false)),
        ...optional("reason", text("login", "reason", input.reason, false)),
      })),
    walletTransaction: (input) =>
      dispatch(() => {
        const event = base(input.tenant);
        if (!Number.isSafeInteger(input.amountMinor)) throw invalid("walletTransaction", "amountMinor must be an integer number of minor units (e.g. 1050 for 10.50)");
        const currency = input.currency ?? config.tenants.currency[event.tenant];
        if (currency !== undefined && !/^[A-Z]{3}$/.test(currency)) throw invalid("walletTransaction", `currency must be an ISO 4217 code like "EUR" (got ${JSON.stringify(currency)})`);
        return {
          ...event,
          kind: "wallet_transaction",
          type: oneOf("walletTransaction", "type", input.type, WALLET_TYPES),
          outcome: oneOf("walletTransaction", "outcome", input.outcome, BINARY_OUTCOMES),
          amountMinor: input.amountMinor,
          ...optional("currency", currency),
          ...optional("walletId", text("walletTransaction", "walletId", input.walletId, false)),
          ...optional("txId", text("walletTransaction", "txId", input.txId, false)),
          ...optional("reason", text("walletTransaction", "reason", input.reason, false)),
        };
      }),
    licenseKeysGenerated: (input) =>
      dispatch(() => {
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
      dispatch(() => ({
        ...base(input.tenant),
        kind: "branch_created",
        branchId: text("branchCreated", "branchId", input.branchId, true) as string,
        ...optional("name", text("branchCreated", "name", input.name, false)),
      })),
    sessionStarted: (options = {}) => dispatch(() => ({ ...base(options.tenant), kind: "session_started" })),
    sessionEnded: (options = {}) => dispatch(() => ({ ...base(options.tenant), kind: "session_ended" })),
    addSink(sink) {
      sinks.push(sink);
      return () => {
        const index = sinks.indexOf(sink);
        if (index > 0) sinks.splice(index, 1);
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
};
