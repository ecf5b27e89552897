import { addDays, anchorFileName, dayFileName } from "./chain.js";
import type { DayFile } from "./files.js";
import type { TrailChain } from "./trail-chain.js";
import { checkAnchor, compareWithAnchor, type LoadedAnchor, type SealedFileFacts } from "./verify-anchor.js";
import type { AnchorVerdict, FileVerdict, SegmentResult, VerifyIssue } from "./verify-types.js";

export interface DayInput {
  day: string;
  file: DayFile | undefined;
  /** The file's segment results, in file order. */
  segments: SegmentResult[];
  /** Digest of a file verified in several segments (single segments digest themselves). */
  digest: { sha256: string; prefixSha256?: string } | undefined;
  anchor: LoadedAnchor | undefined;
  /** Entries of this file that name an anchor which is gone or different. */
  linkIssues?: VerifyIssue[];
}

export interface DayContext {
  chain: TrailChain;
  key: string | undefined;
  /** First and last anchored day of the whole directory: inside it, every day has an anchor. */
  sealedSpan: { first: string | undefined; last: string | undefined };
  anchors: Map<string, LoadedAnchor>;
  firstAnchorPrev: string;
  firstAnchorPrevName: string;
  /** With a key: the day signing with it began; unsigned anchors are accepted only before it. */
  signingBeganDay?: string;
}

export interface DayVerdict {
  day: string;
  file?: FileVerdict;
  anchor?: AnchorVerdict;
  /** Neither file nor anchor, outside the sealed span: nothing proves the day had no events. */
  unproven: boolean;
  /** A file without an anchor yet (today, or days not sealed so far). */
  unsealed: boolean;
  signed: { checked: number; failed: number };
  /** Issues found but not kept (segments keep a bounded number). */
  dropped: number;
}

const MAX_ISSUES_PER_FILE = 200;

/** Verifies one day: its anchor, its file's segments joined to the trail, and the two against each other. */
export function verifyDay(input: DayInput, context: DayContext): DayVerdict {
  const { day } = input;
  const { first, last } = context.sealedSpan;
  const inSealedSpan = first !== undefined && last !== undefined && day >= first && day <= last;
  const signed = { checked: 0, failed: 0 };
  let anchor: AnchorVerdict | undefined;
  let usableAnchor = false;
  if (input.anchor) {
    const previous = context.anchors.get(addDays(day, -1));
    const expected = day === first
      ? { expectedPrev: context.firstAnchorPrev, prevName: context.firstAnchorPrevName }
      : { expectedPrev: previous?.anchor?.hash, prevName: `the anchor of ${addDays(day, -1)}` };
    const unsignedAllowed = context.key === undefined || (context.signingBeganDay !== undefined && day < context.signingBeganDay);
    const issues = checkAnchor(input.anchor, { key: context.key, unsignedAllowed, ...expected });
    usableAnchor = input.anchor.anchor !== undefined && !issues.some((i) => i.kind === "anchor_hash" || i.kind === "anchor_invalid" || i.kind === "downgrade");
    if (usableAnchor && input.anchor.anchor?.alg === "hmac-sha256") context.chain.noteSigned();
    const { status, verdict } = statusOf(issues);
    anchor = { day, name: input.anchor.name, issues, status: status === "invalid" ? "invalid" : "valid", verdict };
  } else if (inSealedSpan) {
    const issues: VerifyIssue[] = [{ kind: "anchor_missing", severity: "tamper", message: "missing: no anchor for a day inside the sealed range (deleted?)" }];
    anchor = { day, name: anchorFileName(day), status: "missing", verdict: issues[0]?.message ?? "", issues };
  }
  const sealed = usableAnchor ? input.anchor?.anchor : undefined;

  if (!input.file) {
    const missing = sealed ? compareWithAnchor(sealed, { exists: false, bytes: 0, lines: 0, writers: new Map() }) : [];
    if (missing.length === 0 && !(inSealedSpan && !input.anchor)) return { day, anchor, unproven: !input.anchor, unsealed: false, signed, dropped: 0 };
    const issues = missing.length > 0 ? missing : [{ kind: "missing", severity: "tamper", message: "missing: neither the file nor its anchor exists, inside the sealed range" } as VerifyIssue];
    const file: FileVerdict = { day, name: dayFileName(day), status: "missing", verdict: issues[0]?.message ?? "missing", sealed: Boolean(sealed), entries: 0, lines: 0, bytes: 0, writers: 0, issues, issueCount: issues.length };
    return { day, file, anchor, unproven: false, unsealed: false, signed, dropped: 0 };
  }

  // Chain links resolved later (TrailChain.finish) may still add to this list: finalizeDay sorts it.
  const issues: VerifyIssue[] = [];
  let dropped = 0;
  const facts: SealedFileFacts = { exists: true, bytes: 0, lines: 0, writers: new Map() };
  let entries = 0;
  for (const segment of input.segments) {
    const offset = facts.lines;
    context.chain.join(segment, offset, issues);
    dropped += segment.issueCount - segment.issues.length;
    for (const issue of segment.issues) issues.push(shiftLines(issue, offset));
    for (const span of segment.writers) {
      const known = facts.writers.get(span.writer);
      facts.writers.set(span.writer, { first_seq: known?.first_seq ?? span.first.seq, last_seq: span.fileLast.seq, last_hash: span.fileLast.hash });
    }
    facts.lines += segment.lines;
    facts.bytes += segment.bytes;
    entries += segment.entries;
    signed.checked += segment.signed.checked;
    signed.failed += segment.signed.failed;
  }
  issues.push(...(input.linkIssues ?? []));
  // The writer opens day files with O_NOFOLLOW and refuses a link, so a link here was planted:
  // the bytes it leads to are checked as usual, but the day cannot be accepted.
  if (input.file.symlink) {
    issues.push({ kind: "symlink", severity: "tamper", message: `${input.file.name} is a symbolic link, which the writer never creates: replace it with the file it points to, or remove it` });
  }
  const single = input.segments.length === 1 ? input.segments[0] : undefined;
  facts.sha256 = single ? single.sha256 : input.digest?.sha256;
  facts.prefixSha256 = single ? single.prefixSha256 : input.digest?.prefixSha256;
  if (sealed) issues.push(...compareWithAnchor(sealed, facts));
  if (input.file.archive) issues.push({ kind: "blank", severity: "note", message: `${input.file.archive} exists next to the plain file; only the plain file was verified` });
  const file: FileVerdict = {
    day, name: input.file.name, sealed: Boolean(sealed), entries, lines: facts.lines, bytes: facts.bytes, writers: facts.writers.size,
    issues, issueCount: 0, status: "valid", verdict: "valid",
  };
  return { day, file, anchor, unproven: false, unsealed: !input.anchor, signed, dropped };
}

/**
 * Settles a day's file verdict once the whole trail has been joined: issues in line order (those
 * about the whole file last), counted, capped, and the verdict taken from the first tampering.
 */
export function finalizeDay(verdict: DayVerdict): DayVerdict {
  const file = verdict.file;
  if (!file || file.status === "missing") return verdict;
  const sorted = file.issues.map((issue, index) => ({ issue, index })).sort((a, b) => (a.issue.line ?? Infinity) - (b.issue.line ?? Infinity) || a.index - b.index).map((x) => x.issue);
  const issueCount = sorted.length + verdict.dropped;
  return { ...verdict, file: { ...file, issues: sorted.slice(0, MAX_ISSUES_PER_FILE), issueCount, ...statusOf(sorted, issueCount) } };
}

/** Status and CloudTrail-style verdict from the issues: the first tampering wins, then a torn write. */
function statusOf(issues: VerifyIssue[], total = issues.length): { status: "valid" | "torn" | "invalid"; verdict: string } {
  const tampered = issues.filter((i) => i.severity === "tamper");
  const first = tampered[0];
  if (first) {
    // Issues beyond the kept ones are counted but not kept; they are almost always more tampering.
    const more = tampered.length - 1 + (total - issues.length);
    return { status: "invalid", verdict: `INVALID: ${first.message}${more > 0 ? ` (+${more} more)` : ""}` };
  }
  const torn = issues.find((i) => i.severity === "torn");
  if (torn) return { status: "torn", verdict: torn.message };
  return { status: "valid", verdict: "valid" };
}

/** Issues found in a later segment of a file carry segment-local line numbers; make them file-wide. */
function shiftLines(issue: VerifyIssue, offset: number): VerifyIssue {
  if (offset === 0) return issue;
  return {
    ...issue,
    line: issue.line === undefined ? undefined : issue.line + offset,
    message: issue.message.replace(/\bline (\d+)/g, (_m, n: string) => `line ${Number(n) + offset}`),
  };
}
