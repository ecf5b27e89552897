import type { Command } from "commander";
import type { UninstallPlan } from "../../scaffold/uninstall.js";
import { EXIT, MonwireError } from "../../errors.js";
import { createOutput } from "../output.js";
import { exitAction } from "../action.js";

/** `mon uninstall`: remove what `mon init` added; keep (and report) what the user changed. */
export function registerUninstall(program: Command): Command {
  return program
    .command("uninstall")
    .description("remove what mon init added (files you changed are kept and reported)")
    .option("--dry-run", "show what would be removed; change nothing")
    .option("--force", "also remove monwire's regions you changed and generated files your code imports (without it, either stops the uninstall)")
    .option("--skip-install", "do not run the package manager after removing dependencies")
    .option("-y, --yes", "remove without asking (required when there is no terminal to ask in, e.g. in CI)")
    .option("--json", "print one JSON document with the plan and the result")
    .action(exitAction(async (raw: { dryRun?: boolean; force?: boolean; skipInstall?: boolean; json?: boolean; yes?: boolean }, command: Command) => {
      const [{ runUninstall }, { formatUninstallPlan, formatUninstallSummary }, { uninstallResultJson }] = await Promise.all([
        import("../../scaffold/uninstall.js"), import("../render-init.js"), import("../render-init-json.js"),
      ]);
      const output = createOutput({ color: command.optsWithGlobals().color !== false });
      const dryRun = raw.dryRun === true;
      // Uninstall deletes files: it asks first, on a terminal where the plan can be read (stdin
      // and stdout) and outside CI. Without one, only an explicit --yes deletes anything.
      const terminal = Boolean(process.stdin.isTTY && process.stdout.isTTY) && !process.env.CI && raw.json !== true;
      const ask = !dryRun && raw.yes !== true;
      const prompts = ask && terminal ? await import("../prompts.js") : undefined;
      let shown = false;
      // Asked (or refused) only once the plan stands: a missing manifest or a conflict is
      // reported as such, and removes nothing either way.
      const confirm = async (plan: UninstallPlan): Promise<boolean> => {
        if (!prompts) {
          throw new MonwireError("E_USAGE", "mon uninstall deletes files and asks before it does, but there is no terminal to ask in", {
            exitCode: EXIT.usage,
            hint: "Rerun with --yes to remove monwire without asking (mon uninstall --dry-run shows what would go).",
          });
        }
        output.out(`${formatUninstallPlan({ plan }, undefined, true)}\n`);
        shown = true;
        return prompts.confirmApply(plan.changes.filter((c) => c.kind !== "skip").length, false);
      };
      const result = await runUninstall({
        cwd: process.cwd(), dryRun, force: raw.force === true, skipInstall: raw.skipInstall === true,
        installOutput: (chunk) => void process.stderr.write(chunk),
        ...(ask ? { confirm } : {}),
      });
      if (raw.json) output.out(JSON.stringify(uninstallResultJson(result, dryRun)));
      else output.out(formatUninstallSummary(result, dryRun, undefined, shown));
      return result.exitCode;
    }));
}
