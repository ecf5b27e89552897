import { stat } from "node:fs/promises";
import { join } from "node:path";
import { dayFileName } from "./chain.js";
import { assertAuditDir, listAnchoredDays, listDayFiles, type DayFile } from "./files.js";
import { listDays } from "./time-range.js";
import { zonedDayRange } from "./time-range-zone.js";

/**
 * Which files a report reads: for each directory (one per host when trails are merged), the UTC
 * day files that hold the requested local days. A local day in another zone spans two UTC days,
 * so both neighbours are read and entries are cut to the zone's day bounds later. A day with
 * neither a file nor an anchor in a directory is missing there, and the report names the files
 * it looked for.
 */
export interface PlannedFile extends DayFile {
  dir: string;
  bytes: number;
}

export interface MissingDay {
  dir: string;
  /** The requested (local) day. */
  day: string;
  lookedFor: string[];
}

export interface ReportPlan {
  start: number;
  end: number;
  utcDays: string[];
  files: PlannedFile[];
  missing: MissingDay[];
  /** Per directory, the UTC days of the range that have an anchor. */
  anchored: Map<string, Set<string>>;
}

export async function planReport(options: { dirs: string[]; from: string; to: string; timeZone: string }): Promise<ReportPlan> {
  const { start, end, utcDays } = zonedDayRange(options.from, options.to, options.timeZone);
  const range = { from: utcDays[0], to: utcDays[utcDays.length - 1] };
  const files: PlannedFile[] = [];
  const missing: MissingDay[] = [];
  const anchored = new Map<string, Set<string>>();
  for (const dir of options.dirs) {
    assertAuditDir(dir);
    const dayFiles = await listDayFiles(dir, range);
    const anchors = new Set(await listAnchoredDays(dir, range));
    anchored.set(dir, anchors);
    // A file that cannot be stat'ed counts as empty here; reading it then reports it as unreadable.
    for (const file of dayFiles) files.push({ ...file, dir, bytes: await stat(file.path).then((info) => info.size, () => 0) });
    const present = new Set(dayFiles.map((f) => f.day));
    for (const day of listDays(options.from, options.to)) {
      const needed = zonedDayRange(day, day, options.timeZone).utcDays;
      if (needed.some((utc) => present.has(utc) || anchors.has(utc))) continue;
      missing.push({ dir, day, lookedFor: needed.flatMap((utc) => [join(dir, dayFileName(utc)), join(dir, `${dayFileName(utc)}.gz`)]) });
    }
  }
  return { start, end, utcDays, files, missing, anchored };
}
