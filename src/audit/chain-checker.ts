import { CHAIN_STARTED_ACTION, DAY_SEALED_ACTION, GENESIS_HASH, computeEntryHash, type HashAlgorithm } from "./chain.js";
import type { AuditEntry } from "./entry.js";
import { createLineDigester, findHashMember, type ByteCut, type LineDigester } from "./line-digest.js";
import { HASH_MEMBER_LENGTH, hasAt, isLowerHex64, matchChainLine, matchChainLineAt, type PlainEntryFields } from "./line-pattern.js";
import { hasByteOrderMark } from "./lines.js";
import { isTornPrefix, parseAuditLine } from "./parse-line.js";
import { ownString } from "./own-string.js";
import { RecentHashes, TAIL_HASHES } from "./recent-hashes.js";
import type { AnchorLink, IssueKind, IssueSeverity, SegmentResult, VerifyIssue, WriterLink, WriterSpan } from "./verify-types.js";

const HEAD_HASHES = 8;
const MAX_KEPT_ISSUES = 200;
const CR = 0x0d;
/** Characters of `,"hash":"` before a hash member's first digit. */
const HASH_DIGITS_AT = ',"hash":"'.length;

/**
 * A writer's chain so far. Every hash in it matches `^[0-9a-f]{64}$`: they come from schema-valid
 * entries, from schema-invalid ones only when hasChainFields checked that, and from the fast
 * path only as computed digests. checkPlainFields relies on it for prev.
 */
interface WriterState {
  span: WriterSpan;
  recent: RecentHashes;
  /** The last gap reported, so an entry filling it reads as a reordering, not a duplicate. */
  gap?: { from: number; to: number; issue: VerifyIssue };
  /** How many of its newest hashes settleIn took from the current window (at most TAIL_HASHES): see windowEnd. */
  fromWindow: number;
}

/** What line() returns when it found nothing: shared, so a clean line allocates no array. */
const NO_ISSUES: readonly VerifyIssue[] = Object.freeze([]);

export type CheckedLines = Omit<SegmentResult, "bytes" | "sha256" | "prefixSha256">;

/**
 * Checks lines one at a time, in file order: parse, schema, hash recomputed from the raw bytes,
 * and each writer's chain (seq + 1, prev = previous hash). It sees only what it is given, so a
 * writer's first entry here is recorded (WriterSpan.first) for the caller to join with what came
 * before; `mon verify` does that across segments and files, `mon tail --verify` can use it as is.
 */
/** How the line of a writer's day-file event starts (see noteFileEvent). */
const FILE_EVENT_PREFIX = '{"action":"audit.file.';
/** Where a canonical line's action value starts. */
const ACTION_AT = '{"action":"'.length;

export class ChainChecker {
  readonly issues: VerifyIssue[] = [];
  issueCount = 0;
  lines = 0;
  entries = 0;
  tornLine: number | undefined;
  keyRequired: { line: number; writer: string } | undefined;
  private readonly writers = new Map<string, WriterState>();
  private readonly links: WriterLink[] = [];
  private readonly signed = { checked: 0, failed: 0 };
  /** Key ids declared by signed writers' chain.started entries (a handful per trail). */
  private readonly keyIds = new Set<string>();
  /** Line of the first chain.started, verified with the key, that says signing with it began. */
  private signingBegan: number | undefined;
  /** Anchors named by entries (chain.started prev_anchor, day.sealed anchor), checked against the directory later. */
  private readonly anchorLinks: AnchorLink[] = [];
  private readonly digester: LineDigester;
  /** Whether some writer's newest hashes include slices of the current window (see windowEnd). */
  private windowHeld = false;
  /** settleIn's cut, reused: the digester reads it only during the call. */
  private readonly cut: ByteCut = { from: 0, to: 0 };
  private crlfSeen = false;
  private added: VerifyIssue[] = NO_ISSUES as VerifyIssue[];
  /**
   * Whether the last line() took the hot path with the `plain` fields its caller gave: its hash
   * then equalled the hex digest computed here and its prev a hash held (or isLowerHex64), so
   * both are `^[0-9a-f]{64}$` and the caller's loose match (matchReportShape) is a schema-valid
   * entry. False for every other line, whatever the caller passed.
   */
  provedFields = false;

  /**
   * `day`: the UTC day of the file being checked; entries dated otherwise were moved between
   * files (writers put every entry in the file of its own UTC date).
   */
  constructor(private readonly options: { key?: string; fileStart?: boolean; day?: string } = {}) {
    this.digester = createLineDigester(options.key);
  }

  /**
   * Checks the next line (bytes without "\n"); `terminated` is false for a final line without one,
   * `length` its real length when only its start was read (a line over MAX_LINE_BYTES), `decoded`
   * the bytes' text when the caller already has it (the splitter decodes whole chunks), `plain`
   * the line's fields when the caller already matched it with matchReportShape (the report does;
   * hash and prev unproven, as from matchChainLine: see provedFields).
   * Returns its issues.
   */
  line(bytes: Buffer, terminated = true, length = bytes.length, decoded?: string, plain?: PlainEntryFields): readonly VerifyIssue[] {
    this.added = NO_ISSUES as VerifyIssue[];
    const n = ++this.lines;
    let body = bytes;
    if (body.length > 0 && body[body.length - 1] === CR) {
      body = body.subarray(0, body.length - 1);
      if (!this.crlfSeen) this.report("tamper", "crlf", `line ${n} ends with CR: the file was re-saved with CRLF line endings`, { line: n });
      this.crlfSeen = true;
    }
    if (n === 1 && this.options.fileStart !== false && hasByteOrderMark(body)) {
      body = body.subarray(3);
      this.report("tamper", "bom", "the file starts with a byte-order mark: it was re-saved by an editor", { line: 1 });
    }
    // toString() without arguments is Node's shortest path to utf8Slice (no encoding lookup).
    const text = decoded !== undefined && body === bytes ? decoded : body.toString();
    // Canonical lines start with their action: one prefix compare finds a writer's file event
    // (hasAt, not startsWith: see hasAt; the first letter of the action settles most lines).
    if (text.charCodeAt(ACTION_AT) === 0x61 /* a */ && hasAt(text, FILE_EVENT_PREFIX, 0)) this.noteFileEvent(text, n);
    const given = body === bytes ? plain : undefined;
    this.provedFields = false;
    if (this.checkPlain(body, text, n, given)) {
      this.provedFields = given !== undefined;
      if (!terminated) this.report("torn", "unterminated", `final line ${n} has no newline: the write was cut short at its very end`, { line: n });
      return this.added;
    }
    const parsed = parseAuditLine(text);
    if (parsed.kind === "blank") {
      this.report("note", "blank", `line ${n} is empty`, { line: n });
    } else if (parsed.kind === "fragment" || parsed.kind === "corrupt") {
      if (!terminated && isTornPrefix(text, length)) {
        this.tornLine = n;
        this.report("torn", "torn_final", `torn final line ${n}: a write cut short by a crash (not tampering)`, { line: n });
      } else if (!terminated) {
        this.report("tamper", "corrupt", `final line ${n} (${length} bytes, no newline) is not the start of an entry: appended, not a torn write`, { line: n });
      } else if (parsed.kind === "fragment") {
        this.report("torn", "fragment", `line ${n} is a fragment of an entry cut short by a crash`, { line: n });
      } else this.report("tamper", "corrupt", `line ${n} is corrupt: not JSON (${parsed.error})`, { line: n });
    } else {
      let entryText = text;
      let entryBytes = body;
      if (parsed.entryOffset > 0) {
        this.report("torn", "fragment", `line ${n} starts with a fragment of an entry cut short by a crash; the entry after it is complete`, { line: n });
        entryText = text.slice(parsed.entryOffset);
        entryBytes = body.subarray(Buffer.byteLength(text.slice(0, parsed.entryOffset), "utf8"));
      }
      let entry: AuditEntry | undefined;
      if (parsed.kind === "invalid") {
        const chainable = hasChainFields(parsed.value);
        const what = chainable ? `seq ${(parsed.value as AuditEntry).seq} (line ${n}) is not a valid v1 entry` : `line ${n} is not an audit entry`;
        this.report("tamper", "schema", `${what}: ${parsed.problems.join("; ")}`, { line: n });
        if (chainable) entry = parsed.value as AuditEntry;
      } else entry = parsed.entry;
      if (entry) {
        this.entries += 1;
        this.checkEntry(entry, entryBytes, entryText, n);
      }
      if (!terminated) this.report("torn", "unterminated", `final line ${n} has no newline: the write was cut short at its very end`, { line: n });
    }
    return this.added;
  }

  /**
   * line() for a terminated ASCII line inside a longer text (LineSplitter.forEachInText): text
   * [from, to) is the line and chunk[offset + from, offset + to) its bytes. The usual line, the
   * next link of a known writer whose hash verifies at the first try, is settled here without a
   * string of its own, by the same pattern (its form for a line in a text) and the same tests as
   * line()'s hot path; every other line is handed to line() with its bytes, so it gets exactly
   * the verdict it always had. The one thing kept from `text`, the line's hash, is copied at
   * windowEnd(), which the caller runs after each window.
   */
  lineIn(text: string, from: number, to: number, chunk: Buffer, offset: number): void {
    const fields = isFileEventAt(text, from) ? undefined : matchChainLineAt(text, from);
    if (!this.settleIn(fields, chunk, offset + from, offset + to)) this.line(chunk.subarray(offset + from, offset + to));
  }

  /**
   * lineIn's hot path alone, for a caller that matched the line itself (`mon report` with its
   * verdict matches once for both; see scan-feed.ts): `fields` are the line's, matched inside a
   * window (undefined: it needs line()), chunk[start, end) its ASCII bytes. True when the line
   * was settled as the next verified link of a known writer: then its hash equalled the digest
   * computed here and its prev a hash held, so both are `^[0-9a-f]{64}$` and the caller's loose
   * match is a schema-valid entry. False changes nothing: the caller hands the line to line().
   * A writer's file event must not be given here (line() passes it on as a note: isFileEventAt).
   */
  settleIn(fields: PlainEntryFields | undefined, chunk: Buffer, start: number, end: number): boolean {
    const state = fields && fields.action !== CHAIN_STARTED_ACTION && fields.action !== DAY_SEALED_ACTION ? this.writers.get(fields.writer) : undefined;
    // A writer's first line here (no state yet) returns before anything else is read: the
    // optimised code then keeps no branch that a piece's first lines would deoptimise.
    if (!fields || !state) return false;
    const alg = state.span.alg ?? (this.options.key === undefined ? "sha256" : "hmac-sha256");
    if (alg === "hmac-sha256" && this.options.key === undefined) return false;
    if (fields.seq !== state.span.last.seq + 1 || fields.prev !== state.span.last.hash || !this.onDay(fields.ts) || fields.hash.length !== 64) return false;
    // ASCII: character and byte offsets agree, so the hash's digits follow `,"hash":"` in the bytes
    // too, and are compared there with the digest (lower-case hex digits only, as `===` with the
    // hex digest would).
    const cut = this.cut;
    cut.from = fields.hashAt;
    cut.to = fields.hashAt + HASH_MEMBER_LENGTH;
    const hexAt = start + fields.hashAt + HASH_DIGITS_AT;
    if (!this.digester.matches(chunk.subarray(start, end), cut, alg, chunk, hexAt)) return false;
    // The hash is kept as the window's slice that it is, and copied at windowEnd() only if it is
    // still among the writer's newest: most are pushed out of the ring before their window ends.
    // The head hashes are kept for good, so those few are copied at once.
    const hash = state.span.headHashes.length < HEAD_HASHES ? ownString(fields.hash) : fields.hash;
    this.added = NO_ISSUES as VerifyIssue[];
    this.provedFields = true;
    this.entries += 1;
    this.step(state, fields.seq, hash, ++this.lines);
    if (state.fromWindow < TAIL_HASHES) state.fromWindow += 1;
    this.windowHeld = true;
    return true;
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

  /**
   * A writer's `audit.file.deleted` / `audit.file.replaced` entry: its day file was deleted or
   * swapped while it ran and it restored its lines into a new file. Verify passes it on as a note
   * (the entry itself is checked like any other), so the operator learns what happened and when.
   */
  private noteFileEvent(text: string, n: number): void {
    let entry: { action?: unknown; ts?: unknown; writer?: unknown; data?: { note?: unknown; restored_lines?: unknown } };
    try {
      entry = JSON.parse(text) as typeof entry;
    } catch {
      return;
    }
    const restored = typeof entry.data?.restored_lines === "number" ? ` (${entry.data.restored_lines} line(s) restored)` : "";
    const note = typeof entry.data?.note === "string" ? `: ${entry.data.note.slice(0, 300)}` : "";
    this.report("note", "file_event", `writer ${String(entry.writer)} recorded ${String(entry.action)} at ${String(entry.ts)}${note}${restored}`, { line: n });
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
   * The hot path: a canonical line that matches the schema-derived pattern (so the full check
   * would accept its shape too) and whose hash verifies with its writer's algorithm at the first
   * try. Signed or not, a line is held to the same schema: a signature proves who wrote a line,
   * not that it is a valid entry. Anything else returns false and takes the full path, which also
   * explains whatever is wrong.
   */
  private checkPlain(bytes: Buffer, text: string, n: number, plain: PlainEntryFields | undefined): boolean {
    return this.checkPlainFields(bytes, text, n, plain ?? matchChainLine(text));
  }

  /**
   * checkPlain for fields already extracted (undefined: the line needs the full path). The
   * pattern left hash and prev unchecked (matchChainLine); each is proven to match the schema's
   * `^[0-9a-f]{64}$` before the line counts as an entry: hash by equalling the hex digest
   * computed here, prev by equalling the writer's last hash (every hash a WriterState holds
   * matched it: see WriterState) or else by isLowerHex64.
   */
  private checkPlainFields(bytes: Buffer, text: string, n: number, fields: PlainEntryFields | undefined): boolean {
    // The two actions whose data verify reads take the full path.
    if (!fields || fields.action === CHAIN_STARTED_ACTION || fields.action === DAY_SEALED_ACTION) return false;
    const state = this.writers.get(fields.writer);
    const alg = state?.span.alg ?? (this.options.key === undefined ? "sha256" : "hmac-sha256");
    if (alg === "hmac-sha256" && this.options.key === undefined) return false;
    // The digest is 64 lowercase hex digits, and so is the hash member found in its place.
    const hash = this.digestLine(bytes, text, fields.hashAt, alg);
    if (hash !== fields.hash) return false;
    if (state && fields.seq === state.span.last.seq + 1 && fields.prev === state.span.last.hash && this.onDay(fields.ts)) {
      this.entries += 1;
      this.step(state, fields.seq, hash, n);
      return true;
    }
    if (!isLowerHex64(fields.prev)) return false;
    this.entries += 1;
    // checkEntry reads only the chain fields (and ts, action) extracted.
    this.checkEntry(fields as unknown as AuditEntry, bytes, text, n, alg);
    return true;
  }

  /**
   * The usual line, already verified: the next link of a writer's chain, dated on this file's day.
   * What checkEntry would do for it, without its questions.
   */
  private step(state: WriterState, seq: number, hash: string, n: number): void {
    if (state.span.alg === "hmac-sha256" && this.options.key !== undefined) this.signed.checked += 1;
    this.advance(state, seq, hash, n);
  }

  /**
   * The digest of a line without its hash member (which starts at character `hashAt`). The
   * result is the digest's own string, so keeping it keeps no reference to the line's text.
   */
  private digestLine(bytes: Buffer, text: string, hashAt: number, alg: HashAlgorithm): string {
    // Everything before the hash member is ASCII exactly when the whole line is (the usual case).
    const from = bytes.length === text.length ? hashAt : Buffer.byteLength(text.slice(0, hashAt), "utf8");
    return this.digester.digest(bytes, { from, to: from + HASH_MEMBER_LENGTH }, alg);
  }

  /** Whether `ts` is on this file's day (writers file every entry under its own UTC date). */
  private onDay(ts: string): boolean {
    const day = this.options.day;
    return day === undefined || hasAt(ts, day, 0);
  }

  /** `verified`: the algorithm the hash was already checked with on the hot path. */
  private checkEntry(e: AuditEntry, bytes: Buffer, text: string, n: number, verified?: HashAlgorithm): void {
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

/**
 * Whether the line starting at `at` in `text` is a writer's day-file event, which line() passes
 * on as a note; no other line starting with `{` differs between line() and settleIn.
 */
export function isFileEventAt(text: string, at: number): boolean {
  return text.charCodeAt(at + ACTION_AT) === 0x61 /* a */ && hasAt(text, FILE_EVENT_PREFIX, at);
}

/** Where an entry's issue is; built only when one is reported (the hot path reports none). */
function entryAt(e: AuditEntry, line: number): Partial<VerifyIssue> {
  return { line, seq: e.seq, writer: e.writer };
}

/**
 * How late an entry may be filed in the next day's file: a writer whose clock lags writes entries
 * dated on a day another writer has sealed into the next day's file (it never appends to a sealed
 * day). The documented clock skew between writers must stay below the seal grace (10 minutes by
 * default); an hour leaves room for a longer grace.
 */
export const LATE_ENTRY_MS = 3_600_000;

function isLate(ts: string, day: string): boolean {
  const start = Date.parse(`${day}T00:00:00.000Z`);
  const at = Date.parse(ts);
  return at < start && at >= start - LATE_ENTRY_MS;
}

function declaredAlgorithm(e: AuditEntry): HashAlgorithm | undefined {
  const alg = (e.data as { alg?: unknown } | undefined)?.alg;
  return alg === "sha256" || alg === "hmac-sha256" ? alg : undefined;
}

function hasChainFields(value: unknown): boolean {
  const v = value as Partial<AuditEntry> | null;
  return typeof v === "object" && v !== null && typeof v.writer === "string" && Number.isSafeInteger(v.seq) && typeof v.prev === "string" && typeof v.hash === "string" && /^[0-9a-f]{64}$/.test(v.hash);
}

function isAnchorRef(value: unknown): value is { day: string; hash: string } {
  const v = value as { day?: unknown; hash?: unknown } | null;
  return typeof v === "object" && v !== null && typeof v.day === "string" && typeof v.hash === "string";
}

function isLink(value: unknown): value is { writer: string; seq: number; hash: string } {
  const v = value as { writer?: unknown; seq?: unknown; hash?: unknown } | null;
  return typeof v === "object" && v !== null && typeof v.writer === "string" && Number.isSafeInteger(v.seq) && typeof v.hash === "string";
}
