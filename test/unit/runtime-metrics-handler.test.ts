import { createHash } from "node:crypto";
import { Counter, Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { checkBearer, negotiateFormat, probeDatabase, renderMetrics } from "../../src/runtime/metrics-handler.js";
import { errorKind, normalizeMethod, pickRequestId } from "../../src/runtime/middleware.js";

describe("negotiateFormat", () => {
  it.each([
    [undefined, "text"],
    ["", "text"],
    ["text/plain", "text"],
    ["*/*", "text"],
    ["application/openmetrics-text", "openmetrics"],
    ["application/openmetrics-text; version=1.0.0; charset=utf-8", "openmetrics"],
    [
      "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1",
      "openmetrics",
    ],
    ["text/plain;q=1, application/openmetrics-text;q=0.5", "text"],
    ["application/openmetrics-text;q=0", "text"],
    ["application/json", "text"],
  ])("%j → %s", (accept, expected) => {
    expect(negotiateFormat(accept)).toBe(expected);
  });
});

describe("checkBearer", () => {
  const expected = createHash("sha256").update("s3cret").digest();
  it.each([
    [undefined, "missing"],
    ["Basic czNjcmV0", "missing"],
    ["Bearer", "missing"],
    ["Bearer s3cret", "ok"],
    ["bearer s3cret", "ok"],
    ["Bearer s3cre", "invalid"],
    ["Bearer s3cret-and-more", "invalid"],
  ])("%j → %s", (header, verdict) => {
    expect(checkBearer(header, expected)).toBe(verdict);
  });
});

describe("probeDatabase", () => {
  it.each([
    ["true", () => true, 1],
    ["false", () => false, 0],
    ["a resolved true", async () => true, 1],
    ["a throw", () => {
      throw new Error("ECONNREFUSED");
    }, 0],
    ["a rejection", () => Promise.reject(new Error("timeout")), 0],
    ["a hang", () => new Promise<boolean>(() => {}), 0],
  ])("maps %s to %i", async (_name, probe, expected) => {
    expect(await probeDatabase(probe as () => boolean, 50)).toBe(expected);
  });
});

describe("renderMetrics", () => {
  it("renders OpenMetrics without renaming the registry's counters", async () => {
    const registry = new Registry();
    const counter = new Counter({ name: "orders_total", help: "Orders.", labelNames: ["tenant"], registers: [registry] });
    counter.inc({ tenant: "EUR" }, 2);
    const om = await renderMetrics(registry, "openmetrics");
    expect(om).toContain("# TYPE orders counter");
    expect(om).toContain('orders_total{tenant="EUR"} 2');
    expect(om.endsWith("# EOF\n")).toBe(true);
    const text = await renderMetrics(registry, "text");
    expect(text).toContain("# TYPE orders_total counter");
    expect(await registry.metrics()).toContain("# TYPE orders_total counter");
  });

  it("leaves out excluded families", async () => {
    const registry = new Registry();
    new Counter({ name: "kept_total", help: "Kept.", registers: [registry] });
    new Counter({ name: "dropped_total", help: "Dropped.", registers: [registry] });
    const text = await renderMetrics(registry, "text", new Set(["dropped_total"]));
    expect(text).toContain("kept_total");
    expect(text).not.toContain("dropped_total");
  });
});

describe("middleware label helpers", () => {
  it.each([
    ["GET", "GET"],
    ["DELETE", "DELETE"],
    ["PROPFIND", "_OTHER"],
    ["get", "_OTHER"],
    [undefined, "_OTHER"],
  ])("method %s → %s", (method, expected) => {
    expect(normalizeMethod(method)).toBe(expected);
  });

  it.each([
    [200, false, undefined],
    [302, false, undefined],
    [404, false, "client_error"],
    [499, false, "client_error"],
    [503, false, "server_error"],
    [500, true, "exception"],
    [400, true, "exception"],
  ])("status %i, exception %s → %s", (status, exception, kind) => {
    expect(errorKind(status, exception)).toBe(kind);
  });

  it("reuses a sane incoming request id and replaces anything else", () => {
    expect(pickRequestId("req-42_a.b:c")).toBe("req-42_a.b:c");
    for (const bad of ["a b", "x\r\nset-cookie: y", "x".repeat(129), "", undefined, ["a", "b"]]) {
      const id = pickRequestId(bad as string);
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
    }
  });
});
