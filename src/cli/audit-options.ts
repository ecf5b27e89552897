import type { Command } from "commander";

/** Adds the options every audit command shares for finding the trail: --dir and --config. */
export function withAuditLocation(command: Command): Command {
  return command
    .option("--dir <dir>", "audit directory (default: audit.dir in mon.config.json)")
    .option("--config <path>", "mon.config.json to use (default: searched upward from cwd)");
}
