import type { HashAlgorithm } from "./chain.js";

/**
 * `tamper`: the trail was changed (exit 1). `torn`: a write cut short by a crash; nothing
 * acknowledged is missing (exit 0, reported). `note`: worth knowing, never a failure.
 */
export type IssueSeverity = "tamper" | "torn" | "note";

export type IssueKind =
  | "hash_mismatch" | "not_canonical" | "unsigned" | "alg_changed" | "chain_broken" | "seq_gap" | "duplicate_seq"
  | "out_of_order" | "chain_start" | "link_broken" | "corrupt" | "schema" | "crlf" | "bom" | "fragment" | "blank"
  | "torn_final" | "unterminated" | "unreadable" | "missing" | "truncated" | "changed" | "anchor_hash" | "anchor_chain"
  | "anchor_missing" | "anchor_invalid" | "downgrade" | "checkpoint" | "misplaced" | "anchor_link" | "witness" | "late" | "file_event" | "symlink";

export interface VerifyIssue {
  kind: IssueKind;
  severity: IssueSeverity;
  message: string;
  line?: number;
  seq?: number;
  writer?: string;
}

/** A chain.started entry's link to the previous writer's head, checked once that writer is known. */
export interface WriterLink {
  line: number;
  from: string;
  writer: string;
  seq: number;
  hash: string;
}

/** What a segment saw of one writer: its first and last entry, and a few hashes at either end. */
export interface WriterSpan {
  writer: string;
  alg: HashAlgorithm | undefined;
  first: { seq: number; prev: string; line: number; started: boolean };
  last: { seq: number; hash: string; line: number };
  /** Last entry in file order (for comparing with an anchor, which records file order). */
  fileLast: { seq: number; hash: string };
  count: number;
  /** [seq, hash] of the first few entries, to resolve links made before they were seen. */
  headHashes: [number, string][];
  /** [seq, hash] of the last few entries, to resolve links made after them. */
  tailHashes: [number, string][];
}

export interface SegmentResult {
  lines: number;
  entries: number;
  bytes: number;
  issues: VerifyIssue[];
  /** Issues found, including those beyond the kept `issues` (capped to bound memory). */
  issueCount: number;
  writers: WriterSpan[];
  links: WriterLink[];
  sha256?: string;
  prefixSha256?: string;
  /** Line of an unparsable, unterminated final line (only when the segment ends the file). */
  tornLine?: number;
  /** Set when a writer declares HMAC and no key was given: verification cannot proceed. */
  keyRequired?: { line: number; writer: string };
  /** Entries of writers that declared HMAC, and how many of them failed (a wrong key fails all). */
  signed: { checked: number; failed: number };
  /** Key ids named by signed writers' audit.chain.started entries. */
  keyIds: string[];
  /** Line of the first audit.chain.started, verified with the key, that records that signing began. */
  signingBegan?: number;
  /** Anchors named by entries of the segment: each must exist with that hash. */
  anchorLinks: AnchorLink[];
}

/** An entry's reference to an anchor (audit.chain.started prev_anchor, audit.day.sealed anchor). */
export interface AnchorLink {
  line: number;
  writer: string;
  day: string;
  hash: string;
}

/** The trail against a witness of its head: a file from `mon seal --witness`, or Prometheus. */
export interface WitnessVerdict {
  source: string;
  status: "valid" | "invalid";
  verdict: string;
  issues: VerifyIssue[];
}

export type FileStatus = "valid" | "torn" | "invalid" | "missing";

export interface FileVerdict {
  day: string;
  name: string;
  status: FileStatus;
  /** CloudTrail-style one-liner: `valid`, `INVALID: hash mismatch at seq 17 (line 17)`, … */
  verdict: string;
  sealed: boolean;
  entries: number;
  lines: number;
  bytes: number;
  writers: number;
  issues: VerifyIssue[];
  issueCount: number;
}

export interface AnchorVerdict {
  day: string;
  name: string;
  status: "valid" | "invalid" | "missing";
  verdict: string;
  issues: VerifyIssue[];
}

export interface VerifyReport {
  dir: string;
  from: string | undefined;
  to: string | undefined;
  /** Whether a key was available (HMAC-signed entries and anchors were checked with it). */
  keyed: boolean;
  status: "intact" | "tampered" | "empty";
  files: FileVerdict[];
  anchors: AnchorVerdict[];
  checkpoint?: { status: "valid" | "invalid"; verdict: string; prunedThrough: string };
  /** Days in range with neither file nor anchor, outside the sealed span: absence not proven. */
  unprovenDays: string[];
  notes: string[];
  hint?: string;
  /**
   * Set when no key id in the trail is the given key's: the key is not the one the trail was
   * written with (or everything was re-signed with another key). Reported once, as tampering.
   */
  wrongKey?: { given: string; trail: string[] };
  /** The comparison with an external witness of the trail's head (--witness). */
  witness?: WitnessVerdict;
  summary: {
    days: number;
    entries: number;
    bytes: number;
    writers: number;
    files: Record<FileStatus, number>;
    anchors: { valid: number; invalid: number; missing: number };
    unsealed: number;
  };
}
