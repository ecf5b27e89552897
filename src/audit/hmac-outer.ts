/**
 * The outer hash of HMAC-SHA256 (RFC 2104) for one key, in JavaScript: SHA-256(opad ‖ inner).
 * The opad block is the same for every line, so the state after it is computed once; what is
 * left per line is ONE compression of a block of fixed layout (the 32 inner digest bytes, 0x80,
 * zeros, the length 768 bits). A native `crypto.hash` call for those 96 bytes costs about twice
 * that compression, nearly all of it per-call overhead (argument checks, algorithm lookup, a
 * digest context allocated and freed), plus a hex string made only to be compared.
 *
 * The compression allocates nothing: its state and message schedule are preallocated Int32Arrays.
 */

/** SHA-256 round constants (FIPS 180-4, 4.2.2). */
const K = Int32Array.from([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

/** SHA-256 initial hash value (FIPS 180-4, 5.3.3). */
const IV = Int32Array.from([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);

/** The message schedule, shared by every compression (JavaScript runs one at a time per thread). */
const W = new Int32Array(64);

/** Value of each byte as a lower-case hex digit, -1 for every other byte (upper case included). */
const HEX_VALUE = new Int8Array(256).fill(-1);
for (let i = 0; i < 16; i++) HEX_VALUE["0123456789abcdef".charCodeAt(i)] = i;

/** Compresses the block in W[0..16) into `out`, starting from `state` (out may be state). */
function compress(state: Int32Array, out: Int32Array): void {
  for (let t = 16; t < 64; t++) {
    const x = W[t - 15] as number;
    const y = W[t - 2] as number;
    const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
    const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
    W[t] = (s1 + (W[t - 7] as number) + s0 + (W[t - 16] as number)) | 0;
  }
  let a = state[0] as number;
  let b = state[1] as number;
  let c = state[2] as number;
  let d = state[3] as number;
  let e = state[4] as number;
  let f = state[5] as number;
  let g = state[6] as number;
  let h = state[7] as number;
  for (let t = 0; t < 64; t++) {
    const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const t1 = (h + S1 + (g ^ (e & (f ^ g))) + (K[t] as number) + (W[t] as number)) | 0;
    const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const t2 = (S0 + ((a & b) | (c & (a | b)))) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  out[0] = ((state[0] as number) + a) | 0;
  out[1] = ((state[1] as number) + b) | 0;
  out[2] = ((state[2] as number) + c) | 0;
  out[3] = ((state[3] as number) + d) | 0;
  out[4] = ((state[4] as number) + e) | 0;
  out[5] = ((state[5] as number) + f) | 0;
  out[6] = ((state[6] as number) + g) | 0;
  out[7] = ((state[7] as number) + h) | 0;
}

export class HmacOuter {
  /** SHA-256 state after the opad block. */
  private readonly opadState = new Int32Array(8);
  private readonly result = new Int32Array(8);

  /** `opad`: the 64-byte key block XOR 0x5c. */
  constructor(opad: Uint8Array) {
    if (opad.length !== 64) throw new Error("HmacOuter needs the 64-byte opad block");
    for (let i = 0; i < 16; i++) W[i] = ((opad[i * 4] as number) << 24) | ((opad[i * 4 + 1] as number) << 16) | ((opad[i * 4 + 2] as number) << 8) | (opad[i * 4 + 3] as number);
    compress(IV, this.opadState);
  }

  /**
   * Whether HMAC(inner) equals the 64 lower-case hex digits at hex[at, at + 64). `inner`: the
   * inner digest as a latin1 string of 32 characters (crypto.hash's "binary" result, cheaper
   * than a Buffer). Any byte that is not a lower-case hex digit is a mismatch, as a string
   * comparison with the lower-case hex digest would say.
   */
  matchesHex(inner: string, hex: Uint8Array, at: number): boolean {
    for (let i = 0; i < 8; i++) {
      const j = i * 4;
      W[i] = (inner.charCodeAt(j) << 24) | (inner.charCodeAt(j + 1) << 16) | (inner.charCodeAt(j + 2) << 8) | inner.charCodeAt(j + 3);
    }
    // Padding of a 96-byte message: one 1 bit, zeros, the bit length (64 + 32 bytes = 768 bits).
    W[8] = 0x80000000 | 0;
    for (let i = 9; i < 15; i++) W[i] = 0;
    W[15] = 768;
    compress(this.opadState, this.result);
    return wordsMatchHex(this.result, hex, at);
  }
}

/**
 * Whether a digest given as a latin1 string of 32 characters (crypto.hash's "binary" result)
 * equals the lower-case hex digits at hex[at, at + 64), by the same rule as matchesHex.
 */
export function binaryMatchesHex(digest: string, hex: Uint8Array, at: number): boolean {
  if (digest.length !== 32 || at < 0 || at + 64 > hex.length) return false;
  for (let i = 0; i < 32; i++) {
    const high = HEX_VALUE[hex[at + 2 * i] as number] as number;
    const low = HEX_VALUE[hex[at + 2 * i + 1] as number] as number;
    if (high < 0 || low < 0 || ((high << 4) | low) !== digest.charCodeAt(i)) return false;
  }
  return true;
}

/** Whether the 8 big-endian words equal the lower-case hex digits at hex[at, at + 64). */
export function wordsMatchHex(words: Int32Array, hex: Uint8Array, at: number): boolean {
  if (at < 0 || at + 64 > hex.length) return false;
  for (let i = 0; i < 8; i++) {
    let value = 0;
    for (let k = at + i * 8, end = k + 8; k < end; k++) {
      const digit = HEX_VALUE[hex[k] as number] as number;
      if (digit < 0) return false;
      value = (value << 4) | digit;
    }
    if (value !== words[i]) return false;
  }
  return true;
}
