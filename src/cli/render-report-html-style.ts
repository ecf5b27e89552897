/**
 * The report's stylesheet, inline so the file is one self-contained document. Sized for A4:
 * the screen layout is as wide as an A4 page's text block, and the print rules keep sections,
 * table rows and the chart from splitting across pages and keep the verdict's colours.
 */
export const REPORT_CSS = `
:root { --fg: #1d232b; --muted: #5d6773; --line: #d8dde3; --ok: #23784a; --warn: #9a6400; --bad: #b4231d; }
* { box-sizing: border-box; }
body { font: 13px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: var(--fg); margin: 0 auto; padding: 24px; max-width: 800px; }
h1 { font-size: 20px; margin: 0 0 2px; }
h2 { font-size: 15px; margin: 22px 0 8px; padding-bottom: 3px; border-bottom: 1px solid var(--line); }
p { margin: 4px 0; }
.meta, .note, .legend, .empty { color: var(--muted); }
.mono, code { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 11.5px; }
table { border-collapse: collapse; width: 100%; margin: 4px 0 8px; }
th, td { text-align: left; padding: 3px 6px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-weight: 600; background: #f3f5f7; }
.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.bad, .stat.bad b { color: var(--bad); }
.cols { display: flex; gap: 16px; } .cols > div { flex: 1; min-width: 0; }
.stats { display: flex; flex-wrap: wrap; gap: 8px; margin: 6px 0 10px; }
.stat { border: 1px solid var(--line); border-radius: 6px; padding: 6px 10px; min-width: 110px; }
.stat b { display: block; font-size: 18px; }
.stat span { color: var(--muted); font-size: 11.5px; }
.barcell { width: 30%; } .barcell span { display: block; height: 9px; background: #d08a1e; border-radius: 2px; }
.verdict { border: 2px solid; border-radius: 8px; padding: 10px 14px; margin: 14px 0; }
.verdict h2 { border: 0; margin: 0 0 4px; font-size: 18px; }
.verdict.intact { border-color: var(--ok); } .verdict.intact h2 { color: var(--ok); }
.verdict.torn, .verdict.unverified, .verdict.skipped, .verdict.empty, .verdict.missing-days { border-color: var(--warn); }
.verdict.torn h2, .verdict.unverified h2, .verdict.skipped h2, .verdict.empty h2, .verdict.missing-days h2 { color: var(--warn); }
.verdict.tampered { border-color: var(--bad); background: #fbecea; } .verdict.tampered h2 { color: var(--bad); }
.missing { color: var(--bad); }
svg.chart { width: 100%; height: auto; display: block; }
svg .grid { stroke: #e6e9ed; stroke-width: 1; } svg .axis { font-size: 10px; fill: var(--muted); }
.legend span { display: inline-block; margin-right: 12px; } .legend i { display: inline-block; width: 10px; height: 10px; margin-right: 4px; vertical-align: -1px; border-radius: 2px; }
footer { margin-top: 24px; color: var(--muted); font-size: 11px; }
@page { size: A4; margin: 14mm 12mm; }
@media print {
  body { padding: 0; max-width: none; font-size: 11px; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  section, .verdict, svg.chart, .stats, tr { break-inside: avoid; }
  h2 { break-after: avoid; }
  thead { display: table-header-group; }
  #security, #admin { break-inside: auto; }
  #security { break-before: page; }
}
`;
