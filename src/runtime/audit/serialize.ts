import { canonicalize, quoteJson as quote } from "../../audit/canonical.js";
import { digest } from "../../audit/chain.js";
import type { AuditEntry } from "../../audit/entry.js";
import type { BuiltEntry } from "./build-entry.js";

/** The chain position an entry is written at. */
export interface ChainLink {
  writer: string;
  seq: number;
  prev: string;
}

export interface ChainedEntry {
  entry: AuditEntry;
  /** The canonical line, newline included: exactly `formatAuditLine(entry)`. */
  line: string;
}

/** Every AuditEntry field, in canonical (sorted) order; `hash` is spliced between data and ip. */
const FIELD_ORDER = [
  "action", "actor", "amount", "branch", "category", "data", "hash", "ip", "outcome", "prev", "reason",
  "request_id", "seq", "target", "tenant", "truncated", "ts", "tx_id", "user_agent", "v", "writer",
] as const;
// Fails to compile when AuditEntry gains a field this serializer does not write.
const exhaustive: Exclude<keyof AuditEntry, (typeof FIELD_ORDER)[number]> extends never ? true : never = true;
void exhaustive;

function optional(name: string, value: string | undefined): string {
  return value === undefined ? "" : `,"${name}":${quote(value)}`;
}

/**
 * Chains a built entry and serializes it: the hash covers the canonical entry without `hash`
 * (computeEntryHash), the line is the canonical entry with it (formatAuditLine).
 *
 * This is the writer's hot path, so it writes the fixed fields in FIELD_ORDER by hand instead of
 * canonicalizing generically (which costs several times more per entry); `data`, the only
 * free-form part, is spliced in as the canonical JSON computed when the entry was built. The
 * unit tests pin the output to computeEntryHash and formatAuditLine over generated entries,
 * including strings that need escaping. The body becomes the entry (it is the writer's own copy).
 */
export function chainEntry(built: BuiltEntry, link: ChainLink, key: string | undefined): ChainedEntry {
  const b = built.body;
  const { actor, amount, target } = b;
  const head =
    `{"action":${quote(b.action)},"actor":{"id":${quote(actor.id)}${optional("role", actor.role)},"type":${quote(actor.type)}}` +
    (amount ? `,"amount":{"currency":${quote(amount.currency)},"minor":${amount.minor}}` : "") +
    optional("branch", b.branch) +
    `,"category":${quote(b.category)}` +
    (b.data === undefined ? "" : `,"data":${built.dataJson ?? canonicalize(b.data)}`);
  const tail =
    (b.ip === undefined ? "" : `"ip":${quote(b.ip)},`) +
    `"outcome":${quote(b.outcome)},"prev":${quote(link.prev)}` +
    optional("reason", b.reason) +
    optional("request_id", b.request_id) +
    `,"seq":${link.seq}` +
    (target ? `,"target":{"id":${quote(target.id)},"type":${quote(target.type)}}` : "") +
    `,"tenant":${quote(b.tenant)}` +
    (b.truncated ? `,"truncated":${JSON.stringify(b.truncated)}` : "") +
    `,"ts":${quote(b.ts)}` +
    optional("tx_id", b.tx_id) +
    optional("user_agent", b.user_agent) +
    `,"v":${b.v},"writer":${quote(link.writer)}}`;
  const hash = digest(`${head},${tail}`, key);
  const entry = b as AuditEntry;
  entry.writer = link.writer;
  entry.seq = link.seq;
  entry.prev = link.prev;
  entry.hash = hash;
  return { entry, line: `${head},"hash":"${hash}",${tail}\n` };
}
