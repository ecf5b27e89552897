import type { Command } from "commander";
import { MonwireError } from "../../errors.js";
import { createOutput } from "../output.js";
import { exitAction } from "../action.js";

/**
 * `mon verify`: proves the audit trail is intact. One verdict per day file and per anchor, then a
 * summary; exit 0 intact (a torn final line is reported but is not tampering), 1 tampered or
 * missing, 2 usage (bad day, missing directory, signed trail without its key).
 */
export function registerVerify(program: Command): Command {
  return program
    .command("verify")
    .description("prove the audit trail is intact: hash chains, anchors, missing days (exit 1 on tampering)")
    .option("--dir <dir>", "audit directory (default: audit.dir in mon.config.json); repeat for several hosts, or pass a directory of host subdirectories", (value: string, previous: string[] = []) => [...previous, value])
    .option("--ndjson <file>", "verify a trail exported as NDJSON (audit lines or documents with event.original), in any order")
    .option("--config <path>", "mon.config.json to use (default: searched upward from cwd)")
    .option("--from <day>", "first UTC day to verify (YYYY-MM-DD)")
    .option("--to <day>", "last UTC day to verify (YYYY-MM-DD)")
    .option("--jobs <n>", "threads to verify on, the main one included (default: all cores for trails of 16 MB or more)")
    .option("--witness <source>", "check the trail reaches the head a witness saw: a file from `mon seal --witness`, or prometheus=URL")
    .option("--witness-selector <selector>", "PromQL label selector for the Prometheus witness, e.g. '{instance=\"app:5000\"}'")
    .option("--json", "print one JSON document")
    .action(exitAction(async (_flags, command: Command) => {
      const flags = command.optsWithGlobals();
      const output = createOutput(flags);
      const jobs = flags.jobs === undefined ? "auto" : Number(flags.jobs);
      if (jobs !== "auto" && (!Number.isInteger(jobs) || jobs < 1)) {
        throw new MonwireError("E_OPTION_INVALID", `--jobs ${JSON.stringify(flags.jobs)} is not a positive integer`, { hint: "Pass --jobs 1 to verify in one thread, or leave it out." });
      }
      const { resolveAuditSettings } = await import("../../audit/settings.js");
      const { verifyAuditDir } = await import("../../audit/verify.js");
      const dirs: Array<string | undefined> = flags.dir ?? [undefined];
      if (flags.ndjson !== undefined && flags.dir !== undefined) {
        throw new MonwireError("E_OPTION_INVALID", "--ndjson and --dir contradict each other", { hint: "Verify either an exported NDJSON file or audit directories." });
      }
      if (flags.witness !== undefined && (flags.ndjson !== undefined || dirs.length > 1)) {
        throw new MonwireError("E_OPTION_INVALID", "--witness checks one trail directory", { hint: "Verify each host's directory with its own witness, or leave --witness out." });
      }
      const settings = resolveAuditSettings({ cwd: process.cwd(), configPath: flags.config, dir: dirs[0] });
      const { paintVerdicts, formatVerifyReport, formatHostsReport } = await import("../render-verify.js");
      const paint = paintVerdicts(output.color);
      if (flags.ndjson !== undefined) {
        const { verifyNdjson } = await import("../../audit/verify-ndjson.js");
        const { existsSync } = await import("node:fs");
        if (!existsSync(flags.ndjson)) throw new MonwireError("E_OPTION_INVALID", `--ndjson ${flags.ndjson}: no such file`, { hint: "Pass the NDJSON export of the trail." });
        const report = await verifyNdjson(flags.ndjson, { from: flags.from, to: flags.to, jobs, keyEnv: settings.keyEnv, key: settings.key });
        output.out(flags.json ? JSON.stringify(report) : formatVerifyReport(report, { style: paint }).join("\n"));
        return report.status === "tampered" ? 1 : 0;
      }
      const { resolveHostDirs, verifyHosts } = await import("../../audit/verify-hosts.js");
      const allDirs = dirs.map((dir, i) => (i === 0 ? settings.dir : resolveAuditSettings({ cwd: process.cwd(), configPath: flags.config, dir }).dir));
      const { hosts, parentOfHosts } = await resolveHostDirs(allDirs);
      if (hosts.length > 1 || parentOfHosts) {
        const multi = await verifyHosts(hosts, { from: flags.from, to: flags.to, jobs, keyEnv: settings.keyEnv, key: settings.key });
        output.out(flags.json ? JSON.stringify(multi) : formatHostsReport(multi, { style: paint }).join("\n"));
        return multi.status === "tampered" ? 1 : 0;
      }
      const { createProgress } = await import("../progress.js");
      const progress = createProgress(output, { enabled: !flags.json });
      const report = await verifyAuditDir({
        dir: settings.dir, from: flags.from, to: flags.to, jobs, keyEnv: settings.keyEnv, key: settings.key,
        witness: flags.witness, witnessSelector: flags.witnessSelector,
        onProgress: ({ doneBytes, totalBytes }) => progress.update("verifying", doneBytes, totalBytes),
      });
      progress.clear();
      if (flags.json) {
        output.out(JSON.stringify(report));
      } else {
        const detail = output.quiet ? "quiet" : output.verbose ? "verbose" : "normal";
        output.out(formatVerifyReport(report, { style: paint, detail }).join("\n"));
      }
      return report.status === "tampered" ? 1 : 0;
    }));
}
