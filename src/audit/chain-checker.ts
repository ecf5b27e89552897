// The chain checker's line paths: how each line is framed and parsed, and which lines the hot
// path settles with one digest; writer-chains.ts holds the chains and the full entry check.
import { CHAIN_STARTED_ACTION, DAY_SEALED_ACTION, type HashAlgorithm } from "./chain.js";
import type { AuditEntry } from "./entry.js";
import { fileEventNote, hasChainFields } from "./entry-chain-data.js";
import type { ByteCut } from "./line-digest.js";
import { HASH_MEMBER_LENGTH, hasAt, isLowerHex64, matchChainLine, matchChainLineAt, type PlainEntryFields } from "./line-pattern.js";
import { hasByteOrderMark } from "./lines.js";
import { isTornPrefix, parseAuditLine } from "./parse-line.js";
import { ownString } from "./own-string.js";
import { TAIL_HASHES } from "./recent-hashes.js";
import type { VerifyIssue } from "./verify-types.js";
import { HEAD_HASHES, NO_ISSUES, WriterChains } from "./writer-chains.js";

const CR = 0x0d;
/** Characters of `,"hash":"` before a hash member's first digit. */
const HASH_DIGITS_AT = ',"hash":"'.length;
/** How the line of a writer's day-file event starts (see noteFileEvent). */
const FILE_EVENT_PREFIX = '{"action":"audit.file.';
/** Where a canonical line's action value starts. */
const ACTION_AT = '{"action":"'.length;

/**
 * Checks lines one at a time, in file order: parse, schema, hash recomputed from the raw bytes,
 * and each writer's chain (seq + 1, prev = previous hash). It sees only what it is given, so a
 * writer's first entry here is recorded (WriterSpan.first) for the caller to join with what came
 * before; `mon verify` does that across segments and files, `mon tail --verify` can use it as is.
 *
 * This file owns the line paths: framing (CR, byte-order mark, torn and blank lines), the hot
 * path that settles the usual line with one digest, and the hand-over of every other line to the
 * full entry check of WriterChains (writer-chains.ts), whose state it shares.
 */
export class ChainChecker extends WriterChains {
  /** settleIn's cut, reused: the digester reads it only during the call. */
  private readonly cut: ByteCut = { from: 0, to: 0 };
  private crlfSeen = false;
  /**
   * Whether the last line() took the hot path with the `plain` fields its caller gave: its hash
   * then equalled the hex digest computed here and its prev a hash held (or isLowerHex64), so
   * both are `^[0-9a-f]{64}$` and the caller's loose match (matchReportShape) is a schema-valid
   * entry. False for every other line, whatever the caller passed.
   */
  provedFields = false;

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
   * A writer's `audit.file.deleted` / `audit.file.replaced` entry: its day file was deleted or
   * swapped while it ran and it restored its lines into a new file. Verify passes it on as a note
   * (the entry itself is checked like any other), so the operator learns what happened and when.
   */
  private noteFileEvent(text: string, n: number): void {
    const note = fileEventNote(text);
    if (note !== undefined) this.report("note", "file_event", note, { line: n });
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
}

/**
 * Whether the line starting at `at` in `text` is a writer's day-file event, which line() passes
 * on as a note; no other line starting with `{` differs between line() and settleIn.
 */
export function isFileEventAt(text: string, at: number): boolean {
  return text.charCodeAt(at + ACTION_AT) === 0x61 /* a */ && hasAt(text, FILE_EVENT_PREFIX, at);
}
