import { REPORT_GROUPS, isFailing, type CheckReport, type CheckResult } from "../probe/findings.js";
import { escapeTerminalDeep } from "../terminal-safe.js";

/**
 * `--format junit`: one <testsuite> per group, one <testcase> per check; failed checks carry a
 * <failure>, skipped ones <skipped> (never a pass), warnings go to <system-out> (or fail under
 * --strict). Text is escaped for XML and characters XML 1.0 cannot hold are dropped.
 */
const INVALID_XML_CHARS = /[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

export function escapeXml(text: string): string {
  return text
    .replace(INVALID_XML_CHARS, "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}

function details(check: CheckResult): string {
  const lines = check.findings.map((f) => `${f.severity}: ${f.family ? `${f.family}: ` : f.file ? `${f.file}${f.line ? `:${f.line}` : ""}: ` : ""}${f.message}${f.hint ? `\n  fix: ${f.hint}` : ""}`);
  if (check.hint) lines.push(`fix: ${check.hint}`);
  return lines.join("\n");
}

function testcase(check: CheckResult, strict: boolean): string {
  const open = `    <testcase classname="monwire.${check.group}" name="${escapeXml(`${check.id}: ${check.title}`)}"`;
  if (check.status === "skip" && !isFailing(check, strict)) {
    return `${open}>\n      <skipped message="${escapeXml(check.summary)}"/>\n    </testcase>`;
  }
  if (isFailing(check, strict)) {
    const type = check.status === "skip" ? "not-run" : check.status;
    return `${open}>\n      <failure message="${escapeXml(check.summary)}" type="${type}">${escapeXml(details(check) || check.summary)}</failure>\n    </testcase>`;
  }
  const out = check.status === "warn" ? `\n      <system-out>${escapeXml(details(check))}</system-out>\n    ` : "";
  return out ? `${open}>${out}</testcase>` : `${open}/>`;
}

export function renderJunit(untrusted: CheckReport, strict: boolean): string {
  // Control characters become visible escapes rather than silently dropped by escapeXml.
  const report = escapeTerminalDeep(untrusted, { keepLines: true });
  const suites: string[] = [];
  let total = 0;
  let failures = 0;
  let skippedCount = 0;
  for (const group of REPORT_GROUPS) {
    const checks = report.checks.filter((c) => c.group === group);
    if (checks.length === 0) continue;
    const failed = checks.filter((c) => isFailing(c, strict)).length;
    const skipped = checks.filter((c) => c.status === "skip" && !isFailing(c, strict)).length;
    total += checks.length;
    failures += failed;
    skippedCount += skipped;
    suites.push(
      `  <testsuite name="mon check ${group}" tests="${checks.length}" failures="${failed}" errors="0" skipped="${skipped}">\n` +
        `${checks.map((c) => testcase(c, strict)).join("\n")}\n  </testsuite>`,
    );
  }
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="mon check" tests="${total}" failures="${failures}" errors="0" skipped="${skippedCount}">`,
    ...suites,
    "</testsuites>",
    "",
  ].join("\n");
}
