// What an entry's members say about its chain (and a writer's day-file event, its note), read
// defensively: the full path of the chain checker asks these of entries that may be
// schema-invalid or forged, so each test accepts only the exact shape it names. Pure functions,
// no state; none of them runs on the hot path.
import type { HashAlgorithm } from "./chain.js";
import type { AuditEntry } from "./entry.js";
import type { VerifyIssue } from "./verify-types.js";

/**
 * How late an entry may be filed in the next day's file: a writer whose clock lags writes entries
 * dated on a day another writer has sealed into the next day's file (it never appends to a sealed
 * day). The documented clock skew between writers must stay below the seal grace (10 minutes by
 * default); an hour leaves room for a longer grace.
 */
export const LATE_ENTRY_MS = 3_600_000;

/** Whether `ts` lies within LATE_ENTRY_MS before the start of `day`. */
export function isLate(ts: string, day: string): boolean {
  const start = Date.parse(`${day}T00:00:00.000Z`);
  const at = Date.parse(ts);
  return at < start && at >= start - LATE_ENTRY_MS;
}

/** Where an entry's issue is; built only when one is reported (the hot path reports none). */
export function entryAt(e: AuditEntry, line: number): Partial<VerifyIssue> {
  return { line, seq: e.seq, writer: e.writer };
}

/** The algorithm a chain.started entry declares for its writer, if it names a known one. */
export function declaredAlgorithm(e: AuditEntry): HashAlgorithm | undefined {
  const alg = (e.data as { alg?: unknown } | undefined)?.alg;
  return alg === "sha256" || alg === "hmac-sha256" ? alg : undefined;
}

/** Whether a schema-invalid value still carries a chain (writer, seq, prev and a well-formed hash). */
export function hasChainFields(value: unknown): boolean {
  const v = value as Partial<AuditEntry> | null;
  return typeof v === "object" && v !== null && typeof v.writer === "string" && Number.isSafeInteger(v.seq) && typeof v.prev === "string" && typeof v.hash === "string" && /^[0-9a-f]{64}$/.test(v.hash);
}

/** An anchor named by an entry (chain.started prev_anchor, day.sealed anchor). */
export function isAnchorRef(value: unknown): value is { day: string; hash: string } {
  const v = value as { day?: unknown; hash?: unknown } | null;
  return typeof v === "object" && v !== null && typeof v.day === "string" && typeof v.hash === "string";
}

/** The previous writer's head that a chain.started entry links to. */
export function isLink(value: unknown): value is { writer: string; seq: number; hash: string } {
  const v = value as { writer?: unknown; seq?: unknown; hash?: unknown } | null;
  return typeof v === "object" && v !== null && typeof v.writer === "string" && Number.isSafeInteger(v.seq) && typeof v.hash === "string";
}

/**
 * The note for a day-file event's line: its writer's day file was deleted or swapped while it ran
 * and it restored its lines into a new file, so the operator learns what happened and when.
 * Undefined when the line is not JSON (the line's own check then says what is wrong with it).
 */
export function fileEventNote(text: string): string | undefined {
  let entry: { action?: unknown; ts?: unknown; writer?: unknown; data?: { note?: unknown; restored_lines?: unknown } };
  try {
    entry = JSON.parse(text) as typeof entry;
  } catch {
    return undefined;
  }
  const restored = typeof entry.data?.restored_lines === "number" ? ` (${entry.data.restored_lines} line(s) restored)` : "";
  const note = typeof entry.data?.note === "string" ? `: ${entry.data.note.slice(0, 300)}` : "";
  return `writer ${String(entry.writer)} recorded ${String(entry.action)} at ${String(entry.ts)}${note}${restored}`;
}
