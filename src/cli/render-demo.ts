import type { ChalkInstance } from "chalk";
import { join } from "node:path";
import { formatVerifyReport } from "./render-verify.js";
import { renderReportTable } from "./render-report-table.js";
import { renderHuman } from "./render-check-human.js";
import type { DemoResult } from "../demo/run-demo.js";
import { PACKAGE_ROOT } from "../demo/shop-dir.js";

/**
 * The human output of `mon demo`, in the order the issue asks for: the `mon check` result, the
 * day's `mon report`, `mon verify`'s verdict, the Sentry events, (Prometheus,) and where
 * everything lives. Each section is the real command's own rendering of the same data.
 */
const MAX_EVENTS = 10;
const MON_BIN = join(PACKAGE_ROOT, "bin", "mon.js");

function heading(color: ChalkInstance, n: number, title: string): string {
  return color.bold.underline(`${n}. ${title}`);
}

function sentrySection(result: DemoResult, color: ChalkInstance): string[] {
  const { sentry, leaks } = result;
  const lines = [`${sentry.events.length} error event${sentry.events.length === 1 ? "" : "s"} arrived at the loopback Sentry receiver (${sentry.envelopes} envelopes in all, DSN ${sentry.dsn}):`];
  for (const event of sentry.events.slice(0, MAX_EVENTS)) {
    const tags = Object.entries(event.tags).filter(([k]) => k !== "request_id").map(([k, v]) => `${k}=${v}`).join(" ");
    lines.push(`  ${color.red("●")} ${event.transaction || "(no transaction)"} — ${event.exception}`, color.dim(`      tags: ${tags}`));
  }
  if (sentry.events.length > MAX_EVENTS) lines.push(color.dim(`  … and ${sentry.events.length - MAX_EVENTS} more (--json lists all)`));
  const counts = Object.entries(sentry.tagCounts).map(([tag, n]) => `${tag} ×${n}`).join(", ");
  if (counts) lines.push(`Tag counts: ${counts}`);
  const clean = leaks.auditLines === 0 && leaks.sentryEnvelopes === 0;
  const verdict = `Redaction: ${leaks.secretsChecked} secrets the traffic used (passwords, full license keys) found in ${leaks.auditLines} audit lines and ${leaks.sentryEnvelopes} Sentry envelopes`;
  lines.push(clean ? color.green(`${verdict} ✓`) : color.red(`${verdict} ✗`));
  return lines;
}

function prometheusSection(result: DemoResult): string[] {
  const p = result.prometheus;
  if (!p) return [];
  const answer = Object.entries(p.perTenant).map(([tenant, n]) => `${tenant || "(none)"}: ${n}`).join(", ");
  const sent = Object.entries(result.traffic.tenants).map(([tenant, t]) => `${tenant}: ${t.requests}`).join(", ");
  return [
    `Prometheus ${p.url} (pid ${p.pid}) scraped ${p.target.scrapeUrl}: ${p.target.health}, last scrape ${p.target.lastScrape}`,
    `PromQL  ${p.query}`,
    `  → ${answer}`,
    `  (the demo sent ${sent})`,
  ];
}

function whereSection(result: DemoResult, color: ChalkInstance): string[] {
  const f = result.files;
  if (!result.kept && !result.running) {
    return [
      `Demo directory   ${result.dir} (temporary: removed; run with --keep to keep it and look around)`,
      ...(f.reportHtml ? [`Report (HTML)    ${f.reportHtml}  (open it in a browser; prints on A4; replaced by the next demo)`] : []),
      "",
      color.dim(`The shop and the Sentry receiver${result.prometheus ? " and Prometheus" : ""} have been stopped.`),
    ];
  }
  const lines = [
    `Demo directory   ${result.dir}${result.temporary ? (result.kept ? " (temporary, kept by --keep; remove it when done)" : " (temporary: removed when the demo stops)") : ""}`,
    `Shop source      ${f.source.join(", ")}`,
    `Config           ${f.config}`,
    `Audit trail      ${f.audit}  (signed; key MONWIRE_AUDIT_KEY in ${f.env})`,
    `Logs             ${f.logs.join(", ")}`,
    ...(f.reportHtml ? [`Report (HTML)    ${f.reportHtml}  (open it in a browser; prints on A4)`] : []),
    `Everything above ${result.dir}/demo-result.json`,
    "",
    `Try it yourself (mon = node ${MON_BIN}):`,
    `  cd ${result.dir} && set -a && . ./.env && set +a`,
    "  mon tail -n 5 --no-follow        mon report        mon verify",
  ];
  if (result.running) {
    lines.push(
      "",
      color.bold(`The shop keeps running on ${result.shop.url} (pid ${result.shop.pid}); Ctrl-C stops it.`),
      `  curl -s ${result.shop.url}/metrics | grep http_requests_total`,
      `  curl -s -H 'x-shop: EUR' ${result.shop.url}/api/products`,
      `  curl -s -X POST -H 'x-shop: KM' -H 'content-type: application/json' -d '{"username":"guest","password":"nope"}' ${result.shop.url}/api/login`,
      "  mon check --online      (in the demo directory, with .env loaded)",
    );
    if (result.prometheus) lines.push(`  curl -s '${result.prometheus.url}/api/v1/query?query=sum%20by%20(tenant)%20(http_requests_total)'`);
  } else {
    const parts = result.prometheus ? "The shop, the Sentry receiver and Prometheus" : "The shop and the Sentry receiver";
    lines.push(color.dim(`${parts} have been stopped; run with --keep-running to keep them up.`));
  }
  return lines;
}

export function renderDemo(result: DemoResult, color: ChalkInstance): string {
  const out: string[] = [];
  let n = 0;
  const section = (title: string, lines: string[]) => out.push(heading(color, ++n, title), ...lines, "");
  section("mon check", [renderHuman(result.check, { color, strict: false }).trimEnd()]);
  section("mon report (today, UTC)", [renderReportTable(result.report, { color }).trimEnd()]);
  section("mon verify", formatVerifyReport(result.verify, {
    style: (status, text) => (status === "valid" ? color.green(text) : status === "torn" ? color.yellow(text) : color.red.bold(text)),
  }));
  section("Sentry", sentrySection(result, color));
  if (result.prometheus) section("Prometheus", prometheusSection(result));
  section("Where everything lives", whereSection(result, color));
  return `${out.join("\n").trimEnd()}\n`;
}
