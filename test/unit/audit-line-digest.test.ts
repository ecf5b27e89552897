import { createHash, createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { canonicalize } from "../../src/audit/canonical.js";
import { computeEntryHash } from "../../src/audit/chain.js";
import { createLineDigester, findHashMember } from "../../src/audit/line-digest.js";
import { TestTrail } from "../helpers/audit-trail.js";

describe("createLineDigester", () => {
  it.each([
    ["a short key", "k"],
    ["a 64-byte key", "x".repeat(64)],
    ["a key longer than one block", "long-key-".repeat(20)],
    ["a non-ASCII key", "ključ-🔑"],
  ])("matches node's HMAC-SHA256 for %s", (_name, key) => {
    const digester = createLineDigester(key);
    for (const text of ["", "abc", "é".repeat(5000), "x".repeat(70_000)]) {
      const bytes = Buffer.from(text);
      expect(digester.digest(bytes, { from: 0, to: 0 }, "hmac-sha256")).toBe(createHmac("sha256", key).update(bytes).digest("hex"));
    }
  });

  it("matches hashing the bytes outside any cut, reusing (and growing) its buffer across calls", () => {
    const digester = createLineDigester("k");
    // Deterministic sizes and cuts: the cut at the very start, the end, empty, and a line past the initial buffer.
    for (const size of [0, 1, 74, 700, 65_000, 140_000, 300]) {
      const bytes = Buffer.from(Array.from({ length: size }, (_v, i) => (i * 31 + size) & 255));
      for (const [from, to] of [[0, 0], [0, Math.min(size, 74)], [size >> 1, size], [size >> 2, (size >> 2) + (size >> 3)], [size, size]] as const) {
        const rest = Buffer.concat([bytes.subarray(0, from), bytes.subarray(to)]);
        expect(digester.digest(bytes, { from, to }, "hmac-sha256")).toBe(createHmac("sha256", "k").update(rest).digest("hex"));
        expect(digester.digest(bytes, { from, to }, "sha256")).toBe(createHash("sha256").update(rest).digest("hex"));
      }
    }
  });

  it("hashes the bytes around a cut with plain SHA-256", () => {
    const digester = createLineDigester(undefined);
    const bytes = Buffer.from("hello, cruel world");
    expect(digester.digest(bytes, { from: 5, to: 12 }, "sha256")).toBe(createHash("sha256").update("hello world").digest("hex"));
    expect(() => digester.digest(bytes, { from: 0, to: 0 }, "hmac-sha256")).toThrow(/needs a key/);
  });
});

describe("findHashMember", () => {
  const trail = new TestTrail({ key: "k" });
  const writer = trail.writer();

  it.each([
    ["an ordinary entry", {}],
    ["non-ASCII text before the hash", { reason: "čćžšđ € 🔑" }],
    ["a nested data.hash that is not the entry's", { data: { hash: "f".repeat(64), note: '"hash":"' } }],
  ])("cuts exactly the hashed bytes out of %s", (_name, event) => {
    const entry = writer.record(event);
    const text = canonicalize(entry);
    const bytes = Buffer.from(text);
    const cut = findHashMember(bytes, text, entry.hash);
    expect(cut).toBeDefined();
    const rest = Buffer.concat([bytes.subarray(0, cut?.from), bytes.subarray(cut?.to)]);
    const { hash: _hash, ...body } = entry;
    expect(rest.toString()).toBe(canonicalize(body));
    expect(createLineDigester("k").digest(bytes, cut ?? { from: 0, to: 0 }, "hmac-sha256")).toBe(computeEntryHash(entry, "k"));
  });

  it("handles hash as the first member and reports a missing one", () => {
    const text = `{"hash":"${"a".repeat(64)}","v":1}`;
    expect(findHashMember(Buffer.from(text), text, "a".repeat(64))).toEqual({ from: 1, to: 1 + 74 });
    expect(findHashMember(Buffer.from(text), text, "b".repeat(64))).toBeUndefined();
  });
});
