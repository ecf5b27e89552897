import type { Command } from "commander";
import { createOutput } from "../output.js";
import { exitAction } from "../action.js";

/**
 * `mon check`: proves in CI that metrics, Sentry and the audit trail really work. Flags are
 * validated by the core's option parser; exit 0 when every check passed (or was skipped on
 * request), 1 on findings, 2 on usage or config errors.
 */
export function registerCheck(program: Command): Command {
  return program
    .command("check")
    .description("prove that metrics, Sentry and the audit trail really work (exit 1 on findings)")
    .option("--url <url>", "metrics endpoint to scrape (default: metrics.url in mon.config.json); repeat for several instances", (value: string, previous: string[] = []) => [...previous, value])
    .option("--targets <file>", "check every instance in a Prometheus file_sd targets file (e.g. monitoring/targets.json)")
    .option("--config <path>", "mon.config.json to use (default: searched upward from cwd)")
    .option("--only <groups>", "run only these groups: metrics,sentry,audit")
    .option("--strict", "warnings (and checks that could not run) fail too")
    .option("--offline", "no network: skip the scrape and the online Sentry check")
    .option("--online", "send one minimal test envelope to the Sentry DSN")
    .option("--timeout <seconds>", "scrape and network timeout in seconds (default 10)")
    .option("--probe-cardinality [n]", "request N random non-existent paths (default 50, max 500) and fail if series grow")
    .option("--series-budget <n>", "series one metric family may have (default 1000)")
    .option("--slo-edges <seconds>", "latency SLO thresholds a _seconds histogram needs a bucket at (default 0.1,0.25,0.5,1)")
    .option("--json", "print one JSON document")
    .option("--format <format>", "human, json, github (annotations) or junit")
    .option("--output <file>", "write the report to FILE instead of stdout (e.g. junit.xml)")
    .action(exitAction(async (_flags, command: Command) => {
      const flags = command.optsWithGlobals();
      const output = createOutput(flags);
      const { parseCheckFlags } = await import("../../probe/check-options.js");
      const parsed = parseCheckFlags(flags, process.env, process.cwd());
      const { runChecks } = await import("../../probe/run-checks.js");
      if (output.stderrIsTTY && parsed.format === "human") output.note(output.color.dim("checking…"));
      const report = await runChecks(parsed.options);
      const { renderReport } = await import("../render-check.js");
      const { Chalk } = await import("../../vendor/chalk.js");
      const color = parsed.output ? new Chalk({ level: 0 }) : output.color;
      const rendered = renderReport(report, parsed.format, { color, strict: parsed.strict });
      const { appendFile, writeFile } = await import("node:fs/promises");
      if (parsed.output) {
        await writeFile(parsed.output, rendered.text);
        output.err(`mon check: report written to ${parsed.output}`);
      } else {
        process.stdout.write(rendered.text);
      }
      const stepSummary = process.env.GITHUB_STEP_SUMMARY;
      if (rendered.stepSummary && stepSummary) await appendFile(stepSummary, `${rendered.stepSummary}\n`);
      if (rendered.droppedAnnotations) {
        output.err(`mon check: ${rendered.droppedAnnotations} findings not annotated (GitHub shows 10 errors and 10 warnings per step); all are ${stepSummary ? "in the step summary" : "in the report above"}`);
      }
      const { reportFailed } = await import("../../probe/findings.js");
      return reportFailed(report, parsed.strict) ? 1 : 0;
    }));
}
