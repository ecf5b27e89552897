import type { Counter, Histogram } from "prom-client";
import { DB_OPERATIONS, TENANT_NONE } from "../../metrics/catalog.js";
import { getRequestContext } from "../context.js";
import { getMetrics, type MonwireMetrics } from "../metrics.js";
import { getActiveSentry } from "../sentry/sdk.js";
import { createSeries, observe, type Series } from "./fast-observe.js";
import { errorCode, statementShape, type DbOperation } from "./statement.js";

/**
 * Records one finished query: duration by verb and the calling request's tenant, errors by code,
 * and a Sentry breadcrumb with the statement's shape when it was slower than `slowQueryMs`.
 * This is on every query's path, so the histogram children are cached per (tenant, verb) and the
 * statement is only looked at again when the query was slow.
 */
export interface QueryRecorderSettings {
  /** Queries slower than this (ms) leave a breadcrumb; 0 turns breadcrumbs off. */
  slowQueryMs: number;
}


/** The slow-query threshold (ms), a module variable: the query path already reads this module's. */
let slowQueryMs = 200;

/** Applied by createMonitoring() from the `database` section of mon.config.json. */
export function configureQueryRecorder(next: Partial<QueryRecorderSettings>): void {
  if (next.slowQueryMs !== undefined) slowQueryMs = next.slowQueryMs;
}

const OPERATION_INDEX = new Map(DB_OPERATIONS.map((op, i) => [op, i]));

export interface QueryRecorder {
  /**
   * `tenant` is read when the query is issued (currentTenant()): completions run in whatever
   * async context the driver's socket has. `started` is a `now()` (performance.now()) taken just before
   * the query was handed to the client (a double: no BigInt allocated per query).
   */
  record(operation: DbOperation, tenant: string, started: number, error: unknown, text: unknown): void;
}

/**
 * The clock of every query's start and end. `performance` is read once: the global is an
 * accessor, and the query path reads the clock twice.
 */
const clock = globalThis.performance;
export const now = (): number => clock.now();

/** The tenant label of the calling request, "none" outside a request. */
export function currentTenant(): string {
  return getRequestContext()?.tenant ?? TENANT_NONE;
}

export function createQueryRecorder(metrics: MonwireMetrics = getMetrics()): QueryRecorder {
  // db_query_duration_seconds has its own buckets in the catalog, so configure() never rebuilds
  // it (test/unit/db-recorder.test.ts): the family is read once, not on every query.
  const histogram = metrics.dbQueryDuration as Histogram<string>;
  const rows = new Map<string, (Series | undefined)[]>();
  // The last series used: an app's queries mostly come in runs of one tenant and verb, and this
  // check is cheaper than the two map look-ups.
  let lastTenant: string | undefined;
  let lastOperation: DbOperation | undefined;
  let lastSeries: Series | undefined;

  const seriesFor = (tenant: string, operation: DbOperation): Series => {
    if (tenant === lastTenant && operation === lastOperation) return lastSeries!;
    let row = rows.get(tenant);
    if (!row) {
      row = [];
      rows.set(tenant, row);
    }
    const index = OPERATION_INDEX.get(operation)!;
    const series = (row[index] ??= createSeries(histogram, { operation, tenant }));
    lastTenant = tenant;
    lastOperation = operation;
    lastSeries = series;
    return series;
  };

  return {
    record(operation, tenant, started, error, text) {
      try {
        const seconds = (now() - started) / 1000;
        observe(seriesFor(tenant, operation), seconds);
        if (error !== undefined) (metrics.dbQueryErrors as Counter<string>).inc({ operation, tenant, code: errorCode(error) });
        if (slowQueryMs > 0 && seconds * 1000 >= slowQueryMs) reportSlow(operation, tenant, seconds, text);
      } catch {
        // A broken metric must never break the app's query.
      }
    },
  };
}

function reportSlow(operation: DbOperation, tenant: string, seconds: number, text: unknown): void {
  const sentry = getActiveSentry();
  if (!sentry) return;
  sentry.sdk.addBreadcrumb({
    type: "query",
    category: "db.slow_query",
    level: "warning",
    message: statementShape(text),
    data: { operation, tenant, duration_ms: Math.round(seconds * 1000), threshold_ms: slowQueryMs },
  });
}
