import { describe, expect, it } from "vitest";
import { redact, REDACT_LIMITS } from "../../src/audit/redact.js";
import { buildEntry } from "../../src/runtime/audit/build-entry.js";

const settings = { currency: {}, clock: () => new Date("2026-12-03T08:00:00.000Z") };
const build = (data: Record<string, unknown>) => buildEntry({ category: "admin", action: "config.changed", data }, settings);

describe("audit data: what the writer makes of JavaScript values", () => {
  it("writes an object referenced twice in full both times; only a real cycle is [Circular]", () => {
    const wallet = { id: "w-1", currency: "BAM" };
    const loop: Record<string, unknown> = { id: "n-1" };
    loop.next = loop;
    const built = build({ from: wallet, to: wallet, loop });
    expect(built.body.data).toEqual({ from: wallet, to: wallet, loop: { id: "n-1", next: "[Circular]" } });
    expect(built.dataJson).toBe('{"from":{"currency":"BAM","id":"w-1"},"loop":{"id":"n-1","next":"[Circular]"},"to":{"currency":"BAM","id":"w-1"}}');
  });

  it("writes a Map as an object of its entries and a Set as an array", () => {
    const built = build({ limits: new Map<unknown, unknown>([["EUR", 500], [7, "x"]]), tags: new Set(["a", "b"]) });
    expect(built.dataJson).toBe('{"limits":{"7":"x","EUR":500},"tags":["a","b"]}');
  });

  it("caps 10,000 data keys to a bounded, marked object (time printed, bound asserted)", () => {
    const data = Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`field_${i}`, `value-${i}`]));
    const started = performance.now();
    const built = build(data);
    const ms = performance.now() - started;
    console.log(`buildEntry with 10,000 data keys: ${ms.toFixed(1)} ms (the structural bound below is what is asserted)`);
    const written = built.body.data as Record<string, unknown>;
    expect(Object.keys(written).length).toBeLessThanOrEqual(REDACT_LIMITS.keys + 1);
    expect(written["[truncated]"]).toBe(`[Truncated: ${10_000 - REDACT_LIMITS.keys} keys]`);
    expect(Buffer.byteLength(built.dataJson ?? "")).toBeLessThanOrEqual(8192);
  });

  it("bounds the total number of values walked in a wide and deep object", () => {
    const wide = (depth: number): unknown => (depth === 0 ? "leaf" : Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${i}`, wide(depth - 1)])));
    // 40^4 = 2.56 million leaves: the walk stops at the value budget and says so.
    const json = JSON.stringify(redact({ tree: wide(4) }));
    const leaves = json.split('"leaf"').length - 1;
    expect(leaves).toBeGreaterThan(0);
    expect(leaves).toBeLessThan(REDACT_LIMITS.values);
    expect(json).toContain("[Truncated: too many values]");
    // The entry still gets written: the oversized member is dropped and named in `truncated`.
    expect(build({ tree: wide(4) }).body.truncated?.[0]).toMatch(/^data\.tree\./);
  });
});
