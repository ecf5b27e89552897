/**
 * Random damage to a day file's bytes, of the kinds an attacker or a crash makes, and random read
 * sizes: the parity tests hold a fast scan path to the per-line one under both.
 */

/** Characters inserted into a line: multi-byte, control, JSON structure, BOM, bidi override. */
const INSERTS = ["é", "€", "😀", "\r", "\u0000", '"', "\\", "x", "0", "}", "{", "\n", "\ufeff", "\u202e"];

/** One random edit: bytes inserted or flipped, lines deleted, repeated, swapped or blanked, CRLF, BOM, a cut end, a non-hex digit in hash or prev. */
export function mutateTrail(bytes: Buffer, random: () => number): Buffer {
  const at = Math.floor(random() * bytes.length);
  const lines = bytes.toString().split("\n");
  const line = Math.floor(random() * (lines.length - 1));
  switch (Math.floor(random() * 10)) {
    case 0: return Buffer.concat([bytes.subarray(0, at), Buffer.from(INSERTS[Math.floor(random() * INSERTS.length)] as string), bytes.subarray(at + (random() < 0.5 ? 1 : 0))]);
    case 1: lines.splice(line, 1); break;
    case 2: lines.splice(line, 0, lines[line] as string); break;
    case 3: [lines[line], lines[line + 1]] = [lines[line + 1] as string, lines[line] as string]; break;
    case 4: lines[line] = `${lines[line]}\r`; break;
    case 5: return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), bytes]);
    case 6: return bytes.subarray(0, at);
    case 7: lines.splice(line, 0, ""); break;
    case 8: {
      // The line pattern leaves hash and prev to a check of their own: one digit of either becomes another character.
      const member = random() < 0.5 ? '"hash":"' : '"prev":"';
      const text = lines[line] as string;
      const found = text.indexOf(member);
      if (found === -1) break;
      const digit = found + member.length + Math.floor(random() * 64);
      lines[line] = `${text.slice(0, digit)}${"gA-: "[Math.floor(random() * 5)]}${text.slice(digit + 1)}`;
      break;
    }
    default: { const b = Buffer.from(bytes); b[at] = (b[at] as number) ^ 0x01; return b; }
  }
  return Buffer.from(lines.join("\n"));
}

/** `bytes` cut into chunks of random sizes (mostly 1 byte to 3 windows, sometimes a few bytes), as reads of any size would. */
export function randomChunks(bytes: Buffer, random: () => number): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at < bytes.length; ) {
    const size = random() < 0.1 ? 1 + Math.floor(random() * 8) : 1 + Math.floor(random() * 200_000);
    out.push(bytes.subarray(at, at + size));
    at += size;
  }
  return out;
}
