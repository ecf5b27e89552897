import { randomFillSync } from "node:crypto";

/**
 * Request ids for requests that bring no usable `x-request-id`. They correlate a response, its
 * Sentry events and its audit entries; they are not secrets (the response header shows them to
 * the client). So instead of 122 fresh random bits per request (`randomUUID()`, whose entropy
 * refills and formatting were a measurable part of the middleware's cost on Node 24), each id is
 * a random prefix plus a counter: 106 random bits shared by a run of 65,536 consecutive ids,
 * then a new prefix. Ids stay unique across processes and restarts (a collision needs two
 * prefixes to repeat); ids of one run differ only in their counter, and one id tells a client
 * nothing about the ids of other runs.
 *
 * The layout is a UUID's (8-4-4-4-12 lowercase hex, version 8 "custom" and the RFC 9562 variant),
 * so logs and tools that expect UUID-shaped request ids keep accepting them.
 */

const HEX: string[] = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, "0"));
const RUN = 0x10000;
/** The id's first 14 bytes; the last two are the counter. */
const random = Buffer.alloc(14);
let prefix = "";
let counter = RUN;

function hex(from: number, to: number): string {
  let out = "";
  for (let i = from; i < to; i++) out += HEX[random[i] as number];
  return out;
}

/** A new run: fresh random bits for the next 65,536 ids. */
function renew(): void {
  randomFillSync(random);
  // Version 8 in the high nibble of byte 6, variant 10xx in the high bits of byte 8.
  random[6] = 0x80 | (random[6]! & 0x0f);
  random[8] = 0x80 | (random[8]! & 0x3f);
  prefix = `${hex(0, 4)}-${hex(4, 6)}-${hex(6, 8)}-${hex(8, 10)}-${hex(10, 14)}`;
  counter = 0;
}

/** A fresh request id, e.g. `3f9a0c1e-7b42-8d05-a61f-c2e9b0d4000a` (the last four digits count). */
export function newRequestId(): string {
  if (counter === RUN) renew();
  const n = counter++;
  return prefix + HEX[n >>> 8] + HEX[n & 0xff];
}
