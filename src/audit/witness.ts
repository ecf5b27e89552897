import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { MonwireError } from "../errors.js";
import { canonicalize } from "./canonical.js";
import { dayFileName, digest, hashAlgorithm, keyId, type HashAlgorithm } from "./chain.js";
import { readAnchor, summarizeDayFile } from "./anchor.js";
import { listAnchoredDays, listDayFiles } from "./files.js";

/**
 * The head of a trail as `mon seal --witness FILE` writes it to a second place the app cannot
 * rewrite: the newest anchor, and every writer's last seq and hash. `mon verify --witness FILE`
 * then proves the trail still reaches that head, which the trail alone cannot: deleting its
 * newest days, or its newest entries, leaves nothing behind that refers to them.
 */
export interface TrailHead {
  v: 1;
  written_at: string;
  last_anchor: { day: string; hash: string } | null;
  writers: WitnessWriter[];
  alg: HashAlgorithm;
  key_id?: string;
  hash: string;
}

export interface WitnessWriter {
  writer: string;
  seq: number;
  /** Absent when the witness only knows the seq (Prometheus). */
  hash?: string;
}

/** The trail's head as it is now: anchors' writer heads, then the unsealed day files' (newest wins). */
export async function computeTrailHead(options: { dir: string; key: string | undefined; now?: Date }): Promise<TrailHead> {
  const { dir, key } = options;
  const writers = new Map<string, WitnessWriter>();
  const anchorDays = await listAnchoredDays(dir);
  let lastAnchor: TrailHead["last_anchor"] = null;
  for (const day of anchorDays) {
    const anchor = await readAnchor(dir, day);
    if (!anchor) continue;
    for (const w of anchor.writers) writers.set(w.writer, { writer: w.writer, seq: w.last_seq, hash: w.last_hash });
    lastAnchor = { day, hash: anchor.hash };
  }
  const sealedThrough = anchorDays[anchorDays.length - 1];
  for (const file of await listDayFiles(dir)) {
    if (sealedThrough !== undefined && file.day <= sealedThrough) continue;
    const summary = await summarizeDayFile(existsSync(file.path) ? file.path : join(dir, dayFileName(file.day)));
    for (const w of summary.writers) writers.set(w.writer, { writer: w.writer, seq: w.last_seq, hash: w.last_hash });
  }
  const body: Omit<TrailHead, "hash"> = {
    v: 1, written_at: (options.now ?? new Date()).toISOString(), last_anchor: lastAnchor,
    writers: [...writers.values()].sort((a, b) => (a.writer < b.writer ? -1 : 1)), alg: hashAlgorithm(key), ...(key ? { key_id: keyId(key) } : {}),
  };
  return { ...body, hash: digest(canonicalize(body), key) };
}

/** Computes the trail's head and writes it to `path` (what `mon seal --witness` does after sealing). */
export async function recordWitness(dir: string, path: string, key: string | undefined): Promise<TrailHead> {
  const head = await computeTrailHead({ dir, key });
  await writeFile(path, `${canonicalize(head)}\n`, { mode: 0o640 });
  return head;
}

/** Reads a witness file; a missing or malformed one is a usage error (exit 2), never "intact". */
export async function readWitness(path: string, key: string | undefined): Promise<{ head: TrailHead; problem?: string }> {
  let head: TrailHead;
  try {
    head = JSON.parse(await readFile(path, "utf8")) as TrailHead;
  } catch (error) {
    throw new MonwireError("E_WITNESS", `cannot read the witness ${path}: ${(error as Error).message}`, { hint: "Pass the file `mon seal --witness FILE` wrote (or prometheus=URL)." });
  }
  if (typeof head !== "object" || head === null || !Array.isArray(head.writers) || !head.writers.every((w) => typeof w?.writer === "string" && Number.isSafeInteger(w.seq))) {
    throw new MonwireError("E_WITNESS", `${path} is not a monwire witness (expected {last_anchor, writers: [{writer, seq, hash}], …})`, { hint: "Pass the file `mon seal --witness FILE` wrote." });
  }
  const { hash, ...body } = head;
  const signed = head.alg === "hmac-sha256";
  if (signed && key === undefined) return { head, problem: "the witness is signed, but no key was given to check it" };
  if (digest(canonicalize(body), signed ? key : undefined) !== hash) return { head, problem: "the witness file's hash does not match: it was edited" };
  if (key !== undefined && !signed) return { head, problem: "the witness is not signed with the key: written or replaced without it" };
  return { head };
}
