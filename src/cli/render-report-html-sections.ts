import { formatMoney } from "../audit/money.js";
import type { ReportResult } from "../audit/report.js";
import type { MoneyTotals } from "../audit/report-summary.js";
import { escapeHtml, formatCount, HTML_LOCALE, htmlTable, numberCell, plural, textCell } from "./html.js";
import { moneyTypes } from "./render-report-parts.js";
import type { TenantLabel } from "./render-tenant.js";

/**
 * The sections of the HTML report after the integrity verdict. Each returns HTML; every number is
 * a `numberCell` naming its JSON path, so the document and `--format json` can be compared
 * figure by figure.
 */
type Summary = ReportResult["summary"];
export const LISTED_EVENTS = 30;

export function section(id: string, title: string, body: string, note = ""): string {
  return `<section id="${id}"><h2>${escapeHtml(title)}</h2>${note ? `<p class="note">${escapeHtml(note)}</p>` : ""}\n${body}\n</section>`;
}

function stat(path: string, value: number, label: string, text?: string): string {
  return `<div class="stat${label.includes("fail") && value > 0 ? " bad" : ""}">${numberCell(path, value, text, "b")}<span>${escapeHtml(label)}</span></div>`;
}

export function categoryTables(s: Summary, tenant: TenantLabel): string {
  const counts = (path: string, r: { success: number; failure: number; unknown: number; total: number }) =>
    ["success", "failure", "unknown", "total"].map((f) => numberCell(`${path}.${f}`, r[f as keyof typeof r]));
  const byCategory = htmlTable(["Category", "Success", "Failure", "Unknown", "Total"], s.byCategory.map((r, i) => [textCell(r.category.replace("_", " ")), ...counts(`summary.byCategory[${i}]`, r)]), 1);
  const byTenant = htmlTable(["Tenant", "Success", "Failure", "Unknown", "Total"], s.byTenant.map((r, i) => [textCell(tenant(r.tenant)), ...counts(`summary.byTenant[${i}]`, r)]), 1);
  return `<div class="cols"><div>${byCategory}</div><div>${byTenant}</div></div>`;
}

export function moneySection(s: Summary, tenant: TenantLabel): string {
  if (s.financial.length === 0) return section("money", "Money", '<p class="empty">No financial events.</p>');
  const rows: string[][] = [];
  s.financial.forEach((r, i) => {
    for (const type of moneyTypes(s.financial)) {
      const m = r[type] as MoneyTotals | undefined;
      if (!m) continue;
      const path = `summary.financial[${i}].${type}`;
      rows.push([
        textCell(tenant(r.tenant)), textCell(r.currency), textCell(`${type}s`),
        numberCell(`${path}.count`, m.count),
        numberCell(`${path}.amountMinor`, m.amountMinor, formatMoney(m.amountMinor, r.currency, HTML_LOCALE)),
        numberCell(`${path}.failures`, m.failures), numberCell(`${path}.unknown`, m.unknown),
      ]);
    }
  });
  const table = htmlTable(["Tenant", "Currency", "Type", "Transactions", "Amount", "Failed", "Unknown"], rows, 3);
  return section("money", "Money per tenant and currency", table, "Transactions and amount count successful events only; failed and unknown outcomes are counted apart.");
}

export function licenseSection(s: Summary, tenant: TenantLabel): string {
  if (s.license.length === 0) return section("license", "License keys", '<p class="empty">No license key events.</p>');
  const rows = s.license.map((r, i) => [textCell(tenant(r.tenant)), textCell(r.product),
    ...(["keys", "events", "revoked", "failures"] as const).map((f) => numberCell(`summary.license[${i}].${f}`, r[f]))]);
  return section("license", "License keys per product", htmlTable(["Tenant", "Product", "Keys generated", "Generation events", "Revoked", "Failures"], rows, 2));
}

function barList(rows: Array<{ name: string; count: number; path: string }>, head: string): string {
  const max = Math.max(1, ...rows.map((r) => r.count));
  const body = rows.map((r) => [textCell(r.name, "mono"), numberCell(r.path, r.count), `<td class="barcell"><span style="width:${((r.count / max) * 100).toFixed(1)}%"></span></td>`]);
  return htmlTable([head, "Failures", ""], body, 1);
}

export function authSection(s: Summary): string {
  const a = s.authentication;
  const rate = a.failureRate === null ? "n/a" : `${(a.failureRate * 100).toFixed(1)}%`;
  const stats = `<div class="stats">${stat("summary.authentication.successes", a.successes, "successful logins")}${stat("summary.authentication.failures", a.failures, "failed logins")}${
    a.failureRate === null ? `<div class="stat"><b>n/a</b><span>failure rate</span></div>` : stat("summary.authentication.failureRate", a.failureRate, "failure rate", rate)
  }${stat("summary.authentication.lockouts", a.lockouts, "lockouts")}${stat("summary.authentication.logouts", a.logouts, "logouts")}</div>`;
  const ips = a.topFailingIps.map((t, i) => ({ name: t.ip, count: t.count, path: `summary.authentication.topFailingIps[${i}].count` }));
  const accounts = a.topFailingAccounts.map((t, i) => ({ name: t.account, count: t.count, path: `summary.authentication.topFailingAccounts[${i}].count` }));
  const tops = ips.length || accounts.length ? `<div class="cols"><div>${barList(ips, "Top failing IPs")}</div><div>${barList(accounts, "Top failing accounts")}</div></div>` : "";
  return section("auth", "Authentication failures", stats + tops);
}

export function usersSection(s: Summary): string {
  const u = s.userManagement;
  const p = "summary.userManagement";
  return section("users", "Branch and role changes", `<div class="stats">${stat(`${p}.branchesCreated`, u.branchesCreated, "branches created")}${stat(`${p}.branchFailures`, u.branchFailures, "branch creations failed")}${
    stat(`${p}.roleChanges`, u.roleChanges, "role changes")}${stat(`${p}.roleChangeFailures`, u.roleChangeFailures, "role changes failed")}</div>`);
}

export function eventsSection(id: "security" | "admin", title: string, list: Summary["security"], tenant: TenantLabel): string {
  const shown = list.events.slice(0, LISTED_EVENTS);
  const rows = shown.map((e) => [textCell(e.ts.replace("T", " ").replace("Z", ""), "mono"), textCell(tenant(e.tenant)), textCell(e.actor), textCell(e.action),
    textCell(e.outcome, e.outcome === "failure" ? "bad" : ""), textCell([e.ip, e.target, e.reason && JSON.stringify(e.reason)].filter(Boolean).join(" "))]);
  const more = list.count - shown.length;
  const head = `<p class="count">${numberCell(`summary.${id}.count`, list.count, undefined, "b")} ${list.count === 1 ? "event" : "events"}${more > 0 ? ` · first ${formatCount(shown.length)} shown; all with <code>mon tail --no-follow --category ${id}</code>` : ""}</p>`;
  return section(id, `${title}`, head + (rows.length ? htmlTable(["Time (UTC)", "Tenant", "Actor", "Action", "Outcome", "Details"], rows) : ""));
}

export function problemsSection(report: ReportResult): string {
  if (report.problems.count === 0) return "";
  const items = report.problems.items.slice(0, 20).map((p) => `<li>${escapeHtml(p.message)}</li>`).join("");
  return section("problems", `Problems (${plural(report.problems.count, "line")})`, `<ul class="mono">${items}</ul>`);
}
