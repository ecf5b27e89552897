import { MonwireError } from "../errors.js";
import { addDays } from "./chain.js";
import { ownString } from "./own-string.js";

/**
 * Time-zone arithmetic on IANA zones with nothing but Intl: the offset of a zone at an instant,
 * where a local day starts, and which local hour an instant falls in. Day files are UTC, so a
 * report for a day in Sarajevo or New York maps that day onto instants and then onto UTC files.
 */
const MINUTE = 60_000;
const partsCache = new Map<string, Intl.DateTimeFormat>();

function partsFormatter(timeZone: string): Intl.DateTimeFormat {
  let formatter = partsCache.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit",
    });
    partsCache.set(timeZone, formatter);
  }
  return formatter;
}

/** Throws a usage error naming the flag when `timeZone` is not an IANA zone ICU knows. */
export function assertTimeZone(timeZone: string, flag = "--tz"): void {
  // UTC, the default, needs no zone data: its first Intl.DateTimeFormat costs ~45 ms of ICU loading.
  if (timeZone === "UTC") return;
  try {
    partsFormatter(timeZone);
  } catch {
    throw new MonwireError("E_OPTION_INVALID", `${flag} ${JSON.stringify(timeZone)} is not a known time zone`, {
      hint: `Use an IANA zone name such as UTC, Europe/Sarajevo or America/New_York.`,
    });
  }
}

/** Minutes the zone is ahead of UTC at `instantMs` (Europe/Sarajevo in summer: 120). */
export function zoneOffsetMinutes(instantMs: number, timeZone: string): number {
  if (timeZone === "UTC") return 0;
  const parts: Record<string, number> = {};
  for (const part of partsFormatter(timeZone).formatToParts(new Date(instantMs))) {
    if (part.type !== "literal") parts[part.type] = Number(part.value);
  }
  const asUtc = Date.UTC(parts.year ?? 1970, (parts.month ?? 1) - 1, parts.day ?? 1, parts.hour ?? 0, parts.minute ?? 0, parts.second ?? 0);
  return Math.round((asUtc - Math.floor(instantMs / 1000) * 1000) / MINUTE);
}

/**
 * The instant a wall-clock time in the zone denotes. For times skipped by a DST jump the later
 * offset wins, which is where a clock that sprang forward actually is.
 */
export function zonedTimeToInstant(wallUtcMs: number, timeZone: string): number {
  let instant = wallUtcMs - zoneOffsetMinutes(wallUtcMs, timeZone) * MINUTE;
  // Two refinements settle on the offset in force at the result, also across a transition.
  for (let i = 0; i < 2; i++) instant = wallUtcMs - zoneOffsetMinutes(instant, timeZone) * MINUTE;
  return instant;
}

/** The instant local day `day` (YYYY-MM-DD) starts in the zone. */
export function zonedDayStart(day: string, timeZone: string): number {
  return zonedTimeToInstant(Date.parse(`${day}T00:00:00.000Z`), timeZone);
}

/** The local day (YYYY-MM-DD) of an instant in the zone. */
export function zonedDay(instantMs: number, timeZone: string): string {
  return new Date(instantMs + zoneOffsetMinutes(instantMs, timeZone) * MINUTE).toISOString().slice(0, 10);
}

/** Start (inclusive) and end (exclusive) instants of local days from..to, and the UTC days that hold them. */
export function zonedDayRange(from: string, to: string, timeZone: string): { start: number; end: number; utcDays: string[] } {
  const start = zonedDayStart(from, timeZone);
  const end = zonedDayStart(addDays(to, 1), timeZone);
  const utcDays: string[] = [];
  const last = new Date(end - 1).toISOString().slice(0, 10);
  for (let day = new Date(start).toISOString().slice(0, 10); day <= last; day = addDays(day, 1)) utcDays.push(day);
  return { start, end, utcDays };
}

/**
 * Maps an entry timestamp to the start of its local hour. Real offsets are whole quarter hours and
 * change on quarter-hour boundaries, so the offset is looked up once per UTC quarter hour: a day
 * costs ~96 Intl calls however many entries it holds.
 */
export function createHourBucketer(timeZone: string): (ts: string) => number {
  const offsets = new Map<string, number>();
  // Entries come in time order, so most share the previous entry's UTC hour: skip parsing them.
  let lastHour = "";
  let lastStart = 0;
  return (ts) => {
    if (timeZone === "UTC" && lastHour !== "" && ts.startsWith(lastHour)) return lastStart;
    const instant = Date.parse(ts);
    if (timeZone === "UTC") {
      // Copied: `ts` may be a view of a decoded window of many lines (see ownString).
      lastHour = ownString(ts.slice(0, 14));
      lastStart = instant - (instant % 3_600_000);
      return lastStart;
    }
    const minute = Number(ts.slice(14, 16));
    const key = `${ts.slice(0, 13)}:${Math.floor(minute / 15)}`;
    let offset = offsets.get(key);
    if (offset === undefined) {
      offset = zoneOffsetMinutes(instant, timeZone);
      offsets.set(ownString(key), offset);
    }
    const local = instant + offset * MINUTE;
    return local - (((local % 3_600_000) + 3_600_000) % 3_600_000) - offset * MINUTE;
  };
}

/** "2025-01-04 13:00" — the local wall time of an instant, for hour labels. */
export function formatZonedHour(instantMs: number, timeZone: string): string {
  const local = new Date(instantMs + zoneOffsetMinutes(instantMs, timeZone) * MINUTE).toISOString();
  return `${local.slice(0, 10)} ${local.slice(11, 16)}`;
}
