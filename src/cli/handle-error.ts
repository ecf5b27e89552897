import { CommanderError } from "../vendor/commander.js";
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

/** Whether the command line asked for JSON output (`--json`, `--format json`, `--format=json`). */
export function wantsJson(args: readonly string[]): boolean {
  return args.some((arg, i) => arg === "--json" || arg === "--format=json" || (arg === "--format" && args[i + 1] === "json"));
}

/**
 * The error as one JSON document, for a caller that asked for JSON: a script parsing stdout gets
 * a parseable answer for a wrong command line too. Undefined for --help and --version, which are
 * not errors. Strings stay exact (JSON escapes control characters itself).
 */
export function errorDocument(error: unknown, exitCode: number): object | undefined {
  if (exitCode === EXIT.ok) return undefined;
  if (error instanceof CommanderError) {
    return { tool: "monwire", ok: false, error: { code: "E_USAGE", message: error.message.replace(/^error: /, ""), exitCode, hint: "Run `mon <command> --help` for usage." } };
  }
  if (isMonwireError(error)) {
    return { tool: "monwire", ok: false, error: { code: error.code, message: error.message, exitCode, ...(error.hint ? { hint: error.hint } : {}), ...(error.issues.length ? { issues: error.issues } : {}) } };
  }
  return { tool: "monwire", ok: false, error: { code: "E_INTERNAL", message: error instanceof Error ? error.message : String(error), exitCode } };
}
