import { existsSync, statSync } from "node:fs";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { MonwireError } from "../errors.js";
import { ANCHOR_FILE_PATTERN, DAY_FILE_PATTERN, isValidDay } from "./chain.js";

/** One UTC day's audit file in a directory. */
export interface DayFile {
  day: string;
  /** File name as on disk: `audit-YYYY-MM-DD.log` or `audit-YYYY-MM-DD.log.gz`. */
  name: string;
  path: string;
  compressed: boolean;
  /** The `.gz` copy when both the plain file and its archive exist (the plain file is read). */
  archive?: string;
  /** The name is a symbolic link: the writer never creates one, so a verifier reports it. */
  symlink?: true;
}

/** An inclusive range of UTC days; either end may be open. */
export interface DayRange {
  from?: string;
  to?: string;
}

/** The UTC day (YYYY-MM-DD) of `now`. */
export function todayUtc(now: Date = new Date()): string {
  return now.toISOString().slice(0, 10);
}

export function inDayRange(day: string, range: DayRange): boolean {
  return (range.from === undefined || day >= range.from) && (range.to === undefined || day <= range.to);
}

/** Checks a user-given day range; a bad day or an inverted range is a usage error naming the flag. */
export function checkDayRange(range: DayRange, flags: { from: string; to: string } = { from: "--from", to: "--to" }): DayRange {
  for (const [value, flag] of [[range.from, flags.from], [range.to, flags.to]] as const) {
    if (value !== undefined && !isValidDay(value)) {
      throw new MonwireError("E_OPTION_INVALID", `${flag} ${JSON.stringify(value)} is not a day`, {
        hint: `Pass ${flag} as a UTC day in the form YYYY-MM-DD, e.g. ${flag} 2025-01-31.`,
      });
    }
  }
  if (range.from !== undefined && range.to !== undefined && range.from > range.to) {
    throw new MonwireError("E_OPTION_INVALID", `${flags.from} ${range.from} is after ${flags.to} ${range.to}`, {
      hint: `Swap the two days, or drop one of them.`,
    });
  }
  return range;
}

/** Throws a usage error when the audit directory does not exist or is not a directory. */
export function assertAuditDir(dir: string): void {
  if (!existsSync(dir)) {
    throw new MonwireError("E_AUDIT_DIR", `audit directory ${dir} does not exist`, {
      hint: "Pass --dir with the directory holding audit-YYYY-MM-DD.log files, or set audit.dir in mon.config.json.",
    });
  }
  if (!statSync(dir).isDirectory()) {
    throw new MonwireError("E_AUDIT_DIR", `${dir} is not a directory`, { hint: "Pass --dir with the audit directory, not a file in it." });
  }
}

/** One day file's name in a directory, plain or `.gz`, before the plain/archive pairing. */
export interface DayFileName {
  day: string;
  name: string;
  path: string;
  compressed: boolean;
  /** The name is a symbolic link (set only then). */
  symlink?: true;
}

/** Every name of an audit directory, classified once. */
export interface AuditDirNames {
  /** Day files with a valid day in their name, plain and `.gz`, sorted by name. */
  dayFiles: DayFileName[];
  /** Days with an anchor file, sorted ascending. */
  anchorDays: string[];
  /** Every other name (an impossible day such as audit-2025-02-30.log included), sorted. */
  others: string[];
}

/**
 * The one listing of an audit directory that every reader builds on (verify, report, tail, seal,
 * prune, check and the runtime's sealer): which names are day files, which are anchors, which are
 * neither. Throws what readdir throws.
 */
export async function listAuditNames(dir: string): Promise<AuditDirNames> {
  const listing: AuditDirNames = { dayFiles: [], anchorDays: [], others: [] };
  // Dirents carry the type readdir already knows, so spotting a symlink costs no extra call.
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const name = entry.name;
    const match = DAY_FILE_PATTERN.exec(name);
    const day = match?.[1];
    const anchorDay = ANCHOR_FILE_PATTERN.exec(name)?.[1];
    if (day && isValidDay(day)) listing.dayFiles.push({ day, name, path: join(dir, name), compressed: match[2] !== undefined, ...(entry.isSymbolicLink() ? { symlink: true as const } : {}) });
    else if (anchorDay && isValidDay(anchorDay)) listing.anchorDays.push(anchorDay);
    else listing.others.push(name);
  }
  return listing;
}

/**
 * The day files in `dir` within `range`, sorted by the day in their name (the entry's UTC date,
 * not the file's mtime). When a day has both a plain file and a `.gz` archive, the plain file
 * wins: an archive being written next to it may be incomplete.
 */
export async function listDayFiles(dir: string, range: DayRange = {}): Promise<DayFile[]> {
  const byDay = new Map<string, DayFile>();
  for (const file of (await listAuditNames(dir)).dayFiles) {
    if (!inDayRange(file.day, range)) continue;
    const other = byDay.get(file.day);
    if (!other) byDay.set(file.day, { ...file });
    else if (file.compressed) other.archive = file.path;
    else byDay.set(file.day, { ...file, archive: other.path });
  }
  return [...byDay.values()].sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0));
}

/** Days with an anchor file in `dir` within `range`, sorted ascending. */
export async function listAnchoredDays(dir: string, range: DayRange = {}): Promise<string[]> {
  return (await listAuditNames(dir)).anchorDays.filter((day) => inDayRange(day, range));
}
