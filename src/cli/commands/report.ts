import type { Command } from "commander";
import { MonwireError } from "../../errors.js";
import { createOutput } from "../output.js";
import { exitAction } from "../action.js";

const FORMATS = ["table", "json", "csv", "markdown", "html"] as const;
const collect = (value: string, previous: string[] = []) => [...previous, value];

/**
 * `mon report`: an aureport-style summary of a day (or --from/--to) of the audit trail. The format
 * is a table unless --format (or --json) says otherwise (html: one self-contained document), whether or not stdout is a TTY: output
 * that changes shape when piped surprises scripts. Exit 1 on a missing day, tampering or corrupt
 * lines (the report is still printed), 2 on usage errors.
 */
export function registerReport(program: Command): Command {
  return program
    .command("report")
    .description("summarize the audit trail of a day or a range of days (aureport-style)")
    .option("--day <day>", "local day YYYY-MM-DD, today or yesterday (default: today)")
    .option("--from <day>", "first day of a range")
    .option("--to <day>", "last day of a range (default: --from, or today)")
    .option("--tz <zone>", "IANA time zone the days are in", "UTC")
    .option("--tenant <id>", "only this tenant; repeatable", collect)
    .option("--dir <dir>", "audit directory; repeat to merge trails of several hosts, or pass a directory of host subdirectories", collect)
    .option("--format <format>", "table, json, csv, markdown or html (default table)")
    .option("--json", "same as --format json")
    .option("--no-verify", "skip the integrity check")
    .option("--config <path>", "mon.config.json to use (default: searched upward from cwd)")
    .action(exitAction(async (_flags, command: Command) => {
      const flags = command.optsWithGlobals();
      const output = createOutput(flags);
      const format = flags.json ? "json" : (flags.format ?? "table");
      if (!FORMATS.includes(format)) {
        throw new MonwireError("E_OPTION_INVALID", `--format ${JSON.stringify(format)} is not a report format`, { hint: `Use one of ${FORMATS.join(", ")}.` });
      }
      if (flags.day && (flags.from || flags.to)) {
        throw new MonwireError("E_OPTION_INVALID", "--day cannot be combined with --from/--to", { hint: "Pass --day D for one day, or --from D1 --to D2 for a range." });
      }
      const { parseDaySpec } = await import("../../audit/time-range.js");
      const { assertTimeZone } = await import("../../audit/time-range-zone.js");
      assertTimeZone(flags.tz);
      const now = new Date();
      const day = (value: string | undefined, flag: string) => parseDaySpec(value ?? "today", { now, timeZone: flags.tz, flag });
      const from = flags.from ? day(flags.from, "--from") : day(flags.to ?? flags.day, flags.to ? "--to" : "--day");
      const to = flags.to ? day(flags.to, "--to") : flags.from ? day(undefined, "--to") : from;
      if (from > to) throw new MonwireError("E_OPTION_INVALID", `--from ${from} is after --to ${to}`, { hint: "Swap the two days." });
      const { resolveAuditSettings } = await import("../../audit/settings.js");
      const { buildReport } = await import("../../audit/report.js");
      const dirs: Array<string | undefined> = flags.dir ?? [undefined];
      const settings = dirs.map((dir) => resolveAuditSettings({ cwd: process.cwd(), configPath: flags.config, dir }));
      const keyEnv = settings[0]?.keyEnv;
      const key = settings[0]?.key;
      // A directory of host directories stands for all of them.
      const { resolveHostDirs } = await import("../../audit/verify-hosts.js");
      const { hosts } = await resolveHostDirs(settings.map((s) => s.dir));
      const { createProgress } = await import("../progress.js");
      const progress = createProgress(output, { minTotalBytes: 32 * 1024 * 1024 });
      const report = await buildReport({
        dirs: hosts.map((h) => h.dir), from, to, timeZone: flags.tz, tenants: flags.tenant ?? [], verify: flags.verify !== false,
        key, keyEnv, now,
        onProgress: (stage, done, total) => progress.update(stage, done, total),
      });
      progress.clear();
      const render = await import(format === "table" ? "../render-report-table.js" : format === "html" ? "../render-report-html.js" : "../render-report-text.js");
      if (format === "json") output.out(JSON.stringify(report));
      else if (format === "html") process.stdout.write(render.renderReportHtml(report, { tenants: settings[0]?.tenants }));
      else if (format === "table") process.stdout.write(render.renderReportTable(report, { color: output.color, tenants: settings[0]?.tenants }));
      else process.stdout.write(format === "csv" ? render.renderReportCsv(report) : render.renderReportMarkdown(report, { tenants: settings[0]?.tenants }));
      const { unknownTenantWarning } = await import("../render-tenant.js");
      const tenantWarning = unknownTenantWarning(report.tenants, settings[0]?.tenants, new Set(report.summary.byTenant.map((t) => t.tenant)));
      if (tenantWarning) output.err(output.color.yellow(`mon report: ${tenantWarning}`));
      // Missing days are said once: the table shows them; other formats go to a file or a program, so stderr says it.
      if (format !== "table") {
        const { escapeTerminal } = await import("../../terminal-safe.js");
        const { missingRanges, rangeLabel } = await import("../render-report-parts.js");
        for (const r of missingRanges(report.missing)) {
          output.err(escapeTerminal(`mon report: no audit data for ${rangeLabel(r)} in ${r.dir}${r.days === 1 ? ` (looked for ${r.lookedFor.join(", ")})` : ""}`));
        }
      }
      return report.findings ? 1 : 0;
    }));
}
