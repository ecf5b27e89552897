import { beforeEach, describe, expect, it } from "vitest";
import { resolveConfig } from "../../src/config/validate.js";
import { runWithContext } from "../../src/runtime/context.js";
import type { BusinessEvent } from "../../src/runtime/business-event.js";
import { getMetrics, resetMetrics, type MonwireMetrics } from "../../src/runtime/metrics.js";
import { addBusinessEventSink, createTracker, type Tracker } from "../../src/runtime/track.js";

const config = resolveConfig({
  tenants: { values: ["EUR", "KM"], from: "header:x-shop", currency: { EUR: "EUR", KM: "BAM" } },
  metrics: { products: ["pro", "basic"] },
});
const AT = new Date("2025-03-01T10:00:00.000Z");

async function value(metrics: MonwireMetrics, name: string, labels: Record<string, string>): Promise<number | undefined> {
  const family = metrics.families.get(name as never);
  const data = await family?.get();
  return data?.values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l) && Object.keys(v.labels).length === Object.keys(labels).length)?.value;
}

describe("track helpers", () => {
  let metrics: MonwireMetrics;
  let tracker: Tracker;
  let events: BusinessEvent[];

  beforeEach(() => {
    resetMetrics();
    metrics = getMetrics();
    events = [];
    tracker = createTracker({ config, metrics, clock: () => AT, sinks: [{ name: "memory", handle: (e) => void events.push(e) }] });
  });

  it("puts a wallet transaction's id on the live request context, so later Sentry events carry tx_id", async () => {
    const context = { requestId: "r-2", tenant: "EUR" } as Parameters<typeof runWithContext>[0];
    await runWithContext(context, () => tracker.walletTransaction({ type: "purchase", outcome: "failure", amountMinor: 500, txId: "tx-77" }));
    expect(context.txId).toBe("tx-77");
    const preset = { requestId: "r-3", tenant: "EUR", txId: "tx-set-by-app" } as Parameters<typeof runWithContext>[0];
    await runWithContext(preset, () => tracker.walletTransaction({ type: "deposit", outcome: "success", amountMinor: 100, txId: "tx-other" }));
    expect(preset.txId).toBe("tx-set-by-app");
  });

  it("builds one normalized event with the tenant and a copy of the request context", async () => {
    await runWithContext({ requestId: "r-1", tenant: "KM", rawTenant: "km", ip: "10.0.0.9" }, () =>
      tracker.walletTransaction({ type: "deposit", outcome: "success", amountMinor: 1050, walletId: "w-7" }),
    );
    expect(events).toEqual([
      {
        kind: "wallet_transaction",
        at: AT,
        tenant: "KM",
        rawTenant: "km",
        context: { requestId: "r-1", tenant: "KM", rawTenant: "km", ip: "10.0.0.9" },
        type: "deposit",
        outcome: "success",
        amountMinor: 1050,
        currency: "BAM",
        walletId: "w-7",
      },
    ]);
    expect(await value(metrics, "wallet_transactions_total", { type: "deposit", outcome: "success", tenant: "KM" })).toBe(1);
  });

  it("updates the metric before the returned promise settles", () => {
    let resolveSink: () => void = () => {};
    tracker.addSink({ name: "slow", handle: () => new Promise<void>((resolve) => (resolveSink = resolve)) });
    const pending = tracker.branchCreated({ branchId: "b-1", tenant: "EUR" });
    const counted = value(metrics, "branches_created_total", { tenant: "EUR" });
    resolveSink();
    return Promise.all([pending, expect(counted).resolves.toBe(1)]);
  });

  it("bounds tenants, products and login methods", async () => {
    await tracker.licenseKeysGenerated({ product: "PRO", count: 3, tenant: "eur" });
    await tracker.licenseKeysGenerated({ product: "enterprise", keys: ["AAAA-BBBB", "CCCC-DDDD"], tenant: "ACME" });
    await tracker.login({ outcome: "failure", method: "carrier-pigeon" });
    await tracker.login({ outcome: "success" });
    expect(await value(metrics, "license_keys_generated_total", { product: "pro", tenant: "EUR" })).toBe(3);
    expect(await value(metrics, "license_keys_generated_total", { product: "other", tenant: "unknown" })).toBe(2);
    expect(await value(metrics, "authentication_attempts_total", { method: "other", outcome: "failure", tenant: "none" })).toBe(1);
    expect(await value(metrics, "authentication_attempts_total", { method: "password", outcome: "success", tenant: "none" })).toBe(1);
    expect(events[1]).toMatchObject({ kind: "license_keys_generated", product: "other", rawProduct: "enterprise", count: 2, rawTenant: "ACME" });
  });

  it("never lets the session gauge go below zero", async () => {
    await tracker.sessionEnded({ tenant: "EUR" });
    await tracker.sessionStarted({ tenant: "EUR" });
    await tracker.sessionStarted({ tenant: "EUR" });
    await tracker.sessionEnded({ tenant: "EUR" });
    expect(await value(metrics, "active_user_sessions", { tenant: "EUR" })).toBe(1);
  });

  it.each([
    ["a wallet type outside the catalog", () => tracker.walletTransaction({ type: "gift" as never, outcome: "success", amountMinor: 1, strict: true }), /type must be one of deposit/],
    ["a fractional amount", () => tracker.walletTransaction({ type: "deposit", outcome: "success", amountMinor: 10.5, strict: true }), /amountMinor must be an integer/],
    ["a bad currency", () => tracker.walletTransaction({ type: "refund", outcome: "success", amountMinor: 5, currency: "euro", strict: true }), /ISO 4217/],
    ["a bad outcome", () => tracker.login({ outcome: "maybe" as never, strict: true }), /outcome must be one of success, failure/],
    ["a zero count", () => tracker.licenseKeysGenerated({ product: "pro", count: 0, strict: true }), /count must be an integer ≥ 1/],
    ["an empty branch id", () => tracker.branchCreated({ branchId: "", strict: true }), /branchId must be a non-empty string/],
  ])("with strict: true, rejects %s with E_OPTION_INVALID and records nothing", async (_name, call, message) => {
    await expect(call()).rejects.toMatchObject({ code: "E_OPTION_INVALID", message });
    expect(events).toEqual([]);
  });

  it("by default resolves an invalid call (nothing recorded) and says why in one process warning", async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => void warnings.push(w.message);
    process.on("warning", onWarning);
    try {
      await expect(tracker.walletTransaction({ type: "deposit", outcome: "success", amountMinor: 10.5 })).resolves.toBeUndefined();
      await expect(tracker.walletTransaction({ type: "deposit", outcome: "success", amountMinor: 11.5 })).resolves.toBeUndefined();
      await new Promise((r) => setImmediate(r));
    } finally {
      process.off("warning", onWarning);
    }
    expect(events).toEqual([]);
    expect(warnings.filter((w) => /track\.walletTransaction failed: .*amountMinor must be an integer/.test(w))).toHaveLength(1);
  });

  it("with strict: true passes a sink's rejection to the caller after every sink has run", async () => {
    tracker.addSink({ name: "audit", handle: () => Promise.reject(new Error("disk full")) });
    await expect(tracker.branchCreated({ branchId: "b-2", tenant: "KM", strict: true })).rejects.toThrow("disk full");
    expect(events).toHaveLength(1);
    expect(await value(metrics, "branches_created_total", { tenant: "KM" })).toBe(1);
  });

  it("by default resolves when a sink fails (the metric still counts)", async () => {
    tracker.addSink({ name: "audit", handle: () => Promise.reject(new Error("disk full")) });
    await expect(tracker.branchCreated({ branchId: "b-3", tenant: "EUR" })).resolves.toBeUndefined();
    expect(await value(metrics, "branches_created_total", { tenant: "EUR" })).toBe(1);
  });

  it("marks the live request context with the events the app tracked itself", async () => {
    const context = { requestId: "r-9", tenant: "EUR" } as Parameters<typeof runWithContext>[0];
    await runWithContext(context, async () => {
      await tracker.walletTransaction({ type: "purchase", outcome: "success", amountMinor: 100 });
      await tracker.login({ outcome: "failure" });
    });
    expect([...(context.explicit ?? [])]).toEqual(["wallet.purchase", "login"]);
  });

  it("feeds process-wide sinks too, until they are removed", async () => {
    const seen: string[] = [];
    const remove = addBusinessEventSink({ name: "breadcrumbs", handle: (e) => void seen.push(e.kind) });
    await tracker.sessionStarted();
    remove();
    await tracker.sessionEnded();
    expect(seen).toEqual(["session_started"]);
  });
});
