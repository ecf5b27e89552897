// Every writer's chain as the checker has seen it so far, the issues found, and the full check of
// one entry against its writer's chain (schema-valid or not: hash with every algorithm it may
// have been made with, sequence, links between writers, anchors, keys). ChainChecker (chain-
// checker.ts) extends it with the line paths that decide which lines need this full check; the
// two are one object, so the hot path reaches this state and step() with no indirection.
import { CHAIN_STARTED_ACTION, DAY_SEALED_ACTION, GENESIS_HASH, computeEntryHash, type HashAlgorithm } from "./chain.js";
import type { AuditEntry } from "./entry.js";
import { declaredAlgorithm, entryAt, isAnchorRef, isLate, isLink } from "./entry-chain-data.js";
import { createLineDigester, findHashMember, type LineDigester } from "./line-digest.js";
import { ownString } from "./own-string.js";
import { RecentHashes } from "./recent-hashes.js";
import type { AnchorLink, IssueKind, IssueSeverity, SegmentResult, VerifyIssue, WriterLink, WriterSpan } from "./verify-types.js";

export const HEAD_HASHES = 8;
const MAX_KEPT_ISSUES = 200;

/**
 * A writer's chain so far. Every hash in it matches `^[0-9a-f]{64}$`: they come from schema-valid
 * entries, from schema-invalid ones only when hasChainFields checked that, and from the fast
 * path only as computed digests. checkPlainFields relies on it for prev.
 */
export interface WriterState {
  span: WriterSpan;
  recent: RecentHashes;
  /** The last gap reported, so an entry filling it reads as a reordering, not a duplicate. */
  gap?: { from: number; to: number; issue: VerifyIssue };
  /** How many of its newest hashes settleIn took from the current window (at most TAIL_HASHES): see windowEnd. */
  fromWindow: number;
}

/** What line() returns when it found nothing: shared, so a clean line allocates no array. */
export const NO_ISSUES: readonly VerifyIssue[] = Object.freeze([]);

export type CheckedLines = Omit<SegmentResult, "bytes" | "sha256" | "prefixSha256">;

export class WriterChains {
  readonly issues: VerifyIssue[] = [];
  issueCount = 0;
  lines = 0;
  entries = 0;
  tornLine: number | undefined;
  keyRequired: { line: number; writer: string } | undefined;
  protected readonly writers = new Map<string, WriterState>();
  private readonly links: WriterLink[] = [];
  private readonly signed = { checked: 0, failed: 0 };
  /** Key ids declared by signed writers' chain.started entries (a handful per trail). */
  private readonly keyIds = new Set<string>();
  /** Line of the first chain.started, verified with the key, that says signing with it began. */
  private signingBegan: number | undefined;
  /** Anchors named by entries (chain.started prev_anchor, day.sealed anchor), checked against the directory later. */
  private readonly anchorLinks: AnchorLink[] = [];
  protected readonly digester: LineDigester;
  /** Whether some writer's newest hashes include slices of the current window (see windowEnd). */
  protected windowHeld = false;
  /** The issues of the line being checked (see ChainChecker.line). */
  protected added: VerifyIssue[] = NO_ISSUES as VerifyIssue[];

  /**
   * `day`: the UTC day of the file being checked; entries dated otherwise were moved between
   * files (writers put every entry in the file of its own UTC date).
   */
  constructor(protected readonly options: { key?: string; fileStart?: boolean; day?: string } = {}) {
    this.digester = createLineDigester(options.key);
  }

  /**
   * Ends a window of lineIn/settleIn lines: every hash still held that was taken from the
   * window's text is replaced by a copy of its own, so no window outlives its lines (V8 keeps a
   * whole string alive for a slice of it). The scan calls it after each window; result() too.
   */
  windowEnd(): void {
    if (!this.windowHeld) return;
    this.windowHeld = false;
    // All writers, not a list of those touched: pushing onto an array that each piece starts
    // empty changes its elements kind, which threw away the optimised scan loop once per thread.
    for (const state of this.writers.values()) {
      if (state.fromWindow === 0) continue;
      const span = state.span;
      const last = ownString(span.last.hash);
      if (span.fileLast.hash === span.last.hash) span.fileLast.hash = last;
      span.last.hash = last;
      state.recent.ownNewest(state.fromWindow, ownString);
      state.fromWindow = 0;
    }
  }

  /** Everything checked so far, in the form segments report it. */
  result(): CheckedLines {
    this.windowEnd();
    const writers = [...this.writers.values()].map(({ span, recent }) => ({ ...span, tailHashes: recent.pairs() }));
    return {
      lines: this.lines, entries: this.entries, issues: this.issues, issueCount: this.issueCount, writers, links: this.links,
      tornLine: this.tornLine, keyRequired: this.keyRequired, signed: this.signed, keyIds: [...this.keyIds], signingBegan: this.signingBegan, anchorLinks: this.anchorLinks,
    };
  }

  /**
   * The usual line, already verified: the next link of a writer's chain, dated on this file's day.
   * What checkEntry would do for it, without its questions.
   */
  protected step(state: WriterState, seq: number, hash: string, n: number): void {
    if (state.span.alg === "hmac-sha256" && this.options.key !== undefined) this.signed.checked += 1;
    this.advance(state, seq, hash, n);
  }

  /** `verified`: the algorithm the hash was already checked with on the hot path. */
  protected checkEntry(e: AuditEntry, bytes: Buffer, text: string, n: number, verified?: HashAlgorithm): void {
    const started = e.action === CHAIN_STARTED_ACTION;
    const declared = started ? declaredAlgorithm(e) : undefined;
    let state = this.writers.get(e.writer);
    const expected = declared ?? state?.span.alg;
    if (expected === "hmac-sha256" && this.options.key === undefined) {
      this.keyRequired ??= { line: n, writer: e.writer };
    }
    const alg = verified ?? this.checkHash(e, bytes, text, n, expected);
    if (expected === "hmac-sha256" && this.options.key !== undefined) {
      this.signed.checked += 1;
      if (alg !== "hmac-sha256") this.signed.failed += 1;
    }
    const day = this.options.day;
    if (day !== undefined && typeof e.ts === "string" && isLate(e.ts, day)) {
      this.report("note", "late", `seq ${e.seq} of writer ${e.writer} (line ${n}) is dated ${e.ts}, in the file of ${day}: its writer's clock lagged and that day was already sealed`, entryAt(e, n));
    } else if (day !== undefined && typeof e.ts === "string" && !e.ts.startsWith(day)) {
      this.report("tamper", "misplaced", `seq ${e.seq} of writer ${e.writer} (line ${n}) is dated ${e.ts.slice(0, 10)} but sits in the file of ${day}: moved between files`, entryAt(e, n));
    }
    if (!state) {
      if (e.seq === 1 && !started) this.report("tamper", "chain_start", `writer ${e.writer} starts at line ${n} without an audit.chain.started entry`, entryAt(e, n));
      if (e.seq === 1 && e.prev !== GENESIS_HASH) this.report("tamper", "chain_broken", `seq 1 of writer ${e.writer} (line ${n}) does not start from the genesis hash`, entryAt(e, n));
      state = {
        span: {
          writer: e.writer, alg: expected ?? alg, count: 0, headHashes: [], tailHashes: [],
          first: { seq: e.seq, prev: e.prev, line: n, started: started && e.seq === 1 },
          last: { seq: e.seq, hash: e.hash, line: n }, fileLast: { seq: e.seq, hash: e.hash },
        },
        recent: new RecentHashes(),
        fromWindow: 0,
      };
      this.writers.set(e.writer, state);
      this.advance(state, e.seq, e.hash, n);
    } else this.checkSequence(state, e, n);
    const anchor = started ? (e.data as { prev_anchor?: unknown } | undefined)?.prev_anchor : e.action === DAY_SEALED_ACTION ? (e.data as { anchor?: unknown } | undefined)?.anchor : undefined;
    if (isAnchorRef(anchor) && this.anchorLinks.length < 10_000) this.anchorLinks.push({ line: n, writer: e.writer, day: anchor.day, hash: anchor.hash });
    if (started) {
      this.checkLink(e, n);
      if (declared === "hmac-sha256") this.noteKey(e, alg === "hmac-sha256", n);
    }
  }

  /** Records a signed writer's key id, and where signing began (only from a verified entry). */
  private noteKey(e: AuditEntry, verified: boolean, n: number): void {
    const data = e.data as { key_id?: unknown; signing_began?: unknown } | undefined;
    if (typeof data?.key_id === "string" && this.keyIds.size < 16) this.keyIds.add(data.key_id);
    if (verified && this.options.key !== undefined && data?.signing_began === true) this.signingBegan ??= n;
  }

  private checkSequence(state: WriterState, e: AuditEntry, n: number): void {
    const last = state.span.last;
    if (e.seq === last.seq + 1) {
      if (e.prev !== last.hash) {
        this.report("tamper", "chain_broken", `chain broken at seq ${e.seq} (line ${n}): prev is not the hash of seq ${last.seq} (line ${last.line}) — an entry was changed, inserted or removed`, entryAt(e, n));
      }
      this.advance(state, e.seq, e.hash, n);
    } else if (e.seq > last.seq + 1) {
      const missing = e.seq - last.seq - 1;
      const issue = this.report("tamper", "seq_gap", `seq gap in writer ${e.writer}: seq ${last.seq} (line ${last.line}) is followed by seq ${e.seq} (line ${n}) — ${missing} ${missing === 1 ? "entry" : "entries"} missing`, entryAt(e, n));
      state.gap = { from: last.seq + 1, to: e.seq - 1, issue };
      this.advance(state, e.seq, e.hash, n);
    } else {
      const seen = state.recent.get(e.seq);
      const gap = state.gap;
      if (seen && seen.hash === e.hash) {
        this.report("tamper", "duplicate_seq", `duplicate line: seq ${e.seq} of writer ${e.writer} at line ${n} repeats line ${seen.line}`, entryAt(e, n));
      } else if (gap && e.seq >= gap.from && e.seq <= gap.to) {
        // The entry reported missing turned up later: the lines were reordered, not deleted.
        gap.issue.kind = "out_of_order";
        gap.issue.message = `lines reordered in writer ${e.writer}: seq ${e.seq} is at line ${n}, after seq ${last.seq} (line ${last.line})`;
        state.gap = undefined;
      } else {
        this.report("tamper", "duplicate_seq", `duplicate seq ${e.seq} of writer ${e.writer} at line ${n}${seen ? ` (also at line ${seen.line}, with different content)` : ""}: the chain was already at seq ${last.seq}`, entryAt(e, n));
      }
      state.span.fileLast = { seq: e.seq, hash: e.hash };
      state.span.count += 1;
    }
  }

  /** Moves a writer's chain on to `seq`; updates its records in place (this runs for nearly every line). */
  private advance(state: WriterState, seq: number, hash: string, n: number): void {
    const span = state.span;
    span.last.seq = seq;
    span.last.hash = hash;
    span.last.line = n;
    span.fileLast.seq = seq;
    span.fileLast.hash = hash;
    span.count += 1;
    if (span.headHashes.length < HEAD_HASHES) span.headHashes.push([seq, hash]);
    state.recent.add(seq, hash, n);
  }

  /** Returns the algorithm the entry's hash was made with, or undefined after reporting a mismatch. */
  private checkHash(e: AuditEntry, bytes: Buffer, text: string, n: number, expected: HashAlgorithm | undefined): HashAlgorithm | undefined {
    const key = this.options.key;
    if (expected === "hmac-sha256" && key === undefined) return undefined;
    const cut = findHashMember(bytes, text, e.hash);
    // The common case, decided with one digest: the algorithm the writer is known (or likely) to use.
    const likely: HashAlgorithm = expected ?? (key === undefined ? "sha256" : "hmac-sha256");
    if (cut && this.digester.digest(bytes, cut, likely) === e.hash) return likely;
    const candidates: HashAlgorithm[] = expected ? [expected] : [];
    for (const alg of key === undefined ? (["sha256"] as const) : (["hmac-sha256", "sha256"] as const)) if (!candidates.includes(alg)) candidates.push(alg);
    const at = { line: n, seq: e.seq, writer: e.writer };
    let matched: HashAlgorithm | undefined;
    if (cut) matched = candidates.find((alg) => alg !== likely && this.digester.digest(bytes, cut, alg) === e.hash);
    if (!matched) {
      matched = candidates.find((alg) => computeEntryHash(e, alg === "sha256" ? undefined : key) === e.hash);
      if (!matched) {
        this.report("tamper", "hash_mismatch", `hash mismatch at seq ${e.seq} (line ${n})`, at);
        return undefined;
      }
      this.report("tamper", "not_canonical", `seq ${e.seq} (line ${n}) is not in canonical form: the line was rewritten after it was written`, at);
    }
    if (expected && matched !== expected) {
      const what = expected === "hmac-sha256" ? "is not signed with the key (plain SHA-256): forged without the key" : "is signed with HMAC although its writer declared plain SHA-256";
      this.report("tamper", expected === "hmac-sha256" ? "unsigned" : "alg_changed", `seq ${e.seq} of writer ${e.writer} (line ${n}) ${what}`, at);
    }
    return matched;
  }

  /** A chain.started entry names the head of the previous writer; check it when that writer is known here. */
  private checkLink(e: AuditEntry, n: number): void {
    const ref = (e.data as { prev_writer?: unknown } | undefined)?.prev_writer;
    if (!isLink(ref) || ref.writer === e.writer) return;
    const target = this.writers.get(ref.writer);
    const seen = target?.recent.get(ref.seq);
    if (seen) {
      if (seen.hash !== ref.hash) {
        this.report("tamper", "link_broken", `audit.chain.started of writer ${e.writer} (line ${n}) links seq ${ref.seq} of writer ${ref.writer} (line ${seen.line}), whose hash differs — that entry was changed`, { line: n, writer: e.writer });
      }
      return;
    }
    // Older than the hashes kept here: nothing left to compare with.
    if (target && ref.seq <= target.span.last.seq) return;
    this.links.push({ line: n, from: e.writer, writer: ref.writer, seq: ref.seq, hash: ref.hash });
  }

  /** Records an issue found outside line checking (e.g. the file could not be read to its end). */
  report(severity: IssueSeverity, kind: IssueKind, message: string, at: Partial<VerifyIssue> = {}): VerifyIssue {
    const issue: VerifyIssue = { kind, severity, message, ...at };
    this.issueCount += 1;
    if (this.added === NO_ISSUES) this.added = [];
    this.added.push(issue);
    if (this.issues.length < MAX_KEPT_ISSUES) this.issues.push(issue);
    return issue;
  }
}
