import { describe, expect, it } from "vitest";
import * as api from "../../src/index.js";
import { formatHostsReport, formatVerifyReport } from "../../src/cli/render-verify.js";
import type { VerifyReport } from "../../src/audit/verify-types.js";

/** A report of one valid file and one tampered file, as the verifier returns it. */
function report(status: VerifyReport["status"] = "tampered"): VerifyReport {
  const file = (day: string, valid: boolean) => ({
    day, name: `audit-${day}.log`, status: valid ? ("valid" as const) : ("invalid" as const), sealed: false, entries: 3, lines: 3, bytes: 900, writers: 1,
    verdict: valid ? "valid" : "INVALID: hash mismatch at seq 2 (line 2)", issueCount: valid ? 0 : 1,
    issues: valid ? [] : [{ kind: "hash_mismatch" as const, severity: "tamper" as const, message: "hash mismatch at seq 2 (line 2)", line: 2 }],
  });
  return {
    dir: "/logs", status, keyed: false, files: [file("2025-03-10", true), file("2025-03-11", status !== "tampered")], anchors: [], notes: [], unprovenDays: [],
    summary: { files: { valid: 1, torn: 0, invalid: 1, missing: 0 }, anchors: { valid: 0, invalid: 0, missing: 0 }, entries: 6, writers: 1 },
  } as unknown as VerifyReport;
}

describe("the verify renderer", () => {
  it("is still the package's public formatVerifyReport", () => {
    expect(api.formatVerifyReport).toBe(formatVerifyReport);
  });

  it("renders one line per file with the verdict, then the summary", () => {
    const lines = formatVerifyReport(report());
    expect(lines[0]).toMatch(/^audit-2025-03-10\.log\s+valid — 3 entries, 1 writer, not sealed yet$/);
    expect(lines[1]).toMatch(/^audit-2025-03-11\.log\s+INVALID: hash mismatch at seq 2 \(line 2\)$/);
    expect(lines.at(-1)).toMatch(/TAMPERED/);
  });

  it("prefixes every host's lines with the host and ends with one line over all hosts", () => {
    const lines = formatHostsReport({ status: "tampered", hosts: [{ host: "web-1", dir: "/a", report: report("intact") }, { host: "web\u001b[2J", dir: "/b", report: report() }] });
    expect(lines[0]).toMatch(/^\[web-1\] audit-2025-03-10\.log/);
    expect(lines.some((l) => l.startsWith("[web\\x1b[2J] audit-2025-03-11.log"))).toBe(true);
    expect(lines.at(-1)).toBe("2 hosts: TAMPERED on web\\x1b[2J");
  });
});
