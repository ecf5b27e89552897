import { describe, expect, it } from "vitest";
import { parseDaySpec, parseTimeSpec, listDays } from "../../src/audit/time-range.js";
import { createHourBucketer, formatZonedHour, zonedDay, zonedDayRange, zonedDayStart, zoneOffsetMinutes } from "../../src/audit/time-range-zone.js";

const now = new Date("2025-01-04T10:30:00.000Z");
const iso = (text: string, edge: "start" | "end", timeZone?: string) => parseTimeSpec(text, { now, edge, timeZone }).toISOString();

describe("parseTimeSpec", () => {
  it.each([
    ["15m", "start", "2025-01-04T10:15:00.000Z"],
    ["2h", "start", "2025-01-04T08:30:00.000Z"],
    ["3d", "start", "2025-01-01T10:30:00.000Z"],
    ["90s", "start", "2025-01-04T10:28:30.000Z"],
    ["1w", "start", "2024-12-28T10:30:00.000Z"],
    ["10 minutes ago", "start", "2025-01-04T10:20:00.000Z"],
    ["now", "end", "2025-01-04T10:30:00.000Z"],
    ["today", "start", "2025-01-04T00:00:00.000Z"],
    ["today", "end", "2025-01-05T00:00:00.000Z"],
    ["yesterday", "start", "2025-01-03T00:00:00.000Z"],
    ["Yesterday", "end", "2025-01-04T00:00:00.000Z"],
    ["2024-12-31", "start", "2024-12-31T00:00:00.000Z"],
    ["2024-12-31", "end", "2025-01-01T00:00:00.000Z"],
    ["2025-01-04T09:00:00Z", "start", "2025-01-04T09:00:00.000Z"],
    ["2025-01-04T09:00:00.250Z", "end", "2025-01-04T09:00:00.250Z"],
    ["2025-01-04T10:00:00+01:00", "start", "2025-01-04T09:00:00.000Z"],
    ["2025-01-04 09:00", "start", "2025-01-04T09:00:00.000Z"],
  ] as const)("%s (%s) → %s", (text, edge, expected) => {
    expect(iso(text, edge)).toBe(expected);
  });

  it.each([
    ["today", "start", "Europe/Sarajevo", "2025-01-03T23:00:00.000Z"],
    ["yesterday", "end", "Europe/Sarajevo", "2025-01-03T23:00:00.000Z"],
    ["2025-01-04 09:00", "start", "America/New_York", "2025-01-04T14:00:00.000Z"],
    ["2025-07-01", "start", "Europe/Sarajevo", "2025-06-30T22:00:00.000Z"],
    ["2025-01-04", "start", "Asia/Kolkata", "2025-01-03T18:30:00.000Z"],
  ] as const)("%s (%s) in %s → %s", (text, edge, zone, expected) => {
    expect(iso(text, edge, zone)).toBe(expected);
  });

  it.each(["", "soon", "15 parsecs", "2025-13-01", "2025-02-30", "-5m", "2025-01-04T25:00:00Z"])("rejects %j with a usage error", (text) => {
    expect(() => parseTimeSpec(text, { now, edge: "start", flag: "--since" })).toThrow(expect.objectContaining({ code: "E_OPTION_INVALID", exitCode: 2 }));
  });
});

describe("days and zones", () => {
  it.each([
    ["today", "UTC", "2025-01-04"],
    ["yesterday", "UTC", "2025-01-03"],
    ["2024-02-29", "UTC", "2024-02-29"],
    ["today", "Pacific/Kiritimati", "2025-01-05"],
  ] as const)("day %s in %s → %s", (text, zone, expected) => {
    expect(parseDaySpec(text, { now, timeZone: zone, flag: "--day" })).toBe(expected);
  });

  it("rejects a day that does not exist", () => {
    expect(() => parseDaySpec("2025-02-29", { now, flag: "--day" })).toThrow(/--day "2025-02-29" is not a day/);
  });

  it("knows DST offsets and local day starts", () => {
    expect(zoneOffsetMinutes(Date.parse("2025-01-04T12:00:00Z"), "Europe/Sarajevo")).toBe(60);
    expect(zoneOffsetMinutes(Date.parse("2025-07-04T12:00:00Z"), "Europe/Sarajevo")).toBe(120);
    expect(zoneOffsetMinutes(Date.parse("2025-07-04T12:00:00Z"), "America/New_York")).toBe(-240);
    expect(new Date(zonedDayStart("2025-03-30", "Europe/Sarajevo")).toISOString()).toBe("2025-03-29T23:00:00.000Z");
    expect(zonedDay(Date.parse("2025-01-04T23:30:00Z"), "Europe/Sarajevo")).toBe("2025-01-05");
  });

  it("maps a zoned day onto the UTC day files that hold it", () => {
    expect(zonedDayRange("2025-01-04", "2025-01-04", "UTC").utcDays).toEqual(["2025-01-04"]);
    expect(zonedDayRange("2025-01-04", "2025-01-04", "Europe/Sarajevo").utcDays).toEqual(["2025-01-03", "2025-01-04"]);
    expect(zonedDayRange("2025-01-04", "2025-01-04", "America/New_York").utcDays).toEqual(["2025-01-04", "2025-01-05"]);
    const spring = zonedDayRange("2025-03-30", "2025-03-30", "Europe/Sarajevo");
    expect((spring.end - spring.start) / 3_600_000).toBe(23);
    expect(listDays("2024-12-30", "2025-01-02")).toEqual(["2024-12-30", "2024-12-31", "2025-01-01", "2025-01-02"]);
  });

  it("buckets timestamps into local hours, also in half-hour zones", () => {
    const utc = createHourBucketer("UTC");
    expect(new Date(utc("2025-01-04T10:59:59.999Z")).toISOString()).toBe("2025-01-04T10:00:00.000Z");
    const kolkata = createHourBucketer("Asia/Kolkata");
    expect(new Date(kolkata("2025-01-04T10:29:59.999Z")).toISOString()).toBe("2025-01-04T09:30:00.000Z");
    expect(new Date(kolkata("2025-01-04T10:30:00.000Z")).toISOString()).toBe("2025-01-04T10:30:00.000Z");
    expect(formatZonedHour(Date.parse("2025-01-04T10:30:00.000Z"), "Asia/Kolkata")).toBe("2025-01-04 16:00");
  });
});
