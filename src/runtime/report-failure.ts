import { isMonwireError } from "../errors.js";

/** At most one warning per kind of problem in this many milliseconds, plus how many were held back. */
const QUIET_MS = 60_000;
const last = new Map<string, { at: number; held: number }>();

/**
 * Reports a monitoring failure that was not allowed to reach the host (a track.* call without
 * `strict`, a route rule): one process warning per code and minute, so a failing disk under load
 * says so clearly without flooding the log. Never throws.
 */
export function reportMonitoringFailure(where: string, error: unknown, now: number = Date.now()): void {
  try {
    const code = isMonwireError(error) ? error.code : "E_INTERNAL";
    const key = `${where}\u0000${code}`;
    const seen = last.get(key);
    if (seen && now - seen.at < QUIET_MS) {
      seen.held += 1;
      return;
    }
    const held = seen?.held ? ` (${seen.held} more like it since the last warning)` : "";
    last.set(key, { at: now, held: 0 });
    const message = error instanceof Error ? error.message : String(error);
    const hint = isMonwireError(error) && error.hint ? ` Fix: ${error.hint}` : "";
    process.emitWarning(`monwire: ${where} failed: ${message}${held}.${hint}`, { code: `MONWIRE_${code}` });
  } catch {
    // Reporting is best effort.
  }
}
