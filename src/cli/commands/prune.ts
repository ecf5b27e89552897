import type { Command } from "commander";
import { MonwireError } from "../../errors.js";
import { withAuditLocation } from "../audit-options.js";
import { createOutput } from "../output.js";
import { exitAction } from "../action.js";

/**
 * `mon prune`: deletes whole audit days older than the retention. A dry run unless --yes; the
 * real run records an admin/audit.pruned entry through the runtime writer and leaves
 * audit-pruned.json so the remaining trail still verifies.
 */
export function registerPrune(program: Command): Command {
  return withAuditLocation(program
    .command("prune")
    .description("delete audit days older than the retention (dry run unless --yes)")
    .option("--retention-days <n>", "days to keep (default: audit.retentionDays in mon.config.json)")
    .option("--yes", "delete for real (otherwise only show what would be deleted)")
    .option("--json", "print one JSON document"))
    .action(exitAction(async (_flags, command: Command) => {
      const flags = command.optsWithGlobals();
      const output = createOutput(flags);
      const { resolveAuditSettings } = await import("../../audit/settings.js");
      const { pruneAuditDir } = await import("../../audit/prune.js");
      const settings = resolveAuditSettings({ cwd: process.cwd(), configPath: flags.config, dir: flags.dir });
      const retentionDays = flags.retentionDays === undefined ? settings.retentionDays : Number(flags.retentionDays);
      // Digits only (no 1e3, 0x10, " 7"), and exact: 99999999999999999999 would round to another number.
      if (flags.retentionDays !== undefined && (!/^\d+$/.test(flags.retentionDays) || !Number.isSafeInteger(retentionDays))) {
        throw new MonwireError("E_OPTION_INVALID", `--retention-days ${JSON.stringify(flags.retentionDays)} is not a whole number of days (at most ${Number.MAX_SAFE_INTEGER})`, { hint: "Pass the number of days to keep, e.g. --retention-days 2555." });
      }
      const key = settings.key;
      let trail: { record: (event: never) => Promise<unknown>; close: () => Promise<void> } | undefined;
      const result = await pruneAuditDir({
        dir: settings.dir, retentionDays, configuredRetentionDays: settings.retentionDays, yes: flags.yes === true, key, keyEnv: settings.keyEnv,
        record: async (event) => {
          const { createAuditTrail } = await import("../../runtime/audit/index.js");
          const { userInfo } = await import("node:os");
          const audit = createAuditTrail({ dir: settings.dir, key, durability: "fsync" });
          trail = audit;
          return audit.record({ ...event, tenant: "none", actor: { id: userInfo().username, role: "operator", type: "user" } });
        },
      }).finally(() => trail?.close());
      for (const warning of result.warnings) output.err(`warning: ${warning}`);
      if (flags.json) return output.out(JSON.stringify({ dir: settings.dir, ...result }));
      const { formatBytes, plural } = await import("../../human-format.js");
      if (!output.quiet) for (const day of result.days) output.out(`${result.dryRun ? "would delete" : "deleted"} ${day.day}: ${day.files.map((f) => f.name).join(", ")}`);
      const total = `${plural(result.days.length, "day")}, ${plural(result.files, "file")}, ${formatBytes(result.bytes)} older than ${result.keepFrom}`;
      if (result.days.length === 0) output.out(`nothing to prune: no audit days before ${result.keepFrom} (retention ${retentionDays} days)`);
      else if (result.dryRun) output.out(`dry run: ${total} would be deleted; run again with --yes to delete them`);
      else output.out(`pruned ${total}; recorded as audit.pruned (seq ${result.entry?.seq}) and kept verifiable via audit-pruned.json`);
    }));
}
