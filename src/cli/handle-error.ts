import { CommanderError } from "commander";
import { EXIT, isMonwireError } from "../errors.js";
import { escapeTerminalLines } from "../terminal-safe.js";

/**
 * The one place that turns an error into words and an exit code. MonwireErrors carry their own
 * code and fix; anything else is a bug in monwire and says so.
 */
export function handleError(error: unknown, print: (text: string) => void = (t) => void process.stderr.write(t)): number {
  // Messages quote file names, flag values and file contents: none of it may drive the terminal.
  const write = (text: string) => print(escapeTerminalLines(text));
  if (error instanceof CommanderError) {
    // Commander already printed its message (and help for --help, which exits 0).
    return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  }
  if (isMonwireError(error)) {
    const lines = [`mon: ${error.message}`];
    for (const issue of error.issues) lines.push(`  ${issue.path}: ${issue.message}`);
    if (error.hint) lines.push(`Fix: ${error.hint}`);
    write(`${lines.join("\n")}\n`);
    return error.exitCode;
  }
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  write(`mon: internal error — please report this at https://github.com/monwire/monwire/issues\n${detail}\n`);
  return EXIT.internal;
}
