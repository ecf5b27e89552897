import { createHash, hash as oneShotHash } from "node:crypto";
import type { HashAlgorithm } from "./chain.js";
import { binaryMatchesHex, HmacOuter } from "./hmac-outer.js";
import { hasAt } from "./line-pattern.js";

/**
 * Recomputes entry hashes straight from the bytes on disk. A canonical line IS the canonical
 * entry with `"hash":"…"` spliced in at its sorted place, so removing that one member gives
 * exactly the bytes the writer hashed: no re-serialisation per line, which is what makes
 * `mon verify` fast. HMAC is built from two one-shot SHA-256 calls over preallocated buffers
 * (RFC 2104) because creating an Hmac object per line costs more than hashing the line; the
 * inner digest travels as a latin1 string, which is cheaper than a Buffer result. `matches`,
 * the hot path's form, compares with the hex digits in the line's own bytes instead of making
 * a hex string, and computes HMAC's outer hash in JavaScript (hmac-outer.ts).
 */
export interface LineDigester {
  /** Hex digest of `bytes` without the bytes in [cut.from, cut.to), with SHA-256 or (keyed) HMAC-SHA256. */
  digest(bytes: Buffer, cut: ByteCut, alg: HashAlgorithm): string;
  /**
   * Whether digest(bytes, cut, alg) equals the 64 characters at hex[at, at + 64) read as latin1,
   * i.e. exactly when those bytes are the lower-case hex digest (upper case is a mismatch).
   */
  matches(bytes: Buffer, cut: ByteCut, alg: HashAlgorithm, hex: Uint8Array, at: number): boolean;
}

/** A byte range removed from a line before hashing it. */
export interface ByteCut {
  from: number;
  to: number;
}

const BLOCK = 64;

export function createLineDigester(key: string | undefined): LineDigester {
  return new ScratchDigester(key);
}

/**
 * A class, not a closure per digester: every segment's checker then calls the same function, so
 * V8's optimised verify loop keeps its inlined call when the next segment starts.
 */
class ScratchDigester implements LineDigester {
  private scratch = Buffer.allocUnsafe(BLOCK + 64 * 1024);
  /**
   * Views of the scratch buffer by where they end (`views.get(n)` is scratch[0, n)): line lengths
   * repeat, so the HMAC input takes one view per distinct length instead of one per line. A Map,
   * not an array indexed by length: such an array is sparse, and its change to dictionary
   * elements threw away the optimised code that read it.
   */
  private views = new Map<number, Buffer>();
  /** The same for the SHA-256 input, scratch[BLOCK, n) at `bodies.get(n)`. */
  private bodies = new Map<number, Buffer>();
  private readonly ipad: Buffer | undefined;
  private readonly outer: Buffer | undefined;
  private readonly outerHash: HmacOuter | undefined;

  constructor(key: string | undefined) {
    if (key === undefined) return;
    // HMAC keys longer than one block are hashed first; shorter ones are zero-padded.
    let raw = Buffer.from(key, "utf8");
    if (raw.length > BLOCK) raw = createHash("sha256").update(raw).digest();
    const padded = Buffer.alloc(BLOCK);
    raw.copy(padded);
    this.ipad = Buffer.from(padded.map((b) => b ^ 0x36));
    this.outer = Buffer.alloc(BLOCK + 32);
    Buffer.from(padded.map((b) => b ^ 0x5c)).copy(this.outer);
    this.outerHash = new HmacOuter(this.outer.subarray(0, BLOCK));
    this.ipad.copy(this.scratch);
  }

  digest(bytes: Buffer, cut: ByteCut, alg: HashAlgorithm): string {
    const offset = this.place(bytes, cut);
    if (alg === "sha256") return oneShotHash("sha256", this.body(offset), "hex");
    const outer = this.outer;
    if (!outer) throw new Error("HMAC-SHA256 needs a key");
    outer.write(oneShotHash("sha256", this.keyed(offset), "binary"), BLOCK, "latin1");
    return oneShotHash("sha256", outer, "hex");
  }

  matches(bytes: Buffer, cut: ByteCut, alg: HashAlgorithm, hex: Uint8Array, at: number): boolean {
    const offset = this.place(bytes, cut);
    if (alg === "sha256") return binaryMatchesHex(oneShotHash("sha256", this.body(offset), "binary"), hex, at);
    const outerHash = this.outerHash;
    if (!outerHash) throw new Error("HMAC-SHA256 needs a key");
    return outerHash.matchesHex(oneShotHash("sha256", this.keyed(offset), "binary"), hex, at);
  }

  /** The SHA-256 input placed by place(): scratch[BLOCK, offset). */
  private body(offset: number): Buffer {
    let view = this.bodies.get(offset);
    if (view === undefined) this.bodies.set(offset, (view = this.scratch.subarray(BLOCK, offset)));
    return view;
  }

  /** The inner HMAC input placed by place(): ipad and the line, scratch[0, offset). */
  private keyed(offset: number): Buffer {
    let view = this.views.get(offset);
    if (view === undefined) this.views.set(offset, (view = this.scratch.subarray(0, offset)));
    return view;
  }

  /** Copies `bytes` without the cut after the ipad block in the scratch buffer; returns where it ends. */
  private place(bytes: Buffer, cut: ByteCut): number {
    const length = bytes.length - (cut.to - cut.from);
    if (this.scratch.length < BLOCK + bytes.length) {
      this.scratch = Buffer.allocUnsafe(BLOCK + bytes.length * 2);
      this.ipad?.copy(this.scratch);
      this.views = new Map();
      this.bodies = new Map();
    }
    const scratch = this.scratch;
    // One TypedArray set + copyWithin over the gap: builtins that allocate nothing, unlike
    // Buffer#copy of a sub-range (which builds a view per call).
    scratch.set(bytes, BLOCK);
    scratch.copyWithin(BLOCK + cut.from, BLOCK + cut.to, BLOCK + bytes.length);
    return BLOCK + length;
  }
}

const HASH_KEY = '"hash":"';
/** Length of `"hash":"` + 64 hex digits + `"`. */
const HASH_MEMBER_CHARS = 73;

/**
 * Where the line's top-level `hash` member (with the comma that joins it) sits in `bytes`, so
 * the rest is exactly what was hashed. `text` is `bytes` decoded; `hash` the value parsed from
 * it. Undefined when the member is not there as written (the line is then not canonical).
 */
export function findHashMember(bytes: Buffer, text: string, hash: string): ByteCut | undefined {
  let at = text.indexOf(HASH_KEY);
  // Skip a nested "hash" member (inside data) that is not this entry's own hash.
  while (at !== -1 && !(hasAt(text, hash, at + HASH_KEY.length) && text.charCodeAt(at + HASH_MEMBER_CHARS - 1) === 0x22)) at = text.indexOf(HASH_KEY, at + 1);
  if (at <= 0) return undefined;
  let from = at;
  let to = at + HASH_MEMBER_CHARS;
  if (text.charCodeAt(at - 1) === 0x2c /* , */) from -= 1;
  else if (text.charCodeAt(at - 1) === 0x7b /* { */ && text.charCodeAt(to) === 0x2c) to += 1;
  else return undefined;
  // Everything removed is ASCII, so only the start needs converting from characters to bytes.
  const fromByte = bytes.length === text.length ? from : Buffer.byteLength(text.slice(0, from), "utf8");
  return { from: fromByte, to: fromByte + (to - from) };
}
