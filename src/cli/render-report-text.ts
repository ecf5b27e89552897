import { formatMoney } from "../audit/money.js";
import type { ReportResult } from "../audit/report.js";
import type { MoneyTotals } from "../audit/report-summary.js";
import { escapeTerminal, escapeTerminalDeep } from "../terminal-safe.js";
import { hourBars, missingDetail, missingRanges, moneyTypes, rangeLabel, rangeTitle } from "./render-report-parts.js";
import { createTenantLabel } from "./render-tenant.js";

/**
 * `mon report --format markdown` (for a ticket or an email to the auditor) and `--format csv`
 * (one tidy table: section, key, metric, value — pivot it in any spreadsheet). CSV amounts are
 * exact decimals with the currency in the key; Markdown shows them as money. Both escape control,
 * bidi and zero-width characters (terminal-safe.ts); Markdown marks unconfigured tenants `raw:"…"`.
 */
export function renderReportMarkdown(untrusted: ReportResult, options: { locale?: string; tenants?: readonly string[] } = {}): string {
  const report = escapeTerminalDeep(untrusted);
  const { locale } = options;
  const tenant = createTenantLabel(options.tenants);
  const s = report.summary;
  const out: string[] = [`# ${rangeTitle(report)}`, ""];
  const tableOf = (head: string[], rows: Array<Array<string | number>>) => {
    out.push(`| ${head.join(" | ")} |`, `|${head.map(() => " --- ").join("|")}|`);
    for (const row of rows) out.push(`| ${row.map((c) => String(c).replace(/\|/g, "\\|")).join(" | ")} |`);
    out.push("");
  };
  out.push(`Sources: ${report.files.map((f) => f.name).join(", ") || "none"}`, "");
  for (const r of missingRanges(report.missing)) out.push(`**Missing:** ${rangeLabel(r)} in \`${r.dir}\` (${missingDetail(r)})`, "");
  if (report.empty) {
    out.push(`**No events in this range.** ${report.absence?.proven ? "Anchors prove every day read had no other events." : "No anchor proves it."}`, "");
  } else {
    out.push(`Events: **${s.events.total}** (first ${s.events.first}, last ${s.events.last})`, "", "## Events by category", "");
    tableOf(["category", "success", "failure", "unknown", "total"], s.byCategory.map((r) => [r.category, r.success, r.failure, r.unknown, r.total]));
    out.push("## Events by tenant", "");
    tableOf(["tenant", "success", "failure", "unknown", "total"], s.byTenant.map((r) => [tenant(r.tenant), r.success, r.failure, r.unknown, r.total]));
    const types = moneyTypes(s.financial);
    out.push("## Financial", "", "Count and sum of successful transactions; failures counted apart.", "");
    tableOf(["tenant", "currency", ...types.map((t) => `${t}s`)], s.financial.map((r) => [tenant(r.tenant), r.currency, ...types.map((t) => {
      const m = r[t] as MoneyTotals;
      return `${m.count} · ${formatMoney(m.amountMinor, r.currency, locale)}${m.failures ? ` · ${m.failures} failed` : ""}`;
    })]));
    out.push("## License keys", "");
    tableOf(["tenant", "product", "keys generated", "events", "revoked", "failures"], s.license.map((r) => [tenant(r.tenant), r.product, r.keys, r.events, r.revoked, r.failures]));
    const a = s.authentication;
    out.push("## Authentication", "", `Successes ${a.successes}, failures ${a.failures}, failure rate ${a.failureRate === null ? "n/a" : `${(a.failureRate * 100).toFixed(1)}%`}, lockouts ${a.lockouts}.`, "");
    if (a.topFailingIps.length) tableOf(["failing IP", "failures"], a.topFailingIps.map((t) => [t.ip, t.count]));
    if (a.topFailingAccounts.length) tableOf(["failing account", "failures"], a.topFailingAccounts.map((t) => [t.account, t.count]));
    const u = s.userManagement;
    out.push("## User management", "", `Branches created ${u.branchesCreated} (${u.branchFailures} failed), role changes ${u.roleChanges} (${u.roleChangeFailures} failed).`, "");
    for (const [title, list] of [["Security events", s.security], ["Admin actions", s.admin]] as const) {
      out.push(`## ${title} (${list.count})`, "");
      if (list.events.length) tableOf(["time", "tenant", "actor", "action", "outcome", "details"], list.events.map((e) => [e.ts, tenant(e.tenant), e.actor, e.action, e.outcome, [e.ip, e.target, e.reason].filter(Boolean).join(" ")]));
      if (list.omitted) out.push(`… and ${list.omitted} more.`, "");
    }
    out.push(`## Activity by hour (${report.range.timeZone})`, "", "```");
    out.push(...hourBars(s.hourly, 40).map((b) => `${b.label}  ${b.bar} ${b.count}`), "```", "");
  }
  out.push("## Integrity", "", `**${report.integrity.status}**`, "");
  for (const d of report.integrity.dirs) out.push(`- \`${d.dir}\`: ${d.summary}`, ...d.findings.map((f) => `  - ${f.name}: ${f.verdict}`));
  if (report.problems.count) out.push("", `## Problems (${report.problems.count})`, "", ...report.problems.items.map((p) => `- ${p.message}`));
  return `${out.join("\n")}\n`;
}

/** What a spreadsheet may read as a formula (OWASP CSV injection): =, +, -, @, tab, CR first. */
const FORMULA_START = /^[=+\-@\t\r]/;
/** A plain decimal, like our own amounts (-12.50): a spreadsheet reads it as a number, never a formula. */
const PLAIN_NUMBER = /^-?\d+(\.\d+)?$/;

/**
 * One CSV cell. Numbers are written as they are. Text is escaped like every human output, and
 * text that a spreadsheet could run as a formula (`=HYPERLINK(…)`, `=cmd|' /C calc'!A0`, `@SUM(…)`)
 * gets a leading `'` and quotes, per OWASP's CSV injection guidance; a plain decimal stays a number.
 */
export function csvCell(value: string | number | null): string {
  if (value === null) return "";
  if (typeof value === "number") return String(value);
  const text = escapeTerminal(value);
  if (FORMULA_START.test(value) && !PLAIN_NUMBER.test(value)) return `"'${text.replace(/"/g, '""')}"`;
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function renderReportCsv(report: ReportResult): string {
  const s = report.summary;
  const rows: Array<[string, string, string, string | number | null]> = [
    ["range", `${report.range.from}/${report.range.to}`, "time_zone", report.range.timeZone],
    ["events", "", "total", s.events.total],
    ["events", "", "first", s.events.first],
    ["events", "", "last", s.events.last],
  ];
  const counts = (section: string, key: string, r: { success: number; failure: number; unknown: number; total: number }) =>
    (["success", "failure", "unknown", "total"] as const).forEach((m) => rows.push([section, key, m, r[m]]));
  for (const r of s.byCategory) counts("category", r.category, r);
  for (const r of s.byTenant) counts("tenant", r.tenant, r);
  for (const r of s.byAction) counts("action", `${r.category}/${r.action}`, r);
  for (const r of s.financial) {
    for (const type of moneyTypes([r])) {
      const m = r[type] as MoneyTotals | undefined;
      if (!m) continue;
      const key = `${r.tenant}/${r.currency}/${type}`;
      rows.push(["financial", key, "count", m.count], ["financial", key, "amount", m.amount], ["financial", key, "failures", m.failures], ["financial", key, "unknown", m.unknown]);
    }
  }
  for (const r of s.license) for (const m of ["keys", "events", "revoked", "failures"] as const) rows.push(["license", `${r.tenant}/${r.product}`, m, r[m]]);
  const a = s.authentication;
  for (const m of ["successes", "failures", "unknown", "failureRate", "lockouts", "logouts"] as const) rows.push(["authentication", "", m, a[m]]);
  for (const t of a.topFailingIps) rows.push(["failing_ip", t.ip, "failures", t.count]);
  for (const t of a.topFailingAccounts) rows.push(["failing_account", t.account, "failures", t.count]);
  for (const [m, v] of Object.entries(s.userManagement)) rows.push(["user_management", "", m, v]);
  rows.push(["security", "", "count", s.security.count], ["admin", "", "count", s.admin.count]);
  for (const h of s.hourly) rows.push(["hour", h.start, "count", h.count]);
  rows.push(["integrity", "", "status", report.integrity.status], ["problems", "", "count", report.problems.count]);
  for (const m of report.missing) rows.push(["missing", `${m.dir}/${m.day}`, "looked_for", m.lookedFor.join(" ")]);
  return `${["section,key,metric,value", ...rows.map((r) => r.map(csvCell).join(","))].join("\n")}\n`;
}
