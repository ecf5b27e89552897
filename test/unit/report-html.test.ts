import { describe, expect, it } from "vitest";
import { addEntry, createAggregate } from "../../src/audit/aggregate.js";
import type { AuditEntry } from "../../src/audit/entry.js";
import type { ReportResult } from "../../src/audit/report.js";
import { summarizeAggregate } from "../../src/audit/report-summary.js";
import { escapeHtml, jsonIsland } from "../../src/cli/html.js";
import { renderReportHtml } from "../../src/cli/render-report-html.js";

const HOSTILE = '<img src=x onerror=alert(1)>\u001b]0;pwned\u0007\u202e"&\'</script>';
const entry = (fields: Partial<AuditEntry>): AuditEntry => ({
  v: 1, ts: "2025-01-04T10:00:00.000Z", category: "security", action: "csrf.token_invalid", outcome: "failure", tenant: HOSTILE,
  actor: { id: HOSTILE, type: "user" }, reason: HOSTILE, writer: "w", seq: 1, prev: "0".repeat(64), hash: "1".repeat(64), ...fields,
});

function reportOf(entries: AuditEntry[]): ReportResult {
  const agg = createAggregate();
  const start = Date.parse("2025-01-04T00:00:00Z");
  for (const e of entries) addEntry(agg, e, Math.floor(Date.parse(e.ts) / 3_600_000) * 3_600_000);
  const summary = summarizeAggregate(agg, { start, end: start + 86_400_000, timeZone: "UTC" });
  return {
    v: 1, generatedAt: "2025-01-05T00:00:00.000Z", range: { from: "2025-01-04", to: "2025-01-04", timeZone: "UTC", start: "2025-01-04T00:00:00.000Z", end: "2025-01-05T00:00:00.000Z", utcDays: ["2025-01-04"] },
    tenants: [], dirs: [`/tmp/${HOSTILE}`], files: [], missing: [], empty: false, absence: null, problems: { count: 0, items: [] }, summary,
    integrity: { status: "tampered", dirs: [{ dir: "/x", status: "tampered", summary: HOSTILE, findings: [{ name: HOSTILE, status: "tampered", verdict: HOSTILE }], notes: [] }] },
    findings: true,
  };
}

describe("HTML report escaping", () => {
  it("escapes markup and shows control and bidi characters visibly", () => {
    expect(escapeHtml(HOSTILE)).toBe("&lt;img src=x onerror=alert(1)&gt;\\x1b]0;pwned\\x07\\u202e&quot;&amp;&#39;&lt;/script&gt;");
  });

  it("keeps the island's JSON exact while no value can close the script element", () => {
    const island = jsonIsland("d", { t: HOSTILE });
    expect(island.match(/<\/script>/g)).toHaveLength(1);
    expect(JSON.parse(/>(.*)<\/script>$/s.exec(island)?.[1] as string)).toEqual({ t: HOSTILE });
  });

  it("renders attacker-chosen tenants, actors, reasons and verdicts as text only", () => {
    const html = renderReportHtml(reportOf([entry({}), entry({ category: "admin", action: "config.changed", ts: "2025-01-04T11:00:00.000Z" })]));
    const withoutIsland = html.replace(/<script type="application\/json"[^>]*>.*?<\/script>/s, "");
    expect(withoutIsland).not.toMatch(/<img|<\/script|\u001b|\u202e|\u0007/);
    expect(withoutIsland).toContain("&lt;img src=x onerror=alert(1)&gt;");
    expect(html.match(/<script/g)).toHaveLength(1);
    expect(html).toContain('class="verdict tampered"');
  });

  it("says so when the range has no events, and draws no chart", () => {
    const html = renderReportHtml({ ...reportOf([]), empty: true, absence: { proven: false, anchoredDays: [], unanchoredDays: ["logs/2025-01-04"] } });
    expect(html).toContain("No events in this range (nothing proves it: no anchor for logs/2025-01-04)");
    expect(html).not.toContain("<svg");
  });
});
