import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { computeAnchorHash, type Anchor, type AnchorWriter } from "./anchor.js";
import { anchorFileName } from "./chain.js";
import type { VerifyIssue } from "./verify-types.js";

/** An anchor file as read: the parsed anchor, or why it could not be used. */
export interface LoadedAnchor {
  day: string;
  name: string;
  anchor?: Anchor;
  problem?: string;
}

const HEX64 = /^[0-9a-f]{64}$/;

/** Reads the anchor of `day`; undefined when there is none. Never throws for bad content. */
export async function loadAnchor(dir: string, day: string): Promise<LoadedAnchor | undefined> {
  const name = anchorFileName(day);
  const path = join(dir, name);
  if (!existsSync(path)) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(await readFile(path, "utf8"));
  } catch (error) {
    return { day, name, problem: `not valid JSON (${(error as Error).message})` };
  }
  const problem = anchorShapeProblem(value, day);
  return problem ? { day, name, problem } : { day, name, anchor: value as Anchor };
}

function anchorShapeProblem(value: unknown, day: string): string | undefined {
  const a = value as Partial<Anchor> | null;
  if (typeof a !== "object" || a === null) return "not a JSON object";
  if (a.v !== 1) return "v: expected 1";
  if (a.day !== day) return `day: the anchor says ${JSON.stringify(a.day)} but its file name says ${day}`;
  if (!Array.isArray(a.files) || !a.files.every((f) => typeof f?.name === "string" && typeof f.sha256 === "string" && Number.isSafeInteger(f.bytes) && Number.isSafeInteger(f.lines))) {
    return "files: expected [{name, sha256, bytes, lines}]";
  }
  if (!Array.isArray(a.writers) || !a.writers.every((w) => typeof w?.writer === "string" && Number.isSafeInteger(w.last_seq) && typeof w.last_hash === "string")) {
    return "writers: expected [{writer, first_seq, last_seq, last_hash}]";
  }
  if (typeof a.prev_anchor !== "string" || !HEX64.test(a.prev_anchor)) return "prev_anchor: expected 64 hex digits";
  if (a.alg !== "sha256" && a.alg !== "hmac-sha256") return "alg: expected sha256 or hmac-sha256";
  if (a.key_id !== undefined && typeof a.key_id !== "string") return "key_id: expected a string";
  if (typeof a.hash !== "string" || !HEX64.test(a.hash)) return "hash: expected 64 hex digits";
  return undefined;
}

/**
 * The anchor's own integrity: its hash (HMAC with the key when it says so), its link to the
 * previous anchor (`expectedPrev` undefined = cannot be checked here) and, with a key, that it
 * is signed unless its day comes before signing with the key began.
 */
export function checkAnchor(loaded: LoadedAnchor, options: { key: string | undefined; expectedPrev: string | undefined; prevName: string; unsignedAllowed: boolean }): VerifyIssue[] {
  const anchor = loaded.anchor;
  if (!anchor) return [{ kind: "anchor_invalid", severity: "tamper", message: `anchor is unreadable: ${loaded.problem}` }];
  const issues: VerifyIssue[] = [];
  if (anchor.alg === "hmac-sha256" || options.key === undefined) {
    if (computeAnchorHash(anchor, anchor.alg === "hmac-sha256" ? options.key : undefined) !== anchor.hash) {
      issues.push({ kind: "anchor_hash", severity: "tamper", message: "anchor hash mismatch: the anchor was edited after sealing" });
    }
  } else if (!options.unsignedAllowed) {
    issues.push({ kind: "downgrade", severity: "tamper", message: "anchor is not signed with the key, and the trail does not record that signing began after this day: written or replaced without the key (key downgrade)" });
  } else if (computeAnchorHash(anchor, undefined) !== anchor.hash) {
    issues.push({ kind: "anchor_hash", severity: "tamper", message: "anchor hash mismatch: the anchor was edited after sealing" });
  }
  if (options.expectedPrev !== undefined && anchor.prev_anchor !== options.expectedPrev) {
    issues.push({ kind: "anchor_chain", severity: "tamper", message: `anchor chain broken: prev_anchor is not the hash of ${options.prevName}` });
  }
  return issues;
}

/** The day file as verification found it, for comparison with what its anchor sealed. */
export interface SealedFileFacts {
  exists: boolean;
  sha256?: string;
  prefixSha256?: string;
  bytes: number;
  lines: number;
  /** Per writer in the file: first and last seq and last hash, in file order. */
  writers: Map<string, { first_seq: number; last_seq: number; last_hash: string }>;
}

/** Compares the day file with its anchor: unchanged, truncated, appended to, edited or gone. */
export function compareWithAnchor(anchor: Anchor, file: SealedFileFacts): VerifyIssue[] {
  const sealed = anchor.files[0];
  if (!sealed) {
    if (!file.exists) return [];
    return [{ kind: "changed", severity: "tamper", message: `the file appeared after its day was sealed as having no events (${file.lines} lines)` }];
  }
  if (!file.exists) return [{ kind: "missing", severity: "tamper", message: `missing: the anchor sealed ${sealed.lines} lines (${sealed.bytes} bytes) but the file is gone` }];
  if (file.sha256 === sealed.sha256 && file.bytes === sealed.bytes) return [];
  // Shorter and missing lines or entries at the end is truncation; shorter with every writer
  // still ending where it was sealed is an edit that happened to shrink the file.
  const behind = anchor.writers.some((w) => (file.writers.get(w.writer)?.last_seq ?? 0) < w.last_seq);
  if (file.bytes < sealed.bytes && (file.lines < sealed.lines || behind)) {
    return [{ kind: "truncated", severity: "tamper", message: `tail truncated against anchor: sealed ${sealed.lines} lines (${sealed.bytes} bytes), the file now has ${file.lines} lines (${file.bytes} bytes)${writerDetail(anchor.writers, file)}` }];
  }
  if (file.bytes > sealed.bytes && file.prefixSha256 === sealed.sha256) {
    return [{ kind: "changed", severity: "tamper", message: `file changed after anchor: ${file.bytes - sealed.bytes} bytes (${file.lines - sealed.lines} lines) appended after the day was sealed` }];
  }
  return [{ kind: "changed", severity: "tamper", message: `file changed after anchor: its SHA-256 differs from the sealed one${writerDetail(anchor.writers, file)}` }];
}

/** Names the first writer whose sealed head differs from the file's, to say where the change is. */
function writerDetail(sealed: AnchorWriter[], file: SealedFileFacts): string {
  for (const w of sealed) {
    const now = file.writers.get(w.writer);
    if (!now) return `; writer ${w.writer} (sealed through seq ${w.last_seq}) has no entries left`;
    if (now.last_seq !== w.last_seq) return `; writer ${w.writer} was sealed through seq ${w.last_seq}, the file now ends at seq ${now.last_seq}`;
    if (now.last_hash !== w.last_hash) return `; the hash of seq ${w.last_seq} of writer ${w.writer} differs from the sealed one`;
  }
  return "";
}
