import { describe, expect, it, vi } from "vitest";
import { newRequestId } from "../../src/runtime/request-id.js";
import { pickRequestId } from "../../src/runtime/middleware.js";

/** UUID layout, version 8 ("custom", RFC 9562), variant 10xx. */
const SHAPE = /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const RUN = 65_536;

describe("newRequestId", () => {
  it("makes UUID-shaped ids (version 8, RFC 9562 variant)", () => {
    for (let i = 0; i < 1000; i++) expect(newRequestId()).toMatch(SHAPE);
  });

  it("never repeats an id over several runs of the counter", () => {
    const seen = new Set<string>();
    for (let i = 0; i < 3 * RUN + 17; i++) seen.add(newRequestId());
    expect(seen.size).toBe(3 * RUN + 17);
  });

  it("changes the random part for every run of 65,536 ids", () => {
    const prefixes = new Set<string>();
    for (let i = 0; i < 4 * RUN; i++) prefixes.add(newRequestId().slice(0, 32));
    for (const prefix of prefixes) expect(`${prefix}0000`).toMatch(SHAPE);
    // Four runs (five when this test began mid-run), each with a prefix of its own.
    expect(prefixes.size).toBeGreaterThanOrEqual(4);
    expect(prefixes.size).toBeLessThanOrEqual(5);
  });

  it("starts from fresh random bits in each process (a new module instance)", async () => {
    const first = newRequestId();
    vi.resetModules();
    const fresh = (await import("../../src/runtime/request-id.js")).newRequestId();
    expect(fresh).toMatch(SHAPE);
    expect(fresh.slice(0, 32)).not.toBe(first.slice(0, 32));
  });
});

describe("pickRequestId", () => {
  it("replaces a missing or unusable x-request-id with a fresh id", () => {
    const ids = new Set<string>();
    for (const bad of ["a b", "x\r\nset-cookie: y", "x".repeat(129), "", undefined, ["a", "b"]]) {
      const id = pickRequestId(bad as string);
      expect(id).toMatch(SHAPE);
      ids.add(id);
    }
    expect(ids.size).toBe(6);
  });
});
