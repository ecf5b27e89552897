import { MonwireError } from "../errors.js";
import { addDays, isValidDay } from "./chain.js";
import { zonedDay, zonedDayStart, zonedTimeToInstant } from "./time-range-zone.js";

/**
 * Times people type on the command line: `--since 15m`, `--since yesterday`, `--until 2025-01-04`,
 * `--since 2025-01-04T10:00:00+01:00`. A whole day (`today`, `yesterday`, a date) means its start
 * for --since and its end (the next day's start, exclusive) for --until, so `--since yesterday
 * --until yesterday` is exactly yesterday. Days and zone-less times are read in `timeZone` (UTC
 * unless told), the zone the day files are named in.
 */
export type TimeEdge = "start" | "end";

export interface ParseTimeOptions {
  now: Date;
  /** Whether a whole day denotes its first instant (--since) or the instant after it (--until). */
  edge: TimeEdge;
  timeZone?: string;
  /** Flag name for the error message. */
  flag?: string;
}

const UNIT_MS: Readonly<Record<string, number>> = {
  s: 1_000, sec: 1_000, second: 1_000, seconds: 1_000,
  m: 60_000, min: 60_000, minute: 60_000, minutes: 60_000,
  h: 3_600_000, hour: 3_600_000, hours: 3_600_000,
  d: 86_400_000, day: 86_400_000, days: 86_400_000,
  w: 604_800_000, week: 604_800_000, weeks: 604_800_000,
};

const RELATIVE = /^(\d+)\s*([a-z]+)(?:\s+ago)?$/;
const LOCAL_DATETIME = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,3})?)?$/;
const ZONED_DATETIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i;

/** The instant a typed time denotes; throws a usage error (exit 2) naming the flag when unreadable. */
export function parseTimeSpec(text: string, options: ParseTimeOptions): Date {
  const spec = text.trim().toLowerCase();
  const timeZone = options.timeZone ?? "UTC";
  const now = options.now.getTime();
  const dayEdge = (day: string) => new Date(zonedDayStart(options.edge === "end" ? addDays(day, 1) : day, timeZone));

  if (spec === "now") return new Date(now);
  if (spec === "today") return dayEdge(zonedDay(now, timeZone));
  if (spec === "yesterday") return dayEdge(addDays(zonedDay(now, timeZone), -1));
  const relative = RELATIVE.exec(spec);
  if (relative) {
    const unit = UNIT_MS[relative[2] ?? ""];
    if (unit !== undefined) return new Date(now - Number(relative[1]) * unit);
  }
  if (isValidDay(spec)) return dayEdge(spec);
  const local = LOCAL_DATETIME.exec(spec);
  if (local && isValidDay(local[1] ?? "")) {
    const wall = Date.parse(`${local[1]}T${local[2]}:${local[3]}:${local[4] ?? "00"}${(local[5] ?? ".000").padEnd(4, "0")}Z`);
    if (!Number.isNaN(wall)) return new Date(zonedTimeToInstant(wall, timeZone));
  }
  if (ZONED_DATETIME.test(spec)) {
    const instant = Date.parse(spec.toUpperCase().replace(" ", "T"));
    if (!Number.isNaN(instant)) return new Date(instant);
  }
  throw new MonwireError("E_OPTION_INVALID", `${options.flag ?? "time"} ${JSON.stringify(text)} is not a time monwire understands`, {
    hint: "Use an ISO time (2025-01-04T10:00:00Z), a day (2025-01-04, today, yesterday) or a relative time (15m, 2h, 3d).",
  });
}

/** Parses a YYYY-MM-DD flag value or `today`/`yesterday` in the zone; throws a usage error otherwise. */
export function parseDaySpec(text: string, options: { now: Date; timeZone?: string; flag: string }): string {
  const spec = text.trim().toLowerCase();
  const today = zonedDay(options.now.getTime(), options.timeZone ?? "UTC");
  if (spec === "today") return today;
  if (spec === "yesterday") return addDays(today, -1);
  if (isValidDay(spec)) return spec;
  throw new MonwireError("E_OPTION_INVALID", `${options.flag} ${JSON.stringify(text)} is not a day`, {
    hint: "Write the day as YYYY-MM-DD (e.g. 2025-01-04), or today / yesterday.",
  });
}

/** The inclusive list of days from..to. */
export function listDays(from: string, to: string): string[] {
  const days: string[] = [];
  for (let day = from; day <= to; day = addDays(day, 1)) days.push(day);
  return days;
}
