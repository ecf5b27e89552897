import type { Command } from "commander";
import { MonwireError } from "../../errors.js";
import { exitAction } from "../action.js";

/** `mon completion bash|zsh|fish`: prints a completion script for the shell to stdout. */
export function registerCompletion(program: Command): Command {
  return program
    .command("completion")
    .description("print a shell completion script (bash, zsh or fish)")
    .argument("<shell>", "bash, zsh or fish")
    .action(exitAction(async (shell: string) => {
      const { describeProgram, renderBash, renderFish, renderZsh, SHELLS } = await import("../completion.js");
      if (!(SHELLS as readonly string[]).includes(shell)) {
        throw new MonwireError("E_OPTION_INVALID", `no completion for the shell ${JSON.stringify(shell)}`, { hint: "Pass bash, zsh or fish." });
      }
      const specs = describeProgram(program);
      process.stdout.write(shell === "bash" ? renderBash(specs) : shell === "zsh" ? renderZsh(specs) : renderFish(specs));
    }));
}
