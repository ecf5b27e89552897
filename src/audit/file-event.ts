// A writer's day-file events (`audit.file.deleted` / `audit.file.replaced`): how the chain checker
// recognises their lines and what note verify passes on for them. Kept apart from the checker
// because both of its line paths (a line of its own, a line inside a window) must agree on it.
import { hasAt } from "./line-pattern.js";

/** How the line of a writer's day-file event starts. */
export const FILE_EVENT_PREFIX = '{"action":"audit.file.';
/** Where a canonical line's action value starts. */
export const ACTION_AT = '{"action":"'.length;

/**
 * Whether the line starting at `at` in `text` is a writer's day-file event, which line() passes
 * on as a note; no other line starting with `{` differs between line() and settleIn.
 */
export function isFileEventAt(text: string, at: number): boolean {
  return text.charCodeAt(at + ACTION_AT) === 0x61 /* a */ && hasAt(text, FILE_EVENT_PREFIX, at);
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
