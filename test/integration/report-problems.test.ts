import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { makeTempDir, runMon } from "../helpers/cli.js";
import { TestTrail } from "../helpers/audit-trail.js";

/**
 * `mon report` when the trail is not perfect: a missing day (exit 1, the files looked for named),
 * a corrupt line (reported with file:line, everything else still counted), an empty day proven by
 * an anchor, a signed trail without its key, and usage errors (exit 2).
 */
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function trailDir(options: { key?: string } = {}): Promise<{ dir: string; trail: TestTrail }> {
  const temp = await makeTempDir("monwire-report-p-");
  cleanups.push(temp.cleanup);
  const trail = new TestTrail({ start: "2025-02-10T08:00:00.000Z", stepMs: 60_000, key: options.key });
  const writer = trail.writer();
  for (let i = 0; i < 40; i++) {
    writer.record({ tenant: i % 2 ? "EUR" : "KM", amount: { minor: 100 * (i + 1), currency: i % 2 ? "EUR" : "BAM" } });
  }
  await trail.write(temp.dir);
  return { dir: temp.dir, trail };
}

describe("mon report on imperfect trails", () => {
  it("says a day is missing, names the files it looked for, and exits 1", async () => {
    const { dir } = await trailDir();
    const result = await runMon(["report", "--dir", dir, "--day", "2025-02-12"]);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain("Missing: 2025-02-12");
    expect(result.stdout).toContain(join(dir, "audit-2025-02-12.log"));
    expect(result.stdout).toContain(join(dir, "audit-2025-02-12.log.gz"));
    // Said once, on one stream: the table has it, so stderr does not repeat it.
    expect(result.stderr).toBe("");
    const json = await runMon(["report", "--dir", dir, "--day", "2025-02-12", "--json"]);
    expect(json.exitCode).toBe(1);
    expect(String(json.stderr).trim().split("\n")).toEqual([`mon report: no audit data for 2025-02-12 in ${dir} (looked for ${join(dir, "audit-2025-02-12.log")}, ${join(dir, "audit-2025-02-12.log.gz")})`]);
  });

  it("collapses a month of missing days into ranges, said once", async () => {
    const { dir } = await trailDir();
    const result = await runMon(["report", "--dir", dir, "--from", "2025-02-01", "--to", "2025-02-28"]);
    expect(result.exitCode).toBe(1);
    const missing = String(result.stdout).split("\n").filter((l) => l.startsWith("Missing"));
    expect(missing).toEqual([
      `Missing: 2025-02-01 … 2025-02-09 (9 days) in ${dir} — no day file (audit-YYYY-MM-DD.log or .log.gz) and no anchor for any of them`,
      `Missing: 2025-02-11 … 2025-02-28 (18 days) in ${dir} — no day file (audit-YYYY-MM-DD.log or .log.gz) and no anchor for any of them`,
    ]);
    expect(result.stderr).toBe("");
    for (const format of ["json", "csv", "markdown", "html"]) {
      const other = await runMon(["report", "--dir", dir, "--from", "2025-02-01", "--to", "2025-02-28", "--format", format]);
      expect(String(other.stderr).trim().split("\n"), format).toEqual([
        `mon report: no audit data for 2025-02-01 … 2025-02-09 (9 days) in ${dir}`,
        `mon report: no audit data for 2025-02-11 … 2025-02-28 (18 days) in ${dir}`,
      ]);
    }
    const html = String((await runMon(["report", "--dir", dir, "--from", "2025-02-01", "--to", "2025-02-28", "--format", "html"])).stdout);
    expect(html).toContain('<div class="verdict missing-days" id="integrity" data-status="intact"><h2>Integrity: Intact — every line and anchor verified — but 27 days have no audit data</h2>');
    expect(html.match(/<li class="missing">/g)).toHaveLength(2);
    const markdown = await runMon(["report", "--dir", dir, "--from", "2025-02-01", "--to", "2025-02-28", "--format", "markdown"]);
    expect(String(markdown.stdout).match(/\*\*Missing:\*\*/g)).toHaveLength(2);
  });

  it("warns about a --tenant that is not configured and matched nothing, in report and tail", async () => {
    const { dir } = await trailDir();
    const configured = await runMon(["report", "--dir", dir, "--day", "2025-02-10", "--tenant", "XYZ", "--json"], { env: { CI: "" }, cwd: dir });
    expect(String(configured.stderr)).toContain('mon report: tenant "XYZ" matched no events (no tenants.values in mon.config.json to check against)');
    await writeFile(join(dir, "mon.config.json"), JSON.stringify({ tenants: { values: ["EUR", "KM"] }, audit: { dir: "." } }));
    const report = await runMon(["report", "--day", "2025-02-10", "--tenant", "XYZ", "--tenant", "KM"], { cwd: dir });
    expect(String(report.stderr)).toContain('mon report: tenant "XYZ" is not in tenants.values (EUR, KM) and matched no events');
    const known = await runMon(["report", "--day", "2025-02-10", "--tenant", "KM"], { cwd: dir });
    expect(String(known.stderr)).toBe("");
    const tail = await runMon(["tail", "--no-follow", "--tenant", "XYZ"], { cwd: dir });
    expect(tail.exitCode).toBe(0);
    expect(String(tail.stderr)).toContain('mon tail: tenant "XYZ" is not in tenants.values (EUR, KM); showing only entries that carry it');
    expect(String((await runMon(["tail", "--no-follow", "--tenant", "EUR"], { cwd: dir })).stderr)).toBe("");
  });

  it("reports a corrupt line with file and line number and still computes the rest", async () => {
    const { dir, trail } = await trailDir();
    const path = join(dir, "audit-2025-02-10.log");
    const lines = (await readFile(path, "utf8")).split("\n");
    const damaged = lines[11] as string;
    lines[11] = "{this is not json}";
    await writeFile(path, lines.join("\n"));
    const result = await runMon(["report", "--dir", dir, "--day", "2025-02-10", "--json"]);
    expect(result.exitCode).toBe(1);
    const report = JSON.parse(String(result.stdout));
    expect(report.problems.items).toEqual([expect.objectContaining({ kind: "corrupt", line: 12, message: expect.stringMatching(/^audit-2025-02-10\.log:12: not JSON/) })]);
    const lost = JSON.parse(damaged) as { amount: { minor: number; currency: string }; tenant: string };
    const deposits = trail.entries.filter((e) => e.action === "wallet.deposit" && e.tenant === "KM");
    const kmRow = report.summary.financial.find((r: { tenant: string }) => r.tenant === "KM");
    const expectedMinor = deposits.reduce((n, e) => n + (e.amount?.minor ?? 0), 0) - (lost.tenant === "KM" ? lost.amount.minor : 0);
    expect(kmRow.deposit.amountMinor).toBe(expectedMinor);
    expect(report.summary.events.total).toBe(trail.entries.length - 1);
    expect(report.integrity.status).toBe("tampered");
    const table = await runMon(["report", "--dir", dir, "--day", "2025-02-10"]);
    expect(table.stdout).toContain("audit-2025-02-10.log:12: not JSON");
  });

  it("says a sealed day without events had none, proven by its anchor", async () => {
    const { dir, trail } = await trailDir();
    await trail.seal(dir, "2025-02-11");
    const result = await runMon(["report", "--dir", dir, "--day", "2025-02-11", "--json"]);
    expect(result.exitCode).toBe(0);
    const report = JSON.parse(String(result.stdout));
    expect(report).toMatchObject({ empty: true, missing: [], absence: { proven: true, unanchoredDays: [] } });
    expect(report.summary.events.total).toBe(0);
    const table = await runMon(["report", "--dir", dir, "--day", "2025-02-11"]);
    expect(table.stdout).toContain("No events in this range (an anchor proves");
  });

  it("still reports a signed trail without its key, marked unverified", async () => {
    const { dir } = await trailDir({ key: "k3y-for-tests" });
    const result = await runMon(["report", "--dir", dir, "--day", "2025-02-10", "--json"], { env: { MONWIRE_AUDIT_KEY: "" } });
    const report = JSON.parse(String(result.stdout));
    expect(report.integrity.status).toBe("unverified");
    expect(report.integrity.dirs[0].summary).toContain("MONWIRE_AUDIT_KEY");
    expect(report.summary.events.total).toBe(41);
    const keyed = await runMon(["report", "--dir", dir, "--day", "2025-02-10", "--json"], { env: { MONWIRE_AUDIT_KEY: "k3y-for-tests" } });
    expect(JSON.parse(String(keyed.stdout)).integrity.status).toBe("intact");
  });

  it("renders csv and markdown with the same numbers", async () => {
    const { dir, trail } = await trailDir();
    const eur = trail.entries.filter((e) => e.tenant === "EUR" && e.amount).reduce((n, e) => n + (e.amount?.minor ?? 0), 0);
    const csv = await runMon(["report", "--dir", dir, "--day", "2025-02-10", "--format", "csv"]);
    expect(csv.exitCode).toBe(0);
    expect(String(csv.stdout).split("\n")[0]).toBe("section,key,metric,value");
    expect(csv.stdout).toContain(`financial,EUR/EUR/deposit,amount,${(eur / 100).toFixed(2)}`);
    expect(csv.stdout).toContain("events,,total,41");
    const markdown = await runMon(["report", "--dir", dir, "--day", "2025-02-10", "--format", "markdown"], { env: { LC_ALL: "en_US.UTF-8" } });
    expect(markdown.stdout).toContain("# Audit report 2025-02-10 (UTC)");
    expect(markdown.stdout).toMatch(/\| EUR \| EUR \| 20 · €[\d,.]+ \|/);
  });

  it.each([
    [["--day", "2025-02-10", "--from", "2025-02-09"], "--day cannot be combined"],
    [["--day", "2025-02-30"], "is not a day"],
    [["--tz", "Mars/Olympus"], "not a known time zone"],
    [["--format", "xml"], "is not a report format"],
    [["--from", "2025-02-11", "--to", "2025-02-10"], "is after"],
  ])("rejects %j with exit 2", async (args, message) => {
    const { dir } = await trailDir();
    const result = await runMon(["report", "--dir", dir, ...args]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(message);
  });
});
