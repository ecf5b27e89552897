import type { HashAlgorithm } from "./chain.js";
import type { SegmentResult, VerifyIssue, WriterLink } from "./verify-types.js";

const TAIL_HASHES = 16;

interface Head {
  seq: number;
  hash: string;
  alg: HashAlgorithm | undefined;
  recent: Map<number, string>;
}

/** A link that could not be resolved yet, and the issue list of the file it was made in. */
interface PendingLink {
  link: WriterLink;
  issues: VerifyIssue[];
}

/**
 * Joins segments (files, or byte ranges of a big file) into one trail, in order: each writer's
 * first entry in a segment must continue that writer's chain from earlier segments (or from the
 * prune checkpoint / earlier anchors), links between writers are resolved, and with a key an
 * unsigned writer after signed ones is flagged as a downgrade.
 */
export class TrailChain {
  private readonly heads = new Map<string, Head>();
  private readonly pending: PendingLink[] = [];
  /** Writers with entries in the verified range. */
  readonly writers = new Set<string>();
  signedSeen = false;

  /**
   * `strict`: the trail is verified from its start (or from a point whose writer heads are known),
   * so a writer first seen mid-chain lost its earlier entries. Otherwise such a writer simply
   * continues from before the range.
   */
  /** Segments joined so far: the position of the next one in trail order. */
  private joined = 0;

  /**
   * `signingBegan`: where the trail records (in an entry verified with the key) that signing
   * with it began, as the ordinal of the segment in trail order and the line in it. With a key,
   * unsigned entries are accepted only before that point.
   */
  constructor(private readonly options: { key: string | undefined; strict: boolean; seeds?: Iterable<{ writer: string; seq: number; hash: string }>; signingBegan?: { segment: number; line: number; where: string } }) {
    for (const seed of options.seeds ?? []) this.heads.set(seed.writer, { seq: seed.seq, hash: seed.hash, alg: undefined, recent: new Map() });
  }

  /** Joins one segment whose lines start after `lineOffset` lines of its file; issues go to `issues`. */
  join(result: SegmentResult, lineOffset: number, issues: VerifyIssue[]): void {
    const ordinal = this.joined++;
    for (const span of result.writers) {
      const line = lineOffset + span.first.line;
      this.writers.add(span.writer);
      const at = { line, seq: span.first.seq, writer: span.writer };
      const head = this.heads.get(span.writer);
      if (head) {
        const { seq } = span.first;
        if (seq === head.seq + 1 && span.first.prev !== head.hash) {
          issues.push({ ...at, kind: "chain_broken", severity: "tamper", message: `chain broken at seq ${seq} (line ${line}): prev is not the hash of seq ${head.seq}, writer ${span.writer}'s previous entry — an entry was changed, inserted or removed` });
        } else if (seq > head.seq + 1) {
          const missing = seq - head.seq - 1;
          issues.push({ ...at, kind: "seq_gap", severity: "tamper", message: `seq gap in writer ${span.writer}: its previous entry is seq ${head.seq}, the next one is seq ${seq} (line ${line}) — ${missing} ${missing === 1 ? "entry" : "entries"} missing` });
        } else if (seq <= head.seq) {
          issues.push({ ...at, kind: "duplicate_seq", severity: "tamper", message: `writer ${span.writer} goes back from seq ${head.seq} to seq ${seq} at line ${line}: duplicated or reordered entries` });
        }
      } else if (!span.first.started && span.first.seq > 1 && this.options.strict) {
        const missing = span.first.seq - 1;
        issues.push({ ...at, kind: "chain_start", severity: "tamper", message: `writer ${span.writer}'s chain starts at seq ${span.first.seq} (line ${line}): its first ${missing} ${missing === 1 ? "entry is" : "entries are"} missing` });
      }
      if (this.options.key !== undefined && span.alg === "sha256") {
        if (head?.alg === "hmac-sha256") {
          issues.push({ ...at, kind: "unsigned", severity: "tamper", message: `writer ${span.writer} signs with the key, but its entries from line ${line} are plain SHA-256: forged without the key` });
        } else if (!this.beforeSigning(ordinal, span.last.line)) {
          const began = this.options.signingBegan;
          const why = began ? `they continue after signing with the key began (${began.where})` : "nothing signed with the key records that signing began after them";
          issues.push({ ...at, kind: "downgrade", severity: "tamper", message: `writer ${span.writer} (line ${line}) is not signed with the key and ${why}: written without the key (key downgrade)` });
        }
      }
      if (span.alg === "hmac-sha256") this.signedSeen = true;
      const next: Head = head ?? { seq: 0, hash: "", alg: span.alg, recent: new Map() };
      next.seq = span.last.seq;
      next.hash = span.last.hash;
      next.alg ??= span.alg;
      for (const [seq, hash] of span.tailHashes) next.recent.set(seq, hash);
      while (next.recent.size > TAIL_HASHES) next.recent.delete(next.recent.keys().next().value as number);
      this.heads.set(span.writer, next);
      this.resolvePending(span.writer, span.headHashes);
    }
    for (const link of result.links) this.checkLink({ ...link, line: link.line + lineOffset }, issues);
  }

  /** A writer's head at the end of what was joined (for comparing with a witness). */
  headOf(writer: string): { seq: number; hash: string; recent: ReadonlyMap<number, string> } | undefined {
    const head = this.heads.get(writer);
    return head && { seq: head.seq, hash: head.hash, recent: head.recent };
  }

  /** Whether a line of the segment at `ordinal` comes before the point where signing began. */
  private beforeSigning(ordinal: number, line: number): boolean {
    const began = this.options.signingBegan;
    return began !== undefined && (ordinal < began.segment || (ordinal === began.segment && line < began.line));
  }

  /** Marks that a signed item (an HMAC anchor) was seen, for downgrade detection. */
  noteSigned(): void {
    this.signedSeen = true;
  }

  /** Links never resolved: the linked writer's entries are gone (or, verifying a range, unknown). */
  finish(): void {
    for (const { link, issues } of this.pending) {
      const head = this.heads.get(link.writer);
      const where = `audit.chain.started of writer ${link.from} (line ${link.line}) links seq ${link.seq} of writer ${link.writer}`;
      if (head && link.seq > head.seq) {
        issues.push({ kind: "link_broken", severity: "tamper", line: link.line, writer: link.from, message: `${where}, but that writer's chain ends at seq ${head.seq}: its last entries were deleted` });
      } else if (!head && this.options.strict) {
        issues.push({ kind: "link_broken", severity: "tamper", line: link.line, writer: link.from, message: `${where}, which has no entries in the trail: its entries were deleted` });
      }
    }
    this.pending.length = 0;
  }

  private checkLink(link: WriterLink, issues: VerifyIssue[]): void {
    const head = this.heads.get(link.writer);
    const hash = head?.recent.get(link.seq) ?? (head?.seq === link.seq ? head.hash : undefined);
    if (hash !== undefined) {
      if (hash !== link.hash) issues.push(linkMismatch(link));
      return;
    }
    // Older than the hashes kept: nothing left to compare with.
    if (head && link.seq <= head.seq) return;
    this.pending.push({ link, issues });
  }

  private resolvePending(writer: string, headHashes: [number, string][]): void {
    for (let i = this.pending.length - 1; i >= 0; i--) {
      const item = this.pending[i] as PendingLink;
      if (item.link.writer !== writer) continue;
      const found = headHashes.find(([seq]) => seq === item.link.seq);
      if (!found) continue;
      if (found[1] !== item.link.hash) item.issues.push(linkMismatch(item.link));
      this.pending.splice(i, 1);
    }
  }
}

function linkMismatch(link: WriterLink): VerifyIssue {
  return {
    kind: "link_broken", severity: "tamper", line: link.line, writer: link.from,
    message: `audit.chain.started of writer ${link.from} (line ${link.line}) links seq ${link.seq} of writer ${link.writer}, whose hash differs — that entry was changed`,
  };
}
