import { Command } from "commander";
import { getVersion } from "../version.js";
import { COMMANDS } from "./commands/index.js";

/**
 * Builds the commander program. Command files only declare flags; their cores are imported
 * inside the action, so `mon --help` loads nothing heavy.
 */
export function buildProgram(): Command {
  const program = new Command("mon")
    .description("Production monitoring for Express: Sentry, Prometheus metrics and a tamper-evident audit trail.")
    .version(getVersion(), "-V, --version")
    .option("--no-color", "disable colour output")
    .showHelpAfterError("(run `mon --help` for usage)")
    .exitOverride()
    .configureOutput({ writeOut: (s) => process.stdout.write(s), writeErr: (s) => process.stderr.write(s) });
  for (const register of COMMANDS) {
    const command = register(program);
    command.exitOverride();
  }
  return program;
}
