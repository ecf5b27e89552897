/**
 * Prometheus rejects label values (and OpenMetrics HELP text) that are not valid UTF-8, and
 * promtool names the bad bytes (`invalid label value "\xff"`). A plain UTF-8 decode would turn
 * them into U+FFFD and lose both, so a body that is not valid UTF-8 is decoded with each bad
 * byte kept as a lone low surrogate U+DC80–U+DCFF (which valid UTF-8 can never produce): the
 * parsers find them and goQuote prints them back as `\xNN`.
 */
const strict = new TextDecoder("utf-8", { fatal: true });

export interface DecodedBody {
  body: string;
  /** Whether the bytes were not valid UTF-8 (the body then carries escaped bytes). */
  invalidUtf8: boolean;
}

const cont = (b: number | undefined) => b !== undefined && b >= 0x80 && b <= 0xbf;

/** Length of the valid UTF-8 sequence at `i` (Go's utf8 rules: no overlongs, no surrogates), or 0. */
function sequenceLength(bytes: Uint8Array, i: number): number {
  const b0 = bytes[i] as number;
  const b1 = bytes[i + 1];
  if (b0 < 0x80) return 1;
  if (b0 >= 0xc2 && b0 <= 0xdf) return cont(b1) ? 2 : 0;
  if (b0 >= 0xe0 && b0 <= 0xef) {
    const low = b0 === 0xe0 ? 0xa0 : 0x80;
    const high = b0 === 0xed ? 0x9f : 0xbf;
    return b1 !== undefined && b1 >= low && b1 <= high && cont(bytes[i + 2]) ? 3 : 0;
  }
  if (b0 >= 0xf0 && b0 <= 0xf4) {
    const low = b0 === 0xf0 ? 0x90 : 0x80;
    const high = b0 === 0xf4 ? 0x8f : 0xbf;
    return b1 !== undefined && b1 >= low && b1 <= high && cont(bytes[i + 2]) && cont(bytes[i + 3]) ? 4 : 0;
  }
  return 0;
}

export function decodeBody(bytes: Uint8Array): DecodedBody {
  try {
    return { body: strict.decode(bytes), invalidUtf8: false };
  } catch {
    // Not valid UTF-8: the slow path below, only for broken bodies.
  }
  let body = "";
  let run = 0;
  let i = 0;
  while (i < bytes.length) {
    const n = sequenceLength(bytes, i);
    if (n > 0) {
      i += n;
      continue;
    }
    body += strict.decode(bytes.subarray(run, i)) + String.fromCharCode(0xdc00 + (bytes[i] as number));
    i++;
    run = i;
  }
  body += strict.decode(bytes.subarray(run));
  return { body, invalidUtf8: true };
}

const ESCAPED_BYTE = /[\udc80-\udcff]/;

/** Whether a decoded string holds a byte that was not valid UTF-8. */
export const hasInvalidUtf8 = (text: string) => ESCAPED_BYTE.test(text);

/** The byte an escaped code unit stands for, or undefined for any other code point. */
export function escapedByte(code: number): number | undefined {
  return code >= 0xdc80 && code <= 0xdcff ? code - 0xdc00 : undefined;
}
