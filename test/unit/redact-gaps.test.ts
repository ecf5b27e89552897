import { describe, expect, it } from "vitest";
import { isSensitiveKey, redact, redactPii, redactString, REDACTED } from "../../src/audit/redact.js";

describe("isSensitiveKey: camelCase, snake_case and kebab-case spellings of secrets", () => {
  it.each([
    "cvv2", "CVV2", "pin_code", "pinCode", "otp_code", "otpCode", "mfaCode", "mfa_code", "totp", "pass", "Pass", "sid", "SID", "user_sid",
    "jwt", "id_jwt", "dsn_url", "sentryDsn", "bankAccount", "bank_account", "account_number", "x-api-key", "X-Auth-Token",
    "securityCode", "recovery_code", "backupCodes", "privateKey", "connectionString", "sessionId", "card_pan", "PIN", "ssn",
  ])("%s is sensitive", (key) => {
    expect(isSensitiveKey(key)).toBe(true);
  });

  it.each([
    "amount", "amount_minor", "tenant", "order_id", "orderId", "product", "count", "shipping", "spinner", "author", "authMethod",
    "sessionCount", "cardinality", "discard", "opinion", "passenger", "bypass", "passport_country", "side", "inside", "pinned",
    "display", "compass", "consider", "company", "currency", "branch", "keyboard", "sort_key", "tx_id", "wallet_id",
  ])("%s is not sensitive", (key) => {
    expect(isSensitiveKey(key)).toBe(false);
  });
});

describe("redactString: secrets inside free text", () => {
  it.each([
    ["password=hunter2 please", `password=${REDACTED} please`],
    ["retry, Password: hunter2", `retry, Password: ${REDACTED}`],
    ["cvv2=123 declined", `cvv2=${REDACTED} declined`],
    ["api_key=ak_live_0987&x=1", `api_key=${REDACTED}&x=1`],
    ['{"password":"hunter 2","user":"ana"}', `{"password":${REDACTED},"user":"ana"}`],
    ["pin_code: '4321'", `pin_code: ${REDACTED}`],
    ["token=abc; path=/", `token=${REDACTED}; path=/`],
    ["db postgres://app:s3cr3t@db.internal:5432/shop down", `db postgres://app:${REDACTED}@db.internal:5432/shop down`],
    ["clone https://ghp_abcdef1234567890@github.com/x/y", `clone https://${REDACTED}@github.com/x/y`],
    ["jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U end", `jwt ${REDACTED} end`],
    ["pay to DE89 3704 0044 0532 0130 00 today", `pay to ${REDACTED} today`],
    ["iban GB82WEST12345698765432", `iban ${REDACTED}`],
    ["card 4111-1111-1111-1111", `card ${REDACTED}`],
    ["amex 378282246310005.", `amex ${REDACTED}.`],
    ["Authorization: Bearer abc.def.ghi123", `Authorization: Bearer ${REDACTED}`],
    ["Cookie: theme=dark; sess=abc123; cart=9\nnext line", `Cookie: ${REDACTED}\nnext line`],
    ["Set-Cookie: sid=abc; Path=/; HttpOnly", `Set-Cookie: ${REDACTED}`],
  ])("%s", (input, expected) => {
    expect(redactString(input)).toBe(expected);
  });

  it.each([
    "order 1234567890123 shipped",
    "at 1733212345678 ms",
    "amount 1250 BAM, 12.50",
    "request id 8f14e45f-ceea-467f-a0f3-6d0e2b8a1f3c",
    "ts 2026-12-03T07:35:51.123Z",
    "GB82WEST12345698765431 is not an IBAN (bad check digits)",
    "see https://example.com/path?page=2",
    "ratio 3:2 and key: value",
    "tx_id=tx-9 tenant=KM",
    "4111111111111112 fails Luhn",
    "DE00123456789012345678",
  ])("keeps %s", (input) => {
    expect(redactString(input)).toBe(input);
  });
});

describe("redact: the data shapes the trail writes", () => {
  it("writes a shared, non-circular object in full each time it is referenced", () => {
    const shared = { id: "w-1" };
    expect(redact({ from: shared, to: shared, list: [shared, shared] })).toEqual({ from: { id: "w-1" }, to: { id: "w-1" }, list: [{ id: "w-1" }, { id: "w-1" }] });
  });

  it("marks only true cycles as [Circular]", () => {
    const node: Record<string, unknown> = { name: "a" };
    node.self = node;
    expect(redact({ node })).toEqual({ node: { name: "a", self: "[Circular]" } });
  });

  it("turns a Map into an object of its entries and a Set into an array, redacting inside", () => {
    const out = redact({ m: new Map<unknown, unknown>([["a", 1], [2, { password: "x" }]]), s: new Set(["x", "y"]) });
    expect(out).toEqual({ m: { a: 1, "2": { password: REDACTED } }, s: ["x", "y"] });
  });

  it("redacts IBANs under bankAccount and secrets in nested free text", () => {
    const out = redact({ bankAccount: "DE89370400440532013000", payout: { note: "IBAN DE89370400440532013000", dsn_url: "https://k@o1.ingest.sentry.io/1" } });
    expect(JSON.stringify(out)).not.toContain("370400440532013000");
    expect(JSON.stringify(out)).not.toContain("k@o1");
  });

  it("caps the keys of one object and says how many were left out", () => {
    const data = Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`k${i}`, i]));
    const out = redact(data) as Record<string, unknown>;
    expect(Object.keys(out).length).toBeLessThanOrEqual(257);
    expect(Object.values(out)).toContain("[Truncated: 9744 keys]");
  });

  it("caps Maps and Sets the same way", () => {
    const out = redact({ m: new Map(Array.from({ length: 1000 }, (_, i) => [i, i])), s: new Set(Array.from({ length: 1000 }, (_, i) => i)) }) as unknown as { m: Record<string, unknown>; s: unknown[] };
    expect(Object.keys(out.m)).toHaveLength(257);
    expect(out.m["[truncated]"]).toBe("[Truncated: 744 keys]");
    expect(out.s).toHaveLength(257);
    expect(out.s[256]).toBe("[Truncated: 744 items]");
  });

  it("caps array items the same way", () => {
    const out = redact({ list: Array.from({ length: 5000 }, (_, i) => i) }) as { list: unknown[] };
    expect(out.list.length).toBe(257);
    expect(out.list[256]).toBe("[Truncated: 4744 items]");
  });
});

describe("redactPii: what Sentry may keep follows the policy", () => {
  const text = "login by ana@example.com from 203.0.113.7 and 2001:db8::1 failed";
  it("removes emails and IP addresses by default", () => {
    expect(redactPii(text, "none")).toBe(`login by ${REDACTED} from ${REDACTED} and ${REDACTED} failed`);
  });
  it("keeps IPs with ip, emails and IPs with ip+email", () => {
    expect(redactPii(text, "ip")).toBe(`login by ${REDACTED} from 203.0.113.7 and 2001:db8::1 failed`);
    expect(redactPii(text, "ip+email")).toBe(text);
  });
  it.each(["version 1.2.3-beta", "999.1.2.3", "at 12:30:45", "price 999.99", "route /api/shops/:shop", "v10.2.0"])("keeps %s", (input) => {
    expect(redactPii(input, "none")).toBe(input);
  });
});
