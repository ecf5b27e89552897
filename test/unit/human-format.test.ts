import { describe, expect, it } from "vitest";
import { formatBytes, formatCount, plural } from "../../src/human-format.js";

describe("numbers for people", () => {
  it.each([[0, "0"], [999, "999"], [1000, "1,000"], [2806, "2,806"], [1234567, "1,234,567"]])("%d is %s", (n, text) => {
    expect(formatCount(n)).toBe(text);
  });

  it("groups every number exactly as en-US Intl.NumberFormat does (whole numbers without loading it)", () => {
    const intl = new Intl.NumberFormat("en-US");
    const values = [-0, 1.5, -1234.5678, 0.1, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 2 ** 60, Infinity, NaN];
    for (let digits = 1; digits <= 16; digits++) values.push(10 ** (digits - 1), 10 ** digits - 1, -(10 ** (digits - 1)), Math.floor(10 ** digits / 7));
    for (const value of values) expect(formatCount(value), String(value)).toBe(intl.format(value));
  });

  it.each([
    [1, "file", undefined, "1 file"], [0, "file", undefined, "0 files"], [2, "branch", "branches", "2 branches"],
    [1, "branch", "branches", "1 branch"], [1500, "entry", "entries", "1,500 entries"],
  ])("plural(%d, %s)", (n, word, pluralForm, text) => {
    expect(plural(n, word, pluralForm)).toBe(text);
  });

  it.each([[0, "0 B"], [912, "912 B"], [1024, "1.0 kB"], [414530, "404.8 kB"], [12.3 * 1024 * 1024, "12.3 MB"], [5 * 1024 ** 3, "5.0 GB"]])("%d bytes is %s", (n, text) => {
    expect(formatBytes(n)).toBe(text);
  });
});
