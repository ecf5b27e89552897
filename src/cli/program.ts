import { Command } from "../vendor/commander.js";
import { getVersion } from "../version.js";
import { MonwireError } from "../errors.js";
import { COMMANDS } from "./commands/index.js";
import { formatExamples } from "./help-examples.js";

/**
 * Builds the commander program. Command files only declare flags; their cores are imported
 * inside the action, so `mon --help` loads nothing heavy.
 */
export function buildProgram(): Command {
  const program = new Command("mon")
    .description("Production monitoring for Express: Sentry, Prometheus metrics and a tamper-evident audit trail.")
    .version(getVersion(), "-V, --version")
    .option("--no-color", "disable colour output")
    .option("-q, --quiet", "no progress or notes; results shortened to what needs attention")
    .option("--verbose", "every detail (e.g. each day of a long run of days without events)")
    .configureHelp({ showGlobalOptions: true })
    .hook("preAction", (_program, action) => {
      const flags = action.optsWithGlobals();
      if (flags.quiet && flags.verbose) throw new MonwireError("E_USAGE", "--quiet and --verbose contradict each other", { hint: "Pass one of them." });
    })
    .showHelpAfterError("(run `mon --help` for usage)")
    .exitOverride()
    .configureOutput({ writeOut: (s) => process.stdout.write(s), writeErr: (s) => process.stderr.write(s) });
  for (const register of COMMANDS) {
    const command = register(program);
    command.exitOverride();
    const examples = formatExamples(command.name());
    if (examples) command.addHelpText("after", examples);
  }
  // Commander's own help command prints the full help for a topic it does not know; ours says so.
  program.helpCommand(false);
  program
    .command("help")
    .description("show help for a command")
    .argument("[command]", "the command")
    .action((topic: string | undefined) => {
      if (topic === undefined) return program.outputHelp();
      const command = program.commands.find((c) => c.name() === topic || c.aliases().includes(topic));
      if (!command || topic === "help") {
        const names = program.commands.map((c) => c.name()).filter((n) => n !== "help");
        throw new MonwireError("E_USAGE", `unknown help topic ${JSON.stringify(topic)}`, { hint: `Commands: ${names.join(", ")}. Run \`mon --help\` for an overview.` });
      }
      command.outputHelp();
    })
    .exitOverride();
  return program;
}
