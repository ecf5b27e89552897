import { describe, expect, it } from "vitest";
import { formatMoney, minorToDecimal, minorUnitDigits } from "../../src/audit/money.js";

describe("money from minor units", () => {
  it.each([
    [1234, "EUR", "12.34"],
    [5, "EUR", "0.05"],
    [-5, "EUR", "-0.05"],
    [0, "BAM", "0.00"],
    [123456789, "BAM", "1234567.89"],
    [1234, "JPY", "1234"],
    [1234, "KWD", "1.234"],
    [Number.MAX_SAFE_INTEGER, "EUR", "90071992547409.91"],
    [123456789012345678901n, "EUR", "1234567890123456789.01"],
  ] as const)("%s %s → %s", (minor, currency, expected) => {
    expect(minorToDecimal(minor, currency)).toBe(expected);
  });

  it.each([
    ["EUR", 2], ["BAM", 2], ["JPY", 0], ["KWD", 3], ["not-a-code", 2],
  ] as const)("%s has %i minor digits", (currency, digits) => {
    expect(minorUnitDigits(currency)).toBe(digits);
  });

  it.each([
    [1234, "EUR", "en-US", "€12.34"],
    [-123456, "EUR", "en-US", "-€1,234.56"],
    [1234, "EUR", "de-DE", "12,34\u00a0€"],
    [1234, "BAM", "en-US", "BAM\u00a012.34"],
    [1250, "BAM", "bs-BA", "12,50\u00a0KM"],
    [9_007_199_254_740_993n, "BAM", "en-US", "BAM\u00a090,071,992,547,409.93"],
    [1234, "JPY", "en-US", "¥1,234"],
    [1234, "ZZ", "en-US", "12.34 ZZ"],
  ] as const)("%s %s in %s → %s", (minor, currency, locale, expected) => {
    expect(formatMoney(minor, currency, locale)).toBe(expected);
  });
});
