import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { readFile, rename, unlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { canonicalize } from "./canonical.js";
import { digest, type HashAlgorithm } from "./chain.js";

/**
 * `audit-pruned.json`: what `mon prune` leaves behind so the trail stays verifiable after whole
 * days are deleted. It carries the hash of the newest deleted anchor (the next anchor's
 * `prev_anchor` must equal it) and every writer's head at the end of the deleted range (a chain
 * that continues afterwards must link to it). Signed like anchors when the trail is keyed.
 */
export const CHECKPOINT_FILE = "audit-pruned.json";

export interface CheckpointWriter {
  writer: string;
  last_seq: number;
  last_hash: string;
}

export interface PruneCheckpoint {
  v: 1;
  /** Every day up to and including this one was deleted. */
  pruned_through: string;
  pruned_at: string;
  /** The newest deleted anchor, or null when no anchor was deleted. */
  last_anchor: { day: string; hash: string } | null;
  writers: CheckpointWriter[];
  /** Totals over this and every earlier prune. */
  deleted: { days: number; files: number; bytes: number };
  /** `hash` of the checkpoint this one replaced, or 64 zeros. */
  prev_checkpoint: string;
  alg: HashAlgorithm;
  hash: string;
}

export function computeCheckpointHash(checkpoint: Omit<PruneCheckpoint, "hash"> | PruneCheckpoint, key: string | undefined): string {
  const { hash: _omit, ...body } = checkpoint as PruneCheckpoint;
  return digest(canonicalize(body), body.alg === "hmac-sha256" ? key : undefined);
}

/** The checkpoint in `dir`, or undefined when nothing was ever pruned. Throws on unreadable JSON. */
export async function readCheckpoint(dir: string): Promise<PruneCheckpoint | undefined> {
  const path = join(dir, CHECKPOINT_FILE);
  if (!existsSync(path)) return undefined;
  return JSON.parse(await readFile(path, "utf8")) as PruneCheckpoint;
}

/** Replaces the checkpoint atomically (temp file + rename), flushed before the rename. */
export async function writeCheckpoint(dir: string, checkpoint: PruneCheckpoint): Promise<void> {
  const target = join(dir, CHECKPOINT_FILE);
  const temp = join(dir, `.${CHECKPOINT_FILE}.${randomBytes(6).toString("hex")}.tmp`);
  try {
    await writeFile(temp, `${canonicalize(checkpoint)}\n`, { mode: 0o640, flush: true });
    await rename(temp, target);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}

/** Problems with a checkpoint's shape; empty when it is well-formed. */
export function checkpointShapeProblems(value: unknown): string[] {
  const c = value as Partial<PruneCheckpoint> | null;
  if (typeof c !== "object" || c === null) return ["not a JSON object"];
  const problems: string[] = [];
  if (c.v !== 1) problems.push("v: expected 1");
  if (typeof c.pruned_through !== "string" || !/^\d{4}-\d{2}-\d{2}$/.test(c.pruned_through)) problems.push("pruned_through: expected a day");
  if (c.last_anchor !== null && (typeof c.last_anchor !== "object" || typeof c.last_anchor?.hash !== "string")) problems.push("last_anchor: expected {day, hash} or null");
  if (!Array.isArray(c.writers) || !c.writers.every((w) => typeof w?.writer === "string" && Number.isSafeInteger(w.last_seq) && typeof w.last_hash === "string")) {
    problems.push("writers: expected [{writer, last_seq, last_hash}]");
  }
  if (c.alg !== "sha256" && c.alg !== "hmac-sha256") problems.push("alg: expected sha256 or hmac-sha256");
  if (typeof c.hash !== "string") problems.push("hash: expected 64 hex digits");
  return problems;
}
