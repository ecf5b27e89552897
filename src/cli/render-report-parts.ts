import type { ReportResult } from "../audit/report.js";
import type { FinancialRow, ReportSummary } from "../audit/report-summary.js";

/** Pieces shared by the table, Markdown and CSV renderings of `mon report`. */

export function rangeTitle(report: ReportResult): string {
  const { from, to, timeZone } = report.range;
  const days = from === to ? from : `${from} … ${to}`;
  return `Audit report ${days} (${timeZone}) · ${report.range.start} → ${report.range.end}`;
}

const FIXED_TYPES = ["deposit", "purchase", "refund"];

/** deposit, purchase, refund, then any other wallet type that occurs (withdrawal, adjustment, other). */
export function moneyTypes(rows: FinancialRow[]): string[] {
  const extra = new Set<string>();
  for (const row of rows) for (const key of Object.keys(row)) if (!["tenant", "currency", ...FIXED_TYPES].includes(key)) extra.add(key);
  return [...FIXED_TYPES, ...[...extra].sort()];
}

export interface HourBar {
  label: string;
  count: number;
  bar: string;
}

/**
 * Histogram bars scaled to `width`. Up to two days are shown per hour; longer ranges per day,
 * so a month stays readable.
 */
export function hourBars(hourly: ReportSummary["hourly"], width: number): HourBar[] {
  let rows = hourly.map((h) => ({ label: h.local, count: h.count }));
  if (hourly.length > 48) {
    const byDay = new Map<string, number>();
    for (const h of hourly) byDay.set(h.local.slice(0, 10), (byDay.get(h.local.slice(0, 10)) ?? 0) + h.count);
    rows = [...byDay].map(([label, count]) => ({ label, count }));
  }
  const max = Math.max(1, ...rows.map((r) => r.count));
  return rows.map((r) => ({ ...r, bar: "█".repeat(Math.round((r.count / max) * width)) || (r.count > 0 ? "▏" : "") }));
}

export interface MissingRange {
  dir: string;
  from: string;
  to: string;
  days: number;
  /** The files looked for, listed for a single day only; a range would repeat them per day. */
  lookedFor: string[];
}

const nextDay = (day: string) => new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

/** Missing days as runs of consecutive days per directory, so a sparse month is two lines, not thirty. */
export function missingRanges(missing: ReportResult["missing"]): MissingRange[] {
  const ranges: MissingRange[] = [];
  for (const m of missing) {
    const last = ranges[ranges.length - 1];
    if (last && last.dir === m.dir && nextDay(last.to) === m.day) {
      last.to = m.day;
      last.days += 1;
      last.lookedFor = [];
    } else {
      ranges.push({ dir: m.dir, from: m.day, to: m.day, days: 1, lookedFor: [...m.lookedFor] });
    }
  }
  return ranges;
}

/** "2025-02-12" or "2025-02-01 … 2025-02-09 (9 days)". */
export function rangeLabel(range: MissingRange): string {
  return range.days === 1 ? range.from : `${range.from} … ${range.to} (${range.days} days)`;
}

/** What was looked for: the files for one day, the pattern for a range. */
export function missingDetail(range: MissingRange): string {
  return range.days === 1 ? `looked for ${range.lookedFor.join(", ")}` : "no day file (audit-YYYY-MM-DD.log or .log.gz) and no anchor for any of them";
}
