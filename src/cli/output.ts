import { Chalk, type ChalkInstance } from "../vendor/chalk.js";

/**
 * Where and how a command writes. Colour is decided once: only on a TTY, never with NO_COLOR
 * (chalk 5 ignores it) or --no-color; FORCE_COLOR still wins for tests of coloured output.
 */
export interface Output {
  color: ChalkInstance;
  stdoutIsTTY: boolean;
  stderrIsTTY: boolean;
  /** Writes a result line to stdout. */
  out(text: string): void;
  /** Writes progress or diagnostics to stderr. */
  err(text: string): void;
  /** --quiet: no progress or notes, results shortened to what needs attention. */
  quiet: boolean;
  /** --verbose: every detail (each day of a long quiet run, each anchor). */
  verbose: boolean;
  /** Progress and notes on stderr; nothing under --quiet. */
  note(text: string): void;
}

/** Takes the command's flags as they are (`command.optsWithGlobals()`): color, quiet, verbose. */
export function createOutput(options: { color?: boolean; quiet?: boolean; verbose?: boolean } = {}): Output {
  const stdoutIsTTY = Boolean(process.stdout.isTTY);
  const forced = process.env.FORCE_COLOR !== undefined && process.env.FORCE_COLOR !== "0";
  const noColor = (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== "") || options.color === false;
  const enabled = !noColor && (forced || stdoutIsTTY);
  return {
    color: new Chalk({ level: enabled ? 1 : 0 }),
    stdoutIsTTY,
    stderrIsTTY: Boolean(process.stderr.isTTY),
    out: (text) => void process.stdout.write(text.endsWith("\n") ? text : `${text}\n`),
    err: (text) => void process.stderr.write(text.endsWith("\n") ? text : `${text}\n`),
    quiet: Boolean(options.quiet),
    verbose: Boolean(options.verbose),
    note: (text) => {
      if (!options.quiet) process.stderr.write(text.endsWith("\n") ? text : `${text}\n`);
    },
  };
}

/**
 * A reader that closed the pipe (`mon tail | head -3`) is not an error: stop quietly with
 * exit 0, like coreutils do.
 */
export function exitQuietlyOnEpipe(): void {
  const onError = (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(0);
    throw error;
  };
  process.stdout.on("error", onError);
  process.stderr.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE") throw error;
  });
}
