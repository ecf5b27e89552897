import { createHmac, createSecretKey, hash, type KeyObject } from "node:crypto";
import { canonicalize } from "./canonical.js";
import type { AuditEntry } from "./entry.js";

/** `prev` of a writer's first entry. */
export const GENESIS_HASH = "0".repeat(64);
export const CHAIN_STARTED_ACTION = "audit.chain.started";
/** Written by the writer that sealed a day: binds the anchor into the signed entry chains. */
export const DAY_SEALED_ACTION = "audit.day.sealed";
export type HashAlgorithm = "sha256" | "hmac-sha256";

export function hashAlgorithm(key: string | undefined): HashAlgorithm {
  return key ? "hmac-sha256" : "sha256";
}

/** The last key's KeyObject: importing the key once instead of per entry makes HMAC ~2x faster. */
let hmacKey: { key: string; object: KeyObject } | undefined;

/** Hex SHA-256 (or HMAC-SHA256 with a key) of the canonical form of `body`. */
export function digest(body: string, key: string | undefined): string {
  // One-shot crypto.hash (Node ≥ 20.12) skips the Hash object: this runs once per audit line.
  if (!key) return hash("sha256", body, "hex");
  if (hmacKey?.key !== key) hmacKey = { key, object: createSecretKey(Buffer.from(key, "utf8")) };
  return createHmac("sha256", hmacKey.object).update(body).digest("hex");
}

/**
 * A public id of a key: lets verify say "wrong key" once instead of "tampered" on every line,
 * without the key ever being written. HMAC of a fixed label, so it reveals nothing of the key.
 */
export function keyId(key: string): string {
  return createHmac("sha256", key).update("monwire key id").digest("hex").slice(0, 16);
}

/** The entry's hash: over the canonical entry without its `hash` field. */
export function computeEntryHash(entry: Omit<AuditEntry, "hash"> | AuditEntry, key: string | undefined): string {
  const { hash: _omit, ...body } = entry as AuditEntry;
  return digest(canonicalize(body), key);
}

/** Serializes a complete entry as its on-disk line, newline included. */
export function formatAuditLine(entry: AuditEntry): string {
  return `${canonicalize(entry)}\n`;
}

/** UTC day (YYYY-MM-DD) of an ISO timestamp or Date. */
export function utcDay(time: string | Date | number): string {
  return new Date(time).toISOString().slice(0, 10);
}

export const DAY_FILE_PATTERN = /^audit-(\d{4}-\d{2}-\d{2})\.log(\.gz)?$/;
export const ANCHOR_FILE_PATTERN = /^audit-(\d{4}-\d{2}-\d{2})\.anchor\.json$/;

export function dayFileName(day: string): string {
  return `audit-${day}.log`;
}

export function anchorFileName(day: string): string {
  return `audit-${day}.anchor.json`;
}

/** Adds `delta` days to a YYYY-MM-DD day, in UTC. */
export function addDays(day: string, delta: number): string {
  const t = Date.parse(`${day}T00:00:00.000Z`) + delta * 86_400_000;
  return new Date(t).toISOString().slice(0, 10);
}

export function isValidDay(day: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(day) && !Number.isNaN(Date.parse(`${day}T00:00:00Z`)) && utcDay(`${day}T00:00:00Z`) === day;
}
