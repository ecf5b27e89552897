import type { Command } from "commander";
import { createOutput } from "../output.js";
import { exitAction } from "../action.js";

/** `mon uninstall`: remove what `mon init` added; keep (and report) what the user changed. */
export function registerUninstall(program: Command): Command {
  return program
    .command("uninstall")
    .description("remove what mon init added (files you changed are kept and reported)")
    .option("--dry-run", "show what would be removed; change nothing")
    .option("--force", "also remove monwire's regions you changed (without it, such a region stops the uninstall)")
    .option("--skip-install", "do not run the package manager after removing dependencies")
    .option("--json", "print one JSON document with the plan and the result")
    .action(exitAction(async (raw: { dryRun?: boolean; force?: boolean; skipInstall?: boolean; json?: boolean }, command: Command) => {
      const [{ runUninstall }, { formatUninstallSummary }, { uninstallResultJson }] = await Promise.all([
        import("../../scaffold/uninstall.js"), import("../render-init.js"), import("../render-init-json.js"),
      ]);
      const output = createOutput({ color: command.optsWithGlobals().color !== false });
      const dryRun = raw.dryRun === true;
      const result = await runUninstall({
        cwd: process.cwd(), dryRun, force: raw.force === true, skipInstall: raw.skipInstall === true,
        installOutput: (chunk) => void process.stderr.write(chunk),
      });
      if (raw.json) output.out(JSON.stringify(uninstallResultJson(result, dryRun)));
      else output.out(formatUninstallSummary(result, dryRun));
      return result.exitCode;
    }));
}
