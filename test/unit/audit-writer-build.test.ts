import { describe, expect, it } from "vitest";
import { buildEntry, type AuditRecordInput } from "../../src/runtime/audit/build-entry.js";
import { capData, cutUtf8, MAX_DATA_BYTES, Truncations } from "../../src/runtime/audit/limits.js";
import { lastHeadIn } from "../../src/runtime/audit/previous-head.js";
import { runWithContext } from "../../src/runtime/context.js";
import { isMonwireError } from "../../src/errors.js";

const settings = { currency: { KM: "BAM", EUR: "EUR" }, clock: () => new Date("2025-05-01T10:00:00.123Z") };
const build = (event: Partial<AuditRecordInput>) => buildEntry({ category: "admin", action: "job.ran", ...event } as AuditRecordInput, settings).body;

// Rejected events are deliberately not valid AuditRecordInput values.
function rejection(event: Record<string, unknown>): string {
  try {
    build(event as Partial<AuditRecordInput>);
  } catch (error) {
    if (isMonwireError(error) && error.code === "E_AUDIT_INVALID" && error.hint) return error.message;
    throw error;
  }
  return "accepted";
}

describe("buildEntry", () => {
  it.each([
    [{ amount: { minor: 12.5, currency: "EUR" } }, /amount.minor must be an integer/],
    [{ amount: { minor: 2 ** 60, currency: "EUR" } }, /amount.minor must be an integer/],
    [{ amount: { minor: 100, currency: "eur" } }, /not an ISO 4217/],
    [{ amount: { minor: 100, currency: "XYZ" } }, /not an ISO 4217/],
    [{ tenant: "ACME", amount: { minor: 100 } }, /tenant "ACME" has no currency/],
    [{ category: "bogus" }, /unknown category/],
    [{ action: "wallet" }, /not a lowercase dotted name/],
    [{ action: "Wallet.Deposit" }, /not a lowercase dotted name/],
    [{ outcome: "maybe" as never }, /outcome "maybe"/],
    [{ actor: { id: "u", type: "robot" as never } }, /actor.type/],
    [{ actor: { id: "", type: "user" } }, /actor.id must be a non-empty string/],
    [{ target: { type: "wallet" } as never }, /target.id must be a non-empty string/],
    [{ ip: 42 as never }, /ip must be a string/],
    [{ data: [1, 2] as never }, /data must be a plain object/],
    [{ data: { big: 10n } as never }, /data cannot be written as JSON/],
  ])("rejects case %#", (event, message) => {
    expect(rejection(event)).toMatch(message);
  });

  it("fills defaults outside a request: tenant none, system actor, success, clock timestamp", () => {
    expect(build({})).toEqual({ v: 1, ts: "2025-05-01T10:00:00.123Z", category: "admin", action: "job.ran", outcome: "success", tenant: "none", actor: { id: "system", type: "system" } });
  });

  it("accepts category aliases, and the tenant's currency for amounts", () => {
    const body = build({ category: "finance", action: "wallet.deposit", tenant: "KM", amount: { minor: 1250 } });
    expect(body).toMatchObject({ category: "financial", amount: { minor: 1250, currency: "BAM" } });
  });

  it("takes request context fields, explicit fields winning", () => {
    const context = { requestId: "r-1", tenant: "KM", ip: "10.1.1.1", userAgent: "ua", branch: "b-1", txId: "t-1", actor: { id: "u-1", type: "user" as const } };
    const body = runWithContext(context, () => build({ ip: "10.9.9.9", actor: { id: "svc", type: "service" } }));
    expect(body).toMatchObject({ tenant: "KM", ip: "10.9.9.9", user_agent: "ua", request_id: "r-1", branch: "b-1", tx_id: "t-1", actor: { id: "svc", type: "service" } });
    expect(runWithContext({ requestId: "r-2", tenant: "none" }, () => build({})).actor).toEqual({ id: "anonymous", type: "anonymous" });
  });

  it("writes holes in sparse arrays as null, so the line stays valid JSON", () => {
    const built = buildEntry({ category: "admin", action: "a.b", data: { list: [1, , 3] } }, settings);
    expect(built.dataJson).toBe('{"list":[1,null,3]}');
  });

  it("redacts target, reason and data, and returns the canonical JSON of data", () => {
    const built = buildEntry({ category: "admin", action: "a.b", reason: "Bearer abcdefgh12345678", target: { type: "card", id: "4111111111111111" }, data: { token: "t0k", z: 1, a: 2 } }, settings);
    expect(built.body).toMatchObject({ reason: "Bearer [REDACTED]", target: { type: "card", id: "[REDACTED]" }, data: { token: "[REDACTED]" } });
    expect(built.dataJson).toBe('{"a":2,"token":"[REDACTED]","z":1}');
  });
});

describe("limits", () => {
  it("cuts UTF-8 on a character boundary", () => {
    expect(cutUtf8("aé漢", 4)).toBe("aé");
    expect(cutUtf8("😀😀", 5)).toBe("😀");
  });

  it("keeps data keys in canonical order while they fit and lists what was dropped", () => {
    const truncations = new Truncations();
    const { data, json } = capData({ b: "x".repeat(900), a: 1, c: Array.from({ length: 3000 }, (_, i) => i) }, truncations);
    expect(Object.keys(data)).toEqual(["a", "b"]);
    expect(Buffer.byteLength(json)).toBeLessThanOrEqual(MAX_DATA_BYTES);
    expect(truncations.list()).toEqual(["data.c"]);
  });

  it("bounds the truncated list itself", () => {
    const truncations = new Truncations();
    for (let i = 0; i < 30; i++) truncations.add(`data.k${i}`);
    expect(truncations.list()).toHaveLength(21);
    expect(truncations.list()?.[20]).toBe("(+10 more)");
  });
});

describe("lastHeadIn", () => {
  const line = (writer: string, seq: number) => JSON.stringify({ writer, seq, hash: `${seq}`.padStart(64, "0") });
  it.each([
    ["the last complete line", `${line("a", 1)}\n${line("b", 7)}\n`, { writer: "b", seq: 7 }],
    ["skipping a torn final line", `${line("a", 1)}\n${line("b", 7)}\n{"writer":"c","se`, { writer: "b", seq: 7 }],
    ["skipping its own lines", `${line("a", 3)}\n${line("me", 1)}\n`, { writer: "a", seq: 3 }],
    ["tolerating a cut first line", `q":1}\n${line("a", 2)}\n`, { writer: "a", seq: 2 }],
  ])("finds %s", (_name, text, expected) => {
    expect(lastHeadIn(text, "me")).toMatchObject(expected);
  });

  it("returns null when there is no complete entry", () => {
    expect(lastHeadIn('{"writer":"a"', "me")).toBeNull();
    expect(lastHeadIn("", "me")).toBeNull();
  });
});
