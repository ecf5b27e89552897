import type { Command } from "commander";

/** What a command's action returns: its exit code, or nothing for success. */
export type ActionResult = number | void;

// Commander drops an action's return value, so the code is kept per program until `main` reads it.
const exitCodes = new WeakMap<Command, number>();

function rootOf(command: Command): Command {
  let root = command;
  while (root.parent) root = root.parent;
  return root;
}

/**
 * Wraps a command's action so that the exit code it returns reaches `main`, the one place that
 * sets the process exit code. Commander passes the command itself as the last argument.
 */
export function exitAction<Args extends unknown[]>(fn: (...args: Args) => Promise<ActionResult> | ActionResult): (...args: Args) => Promise<void> {
  return async (...args: Args) => {
    const code = await fn(...args);
    const command = args[args.length - 1] as Command;
    exitCodes.set(rootOf(command), code ?? 0);
  };
}

/** The exit code the action that ran on this program returned (0 when none ran or it returned nothing). */
export function exitCodeOf(program: Command): number {
  return exitCodes.get(program) ?? 0;
}
