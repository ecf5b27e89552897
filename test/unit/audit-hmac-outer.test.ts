import { createHash, createHmac, randomBytes, randomInt } from "node:crypto";
import { describe, expect, it } from "vitest";
import { binaryMatchesHex, HmacOuter, wordsMatchHex } from "../../src/audit/hmac-outer.js";
import { createLineDigester } from "../../src/audit/line-digest.js";

/** A random key string: empty, ASCII, non-ASCII (2-4 byte UTF-8), up to well past one block. */
function randomKey(): string {
  const length = [0, 1, 63, 64, 65, 200][randomInt(6)] as number;
  const pool = ["a", "Z", "0", "é", "ß", "ж", "€", "中", "🔑", "\u0000", "\u007f"];
  let key = "";
  while (Buffer.byteLength(key) < length) key += pool[randomInt(pool.length)];
  return key;
}

/** Line lengths around the SHA-256 padding edges (55/56, 63/64/65 with the 64-byte ipad), and multi-block. */
const LENGTHS = [0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 129, 700, 4097];

function without(bytes: Buffer, from: number, to: number): Buffer {
  return Buffer.concat([bytes.subarray(0, from), bytes.subarray(to)]);
}

describe("HMAC outer hash in JavaScript (LineDigester.matches)", () => {
  it("agrees with node's createHmac for random keys, lines and cuts, and rejects every other digest", () => {
    for (let round = 0; round < 60; round++) {
      const key = randomKey();
      const digester = createLineDigester(key);
      for (const length of LENGTHS) {
        const bytes = randomBytes(length);
        const from = randomInt(length + 1);
        const to = from + randomInt(length - from + 1);
        const expected = createHmac("sha256", key).update(without(bytes, from, to)).digest("hex");
        // The hex sits inside a larger buffer, as the hash does in a chunk of lines.
        const at = randomInt(40);
        const hex = Buffer.concat([randomBytes(at), Buffer.from(expected, "latin1"), randomBytes(randomInt(3))]);
        expect(digester.matches(bytes, { from, to }, "hmac-sha256", hex, at)).toBe(true);
        expect(digester.digest(bytes, { from, to }, "hmac-sha256")).toBe(expected);
        expect(digester.matches(bytes, { from, to }, "hmac-sha256", hex, at + 1)).toBe(false);
        // A different key, or plain SHA-256, is a mismatch.
        expect(createLineDigester(`${key}x`).matches(bytes, { from, to }, "hmac-sha256", hex, at)).toBe(false);
        expect(digester.matches(bytes, { from, to }, "sha256", hex, at)).toBe(false);
      }
    }
  });

  it("agrees with node's SHA-256 for unkeyed lines, with or without a key", () => {
    for (const key of [undefined, "k"]) {
      const digester = createLineDigester(key);
      for (const length of LENGTHS) {
        const bytes = randomBytes(length);
        const from = randomInt(length + 1);
        const expected = createHash("sha256").update(without(bytes, from, length)).digest("hex");
        expect(digester.matches(bytes, { from, to: length }, "sha256", Buffer.from(expected), 0)).toBe(true);
        if (key !== undefined) expect(digester.matches(bytes, { from, to: length }, "hmac-sha256", Buffer.from(expected), 0)).toBe(false);
      }
    }
    expect(() => createLineDigester(undefined).matches(Buffer.from("x"), { from: 0, to: 0 }, "hmac-sha256", Buffer.alloc(64), 0)).toThrow(/needs a key/);
  });

  it("rejects one changed character in any of the 64 positions, upper-case hex, and a digest cut short", () => {
    for (const alg of ["hmac-sha256", "sha256"] as const) {
      const digester = createLineDigester("key");
      const bytes = Buffer.from('{"action":"wallet.deposit","seq":7}');
      const cut = { from: 0, to: 0 };
      const good = alg === "sha256" ? createHash("sha256").update(bytes).digest("hex") : createHmac("sha256", "key").update(bytes).digest("hex");
      expect(digester.matches(bytes, cut, alg, Buffer.from(good), 0)).toBe(true);
      for (let i = 0; i < 64; i++) {
        for (const replacement of ["0", "9", "a", "f", "g", "A", "F", '"', "\u0000", "\u00e9"]) {
          if (replacement === good[i]) continue;
          const hex = Buffer.from(good, "latin1");
          hex[i] = replacement.charCodeAt(0);
          expect(digester.matches(bytes, cut, alg, hex, 0)).toBe(false);
        }
      }
      // Upper case is not the schema's hex: a mismatch, as `===` with the lower-case digest says.
      expect(/[a-f]/.test(good)).toBe(true);
      expect(digester.matches(bytes, cut, alg, Buffer.from(good.toUpperCase()), 0)).toBe(false);
      // Fewer than 64 bytes left after `at`, or `at` outside the buffer: a mismatch, never a read past the end.
      expect(digester.matches(bytes, cut, alg, Buffer.from(good.slice(0, 63)), 0)).toBe(false);
      expect(digester.matches(bytes, cut, alg, Buffer.from(`x${good}`), 2)).toBe(false);
      expect(digester.matches(bytes, cut, alg, Buffer.from(good), -1)).toBe(false);
    }
  });

  it("computes the same outer hash as SHA-256 over opad and the inner digest", () => {
    for (let round = 0; round < 200; round++) {
      const opad = randomBytes(64);
      const inner = randomBytes(32);
      const expected = createHash("sha256").update(opad).update(inner).digest("hex");
      const outer = new HmacOuter(opad);
      expect(outer.matchesHex(inner.toString("latin1"), Buffer.from(expected), 0)).toBe(true);
      const flipped = Buffer.from(expected);
      const at = randomInt(64);
      flipped[at] = (flipped[at] as number) ^ 1;
      expect(outer.matchesHex(inner.toString("latin1"), flipped, 0)).toBe(false);
    }
    expect(() => new HmacOuter(new Uint8Array(63))).toThrow(/64-byte/);
  });

  it("compares words and binary digests with hex digits by value", () => {
    const words = Int32Array.from([0x01234567, 0x89abcdef, -1, 0, 0x7fffffff, -0x80000000, 0x10, 0xfedcba98]);
    const hex = "0123456789abcdefffffffff000000007fffffff800000000000001" + "0fedcba98";
    expect(hex.length).toBe(64);
    expect(wordsMatchHex(words, Buffer.from(hex), 0)).toBe(true);
    expect(wordsMatchHex(words, Buffer.from(hex.replace("f", "F")), 0)).toBe(false);
    const digest = randomBytes(32);
    expect(binaryMatchesHex(digest.toString("latin1"), Buffer.from(digest.toString("hex")), 0)).toBe(true);
    expect(binaryMatchesHex(digest.toString("latin1").slice(1), Buffer.from(digest.toString("hex")), 0)).toBe(false);
  });
});
