import type { ReportResult } from "../audit/report.js";
import { AUDIT_CATEGORIES } from "../audit/categories.js";
import { escapeHtml, formatCount, jsonIsland, numberCell, plural } from "./html.js";
import { renderActivityChart } from "./render-report-html-chart.js";
import {
  authSection, categoryTables, eventsSection, licenseSection, moneySection, problemsSection, section, usersSection,
} from "./render-report-html-sections.js";
import { REPORT_CSS } from "./render-report-html-style.js";
import { missingDetail, missingRanges, rangeLabel } from "./render-report-parts.js";
import { createTenantLabel } from "./render-tenant.js";

/**
 * `mon report --format html`: the day (or range) as one self-contained document for finance and
 * auditors. No scripts run and nothing is fetched (the Content-Security-Policy forbids both), the
 * chart is inline SVG, the CSS prints on A4. The integrity verdict comes first, because every
 * number below is only worth what the trail is. The exact JSON report is embedded as
 * `<script type="application/json" id="monwire-report">`, and each visible figure names its path
 * in it (`data-k`), so the document can be checked against `--format json`.
 */
const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

const VERDICT_TEXT: Record<string, string> = {
  intact: "Intact — every line and anchor verified",
  torn: "Intact, with a torn final line (a crash mid-write, not tampering)",
  tampered: "TAMPERED — the trail does not verify",
  empty: "No audit data to verify",
  unverified: "Not verified — the key was not available",
  skipped: "Not verified (--no-verify)",
};

function verdict(report: ReportResult): string {
  const i = report.integrity;
  const dirs = i.dirs.map((d) => `<li><code>${escapeHtml(d.dir)}</code>: ${escapeHtml(d.summary)}${
    d.findings.length ? `<ul>${d.findings.map((f) => `<li><code>${escapeHtml(f.name)}</code>: ${escapeHtml(f.verdict)}</li>`).join("")}</ul>` : ""}</li>`).join("");
  const missing = missingRanges(report.missing).map((r) => `<li class="missing">No audit data for ${escapeHtml(rangeLabel(r))} in <code>${escapeHtml(r.dir)}</code> — ${escapeHtml(missingDetail(r))}</li>`).join("");
  // Missing days are a finding (exit 1) even when what exists verifies: the box must not look all clear.
  const days = report.missing.length;
  const look = days > 0 && i.status !== "tampered" ? "missing-days" : i.status;
  const heading = `${VERDICT_TEXT[i.status] ?? i.status}${days > 0 ? ` — but ${days === 1 ? "1 day has" : `${formatCount(days)} days have`} no audit data` : ""}`;
  return `<div class="verdict ${escapeHtml(look)}" id="integrity" data-status="${escapeHtml(i.status)}"><h2>Integrity: ${escapeHtml(heading)}</h2><ul>${dirs}${missing}</ul></div>`;
}

function heading(report: ReportResult): string {
  const { from, to, timeZone } = report.range;
  return `Audit report ${from === to ? from : `${from} – ${to}`} (${timeZone})`;
}

function overview(report: ReportResult): string {
  const s = report.summary;
  if (report.empty) {
    const proof = report.absence?.proven ? "anchors prove every day read had no other events" : `nothing proves it: no anchor for ${report.absence?.unanchoredDays.join(", ") || "these days"}`;
    return `<p class="empty">No events in this range (${escapeHtml(proof)}).</p>`;
  }
  const when = `first ${escapeHtml(s.events.first ?? "")} · last ${escapeHtml(s.events.last ?? "")}`;
  return `<p class="count">${numberCell("summary.events.total", s.events.total, undefined, "b")} ${s.events.total === 1 ? "event" : "events"} · ${when}</p>`;
}

export function renderReportHtml(report: ReportResult, options: { tenants?: readonly string[] } = {}): string {
  const tenant = createTenantLabel(options.tenants);
  const s = report.summary;
  const { timeZone } = report.range;
  const sources = `${plural(report.files.length, "file")} in ${report.dirs.map((d) => `<code>${escapeHtml(d)}</code>`).join(", ")}${
    report.tenants.length ? ` · tenants ${escapeHtml(report.tenants.map(tenant).join(", "))}` : ""}`;
  const body = [
    `<header><h1>${escapeHtml(heading(report))}</h1><p class="meta">${escapeHtml(report.range.start)} → ${escapeHtml(report.range.end)} · generated ${escapeHtml(report.generatedAt)} · ${sources}</p></header>`,
    verdict(report),
    overview(report),
  ];
  if (!report.empty) {
    const unit = s.hourly.length > 48 ? "day" : "hour";
    body.push(
      section("activity", `Activity per ${unit} by category (${timeZone})`, renderActivityChart(s.hourly, AUDIT_CATEGORIES)),
      section("categories", "Events by category and tenant", categoryTables(s, tenant)),
      moneySection(s, tenant),
      licenseSection(s, tenant),
      authSection(s),
      usersSection(s),
      eventsSection("security", "Security events", s.security, tenant),
      eventsSection("admin", "Admin actions", s.admin, tenant),
    );
  }
  body.push(problemsSection(report));
  body.push(`<footer>monwire audit report · ${formatCount(report.files.reduce((n, f) => n + f.lines, 0))} lines read · the exact figures are embedded as JSON (<code>#monwire-report</code>), the same document as <code>mon report --format json</code>.</footer>`);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(heading(report))}</title>
<style>${REPORT_CSS}</style>
</head>
<body>
${body.filter(Boolean).join("\n")}
${jsonIsland("monwire-report", report)}
</body>
</html>
`;
}
