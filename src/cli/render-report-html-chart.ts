import type { ReportSummary } from "../audit/report-summary.js";
import { escapeHtml, formatCount } from "./html.js";

/**
 * The activity chart of the HTML report: one stacked bar per hour (per day for ranges over two
 * days, as in the text report), one colour per category, drawn as inline SVG so the file needs
 * nothing from the network and prints as vectors. Each bar carries a `<title>` (a tooltip on
 * screen) and `data-k`/`data-v` with its total, like every figure in the report.
 */
export const CATEGORY_COLORS: Record<string, string> = {
  financial: "#2f6fb3",
  license: "#7a52b3",
  authentication: "#d08a1e",
  user_management: "#3c9a5f",
  security: "#c2403a",
  admin: "#6b7480",
};

const WIDTH = 720;
const HEIGHT = 220;
const PAD = { left: 44, right: 8, top: 10, bottom: 30 };

interface Column {
  label: string;
  total: number;
  byCategory: Record<string, number>;
  /** JSON paths of the hourly rows this column sums. */
  paths: string[];
}

function columnsOf(hourly: ReportSummary["hourly"]): Column[] {
  const columns = hourly.map((h, i) => ({ label: h.local, total: h.count, byCategory: { ...h.byCategory }, paths: [`summary.hourly[${i}].count`] }));
  if (hourly.length <= 48) return columns;
  const byDay = new Map<string, Column>();
  for (const c of columns) {
    const day = c.label.slice(0, 10);
    const into = byDay.get(day);
    if (!into) byDay.set(day, { ...c, label: day });
    else {
      into.total += c.total;
      into.paths.push(...c.paths);
      for (const [k, v] of Object.entries(c.byCategory)) into.byCategory[k] = (into.byCategory[k] ?? 0) + v;
    }
  }
  return [...byDay.values()];
}

/** 1, 2, 5 × 10^n: a step giving about four gridlines. */
function niceStep(max: number): number {
  const rough = Math.max(1, max / 4);
  const power = 10 ** Math.floor(Math.log10(rough));
  return [1, 2, 5, 10].map((m) => m * power).find((s) => s >= rough) ?? power * 10;
}

export function renderActivityChart(hourly: ReportSummary["hourly"], categories: readonly string[]): string {
  const columns = columnsOf(hourly);
  const perDay = hourly.length > 48;
  const max = Math.max(1, ...columns.map((c) => c.total));
  const step = niceStep(max);
  const top = Math.ceil(max / step) * step;
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const slot = plotW / Math.max(1, columns.length);
  const barW = Math.max(1, slot * 0.78);
  const y = (v: number) => PAD.top + plotH - (v / top) * plotH;
  const out: string[] = [];
  for (let v = 0; v <= top; v += step) {
    out.push(`<line x1="${PAD.left}" x2="${WIDTH - PAD.right}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" class="grid"/>`);
    out.push(`<text x="${PAD.left - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end" class="axis">${formatCount(v)}</text>`);
  }
  const labelEvery = Math.max(1, Math.ceil(columns.length / (perDay ? 12 : 24)));
  columns.forEach((c, i) => {
    const x = PAD.left + i * slot + (slot - barW) / 2;
    const parts = categories.filter((k) => (c.byCategory[k] ?? 0) > 0).map((k) => `${k} ${formatCount(c.byCategory[k] ?? 0)}`);
    const title = `${c.label}: ${formatCount(c.total)} event${c.total === 1 ? "" : "s"}${parts.length ? ` (${parts.join(", ")})` : ""}`;
    out.push(`<g class="bar" data-k="${escapeHtml(c.paths.join(" + "))}" data-v="${c.total}"><title>${escapeHtml(title)}</title>`);
    let base = 0;
    for (const k of categories) {
      const v = c.byCategory[k] ?? 0;
      if (v === 0) continue;
      const h = (v / top) * plotH;
      out.push(`<rect x="${x.toFixed(1)}" y="${(y(base) - h).toFixed(1)}" width="${barW.toFixed(1)}" height="${h.toFixed(1)}" fill="${CATEGORY_COLORS[k] ?? "#999"}"/>`);
      base += v;
    }
    out.push("</g>");
    if (i % labelEvery === 0) {
      const label = perDay ? c.label.slice(5) : c.label.slice(11, 13);
      out.push(`<text x="${(x + barW / 2).toFixed(1)}" y="${HEIGHT - PAD.bottom + 14}" text-anchor="middle" class="axis">${escapeHtml(label)}</text>`);
    }
  });
  const unit = perDay ? "day" : "local hour";
  out.push(`<text x="${WIDTH - PAD.right}" y="${HEIGHT - 4}" text-anchor="end" class="axis">${unit}</text>`);
  const legend = categories.map((k) => `<span><i style="background:${CATEGORY_COLORS[k] ?? "#999"}"></i>${escapeHtml(k.replace("_", " "))}</span>`).join("");
  return `<svg class="chart" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="Events per ${unit} by category" xmlns="http://www.w3.org/2000/svg">${out.join("")}</svg>\n<p class="legend">${legend}</p>`;
}
