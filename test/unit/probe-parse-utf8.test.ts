import { describe, expect, it } from "vitest";
import { goQuote } from "../../src/probe/parse-number.js";
import { decodeBody, hasInvalidUtf8 } from "../../src/probe/parse-utf8.js";

describe("decodeBody: UTF-8 with the bad bytes kept", () => {
  it("decodes a valid body as it is", () => {
    const decoded = decodeBody(Buffer.from('a{city="Zürich",emoji="🙂"} 1\n'));
    expect(decoded).toEqual({ body: 'a{city="Zürich",emoji="🙂"} 1\n', invalidUtf8: false });
    expect(hasInvalidUtf8(decoded.body)).toBe(false);
  });

  it.each([
    ["a lone byte", [0x63, 0x61, 0x66, 0xe9], '"caf\\xe9"'],
    ["a truncated sequence", [0x61, 0xe2, 0x82, 0x61], '"a\\xe2\\x82a"'],
    ["an overlong encoding", [0xc0, 0xaf], '"\\xc0\\xaf"'],
    ["an encoded surrogate", [0xed, 0xa0, 0x80], '"\\xed\\xa0\\x80"'],
    ["a code point above U+10FFFF", [0xf4, 0x90, 0x80, 0x80], '"\\xf4\\x90\\x80\\x80"'],
  ])("keeps %s and prints it the way Go's %%q does", (_name, bytes, quoted) => {
    const decoded = decodeBody(Uint8Array.from(bytes));
    expect(decoded.invalidUtf8).toBe(true);
    expect(hasInvalidUtf8(decoded.body)).toBe(true);
    expect(goQuote(decoded.body)).toBe(quoted);
  });

  it("keeps the valid text around bad bytes", () => {
    const decoded = decodeBody(Buffer.concat([Buffer.from("ü"), Buffer.from([0xff]), Buffer.from("€")]));
    expect(goQuote(decoded.body)).toBe('"ü\\xff€"');
  });
});
