import type { ChalkInstance } from "chalk";
import Table from "../vendor/cli-table3.js";
import { formatMoney } from "../audit/money.js";
import type { ReportResult } from "../audit/report.js";
import type { MoneyTotals } from "../audit/report-summary.js";
import { formatCount as n, plural } from "../human-format.js";
import { escapeTerminalDeep } from "../terminal-safe.js";
import { hourBars, missingDetail, missingRanges, moneyTypes, rangeLabel, rangeTitle } from "./render-report-parts.js";
import { createTenantLabel } from "./render-tenant.js";

/**
 * `mon report` for people: aureport-style sections, amounts as money in the reader's locale,
 * an hourly histogram with bars. Lists are shortened here (the JSON has up to 500 of each).
 * Every string of the report is escaped for the terminal first (terminal-safe.ts); tenants that
 * are not configured show as `raw:"…"`.
 */
const LISTED = 20;

export function renderReportTable(untrusted: ReportResult, options: { color: ChalkInstance; locale?: string; tenants?: readonly string[] }): string {
  const report = escapeTerminalDeep(untrusted);
  const tenant = createTenantLabel(options.tenants);
  const c = options.color;
  const plain = c.level === 0;
  const table = (head: string[]) => new Table({ head, style: plain ? { head: [], border: [], compact: true } : { head: ["cyan"], border: ["grey"], compact: true } });
  const money = (t: MoneyTotals, currency: string) => `${n(t.count)} · ${formatMoney(t.amountMinor, currency, options.locale)}${t.failures ? c.red(` · ${n(t.failures)} failed`) : ""}`;
  const s = report.summary;
  const out: string[] = [];
  const section = (title: string) => out.push("", c.bold(title));

  out.push(c.bold(rangeTitle(report)));
  out.push(`Sources: ${plural(report.files.length, "file")} in ${report.dirs.join(", ")}${report.tenants.length ? ` · tenants ${report.tenants.map(tenant).join(", ")}` : ""}`);
  for (const r of missingRanges(report.missing)) out.push(c.red(`Missing: ${rangeLabel(r)} in ${r.dir} — ${missingDetail(r)}`));
  if (report.empty) {
    const proof = report.absence?.proven ? "an anchor proves every day read had no other events" : `nothing proves it: no anchor for ${report.absence?.unanchoredDays.join(", ") || "these days"}`;
    out.push(c.yellow(`No events in this range (${proof}).`));
  } else {
    out.push(`Events: ${n(s.events.total)} · first ${s.events.first} · last ${s.events.last}`);
    section("Events by category");
    const byCategory = table(["category", "success", "failure", "unknown", "total"]);
    for (const r of s.byCategory) byCategory.push([r.category, n(r.success), r.failure ? c.red(n(r.failure)) : "0", n(r.unknown), n(r.total)]);
    out.push(byCategory.toString());
    section("Events by tenant");
    const byTenant = table(["tenant", "success", "failure", "unknown", "total"]);
    for (const r of s.byTenant) byTenant.push([tenant(r.tenant), n(r.success), n(r.failure), n(r.unknown), n(r.total)]);
    out.push(byTenant.toString());
    if (s.financial.length > 0) {
      section("Financial (count · sum of successful transactions · failures)");
      const types = moneyTypes(s.financial);
      const financial = table(["tenant", "currency", ...types.map((t) => `${t}s`)]);
      for (const r of s.financial) financial.push([tenant(r.tenant), r.currency, ...types.map((t) => money(r[t] as MoneyTotals, r.currency))]);
      out.push(financial.toString());
    }
    if (s.license.length > 0) {
      section("License keys");
      const license = table(["tenant", "product", "keys generated", "events", "revoked", "failures"]);
      for (const r of s.license) license.push([tenant(r.tenant), r.product, n(r.keys), n(r.events), n(r.revoked), n(r.failures)]);
      out.push(license.toString());
    }
    const a = s.authentication;
    section("Authentication");
    out.push(`successes ${n(a.successes)} · failures ${n(a.failures)} · failure rate ${a.failureRate === null ? "n/a" : `${(a.failureRate * 100).toFixed(1)}%`} · lockouts ${n(a.lockouts)} · logouts ${n(a.logouts)}`);
    if (a.topFailingIps.length) out.push(`top failing IPs: ${a.topFailingIps.map((t) => `${t.ip} (${n(t.count)})`).join(", ")}`);
    if (a.topFailingAccounts.length) out.push(`top failing accounts: ${a.topFailingAccounts.map((t) => `${t.account} (${n(t.count)})`).join(", ")}`);
    const u = s.userManagement;
    section("User management");
    out.push(`${plural(u.branchesCreated, "branch", "branches")} created${u.branchFailures ? ` (${n(u.branchFailures)} failed)` : ""} · ${plural(u.roleChanges, "role change")}${u.roleChangeFailures ? ` (${n(u.roleChangeFailures)} failed)` : ""}`);
    for (const [title, list] of [["Security events", s.security], ["Admin actions", s.admin]] as const) {
      section(`${title} (${n(list.count)})`);
      for (const e of list.events.slice(0, LISTED)) {
        out.push(`${e.ts}  ${tenant(e.tenant)}  ${e.actor}  ${e.action}  ${e.outcome}${e.ip ? `  ip=${e.ip}` : ""}${e.target ? `  ${e.target}` : ""}${e.reason ? `  ${JSON.stringify(e.reason)}` : ""}`);
      }
      if (list.count > LISTED) out.push(c.dim(`… ${n(list.count - LISTED)} more (all with: mon tail --no-follow --category ${title.startsWith("Security") ? "security" : "admin"} --since … --until …)`));
    }
    section(`Activity by hour (${report.range.timeZone})`);
    out.push(...hourBars(s.hourly, 40).map((bar) => `${bar.label}  ${c.green(bar.bar)} ${n(bar.count)}`));
  }
  section("Integrity");
  const i = report.integrity;
  const paint = i.status === "tampered" ? c.red.bold : i.status === "intact" ? c.green : c.yellow;
  out.push(paint(i.status.toUpperCase()));
  for (const d of i.dirs) {
    out.push(`${d.dir}: ${d.summary}`);
    for (const f of d.findings) out.push(`  ${f.name}: ${f.verdict}`);
  }
  if (report.problems.count > 0) {
    section(`Problems (${n(report.problems.count)})`);
    for (const p of report.problems.items.slice(0, LISTED)) out.push(p.kind === "corrupt" || p.kind === "invalid" ? c.red(p.message) : p.message);
  }
  return `${out.join("\n")}\n`;
}
