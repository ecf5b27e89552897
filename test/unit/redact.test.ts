import { describe, expect, it } from "vitest";
import { isSensitiveKey, maskLicenseKey, redact, redactString, REDACTED } from "../../src/audit/redact.js";

describe("isSensitiveKey", () => {
  it.each([
    ["password", true], ["newPassword", true], ["api_key", true], ["apiKey", true], ["API-KEY", true],
    ["authorization", true], ["Cookie", true], ["card_number", true], ["cvv", true], ["iban", true],
    ["client_secret", true], ["refreshToken", true], ["pin", true],
    ["author", false], ["shipping", false], ["company", false], ["amount", false], ["tenant", false],
    ["cardinality", false], ["opinion", false],
  ])("%s → %s", (key, expected) => {
    expect(isSensitiveKey(key)).toBe(expected);
  });
});

describe("maskLicenseKey", () => {
  it("keeps the last group and a fingerprint, never the full key", () => {
    const masked = maskLicenseKey("ABCD-EFGH-IJKL-MNOP");
    expect(masked).toMatch(/^\*{4}-\*{4}-\*{4}-MNOP \(sha256:[0-9a-f]{8}\)$/);
    expect(masked).not.toContain("ABCD");
  });

  it("gives the same fingerprint for the same key, a different one for another", () => {
    expect(maskLicenseKey("AAAA-BBBB-CCCC-DDDD")).toBe(maskLicenseKey("AAAA-BBBB-CCCC-DDDD"));
    expect(maskLicenseKey("AAAA-BBBB-CCCC-DDDD")).not.toBe(maskLicenseKey("AAAA-BBBB-CCCD-DDDD"));
  });
});

describe("redactString", () => {
  it("removes Luhn-valid card numbers but keeps other digit runs", () => {
    expect(redactString("card 4111 1111 1111 1111 ok")).toBe(`card ${REDACTED} ok`);
    expect(redactString("order 1234567890123")).toBe("order 1234567890123");
  });

  it("removes bearer credentials and masks license keys inside text", () => {
    expect(redactString("Authorization: Bearer abc.def.ghi123")).toBe(`Authorization: Bearer ${REDACTED}`);
    expect(redactString("key Q1W2-E3R4-T5Y6-U7I8 sent")).not.toContain("Q1W2-E3R4-T5Y6");
  });
});

describe("redact", () => {
  it("redacts nested sensitive keys without mutating the input", () => {
    const input = { user: "ana", auth: { password: "hunter2", token: "t0k" }, items: [{ cvv: "123" }] };
    const out = redact(input);
    expect(out).toEqual({ user: "ana", auth: REDACTED, items: [{ cvv: REDACTED }] });
    expect(input.auth.password).toBe("hunter2");
  });

  it("masks license_key fields and survives cycles", () => {
    const cyclic: Record<string, unknown> = { license_key: "ZZZZ-YYYY-XXXX-WWWW" };
    cyclic.self = cyclic;
    const out = redact(cyclic) as Record<string, unknown>;
    expect(out.license_key).toMatch(/-WWWW \(sha256:/);
    expect(out.self).toBe("[Circular]");
  });
});
