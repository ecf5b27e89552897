import { posix } from "node:path";
import type { ScriptCommand } from "./types.js";

/**
 * Reading and rewriting package.json scripts. A script is split into commands at shell operators,
 * each command into tokens with their offsets, so a rewrite inserts text at one place and leaves
 * every other byte of the user's script alone.
 */
export interface Token {
  text: string;
  start: number;
  end: number;
}

export interface ParsedCommand {
  tokens: Token[];
  /** Index of the runner token (after env assignments, cross-env, npx). */
  runnerIndex: number;
  runner: string;
}

/** Runners that execute a file with Node (and accept Node's `--import`). */
export const NODE_RUNNERS = ["node", "tsx", "nodemon", "ts-node", "ts-node-dev", "ts-node-esm"] as const;

/** Flags of those runners that take the next token as their value. */
const VALUE_FLAGS = new Set([
  "-r", "--require", "--import", "--loader", "--experimental-loader", "--env-file", "--tsconfig", "-C", "--conditions",
  "-w", "--watch", "-e", "--ext", "-x", "--exec", "-i", "--ignore", "-d", "--delay", "--signal", "--config", "-P", "--project",
]);

/** Splits one shell command line into commands; quotes are honoured, operators end a command. */
export function parseScript(script: string): ParsedCommand[] {
  const commands: Token[][] = [[]];
  let i = 0;
  while (i < script.length) {
    const ch = script[i]!;
    if (/\s/.test(ch)) {
      i += 1;
      continue;
    }
    if (ch === "&" || ch === "|" || ch === ";") {
      i += script[i + 1] === ch ? 2 : 1;
      commands.push([]);
      continue;
    }
    const start = i;
    let quote: string | undefined;
    while (i < script.length) {
      const c = script[i]!;
      if (quote) {
        if (c === quote) quote = undefined;
      } else if (c === '"' || c === "'") {
        quote = c;
      } else if (/\s/.test(c) || c === "&" || c === "|" || c === ";") {
        break;
      }
      i += 1;
    }
    commands[commands.length - 1]!.push({ text: script.slice(start, i), start, end: i });
  }
  return commands
    .filter((tokens) => tokens.length > 0)
    .map((tokens) => {
      let index = 0;
      while (index < tokens.length) {
        const text = tokens[index]!.text;
        if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(text) || text === "cross-env" || text === "npx" || text === "exec") index += 1;
        else break;
      }
      const runner = posix.basename(tokens[index]?.text ?? "").replace(/\.(c|m)?js$/, "");
      return { tokens, runnerIndex: index, runner };
    });
}

/** Index of the first positional argument after the runner (the file it runs), if any. */
export function findFileArgument(command: ParsedCommand): number | undefined {
  const { tokens } = command;
  let i = command.runnerIndex + 1;
  if (command.runner === "tsx" && tokens[i]?.text === "watch") i += 1;
  for (; i < tokens.length; i += 1) {
    const text = tokens[i]!.text;
    if (text === "--") continue;
    if (text.startsWith("-")) {
      if (VALUE_FLAGS.has(text)) i += 1;
      continue;
    }
    return i;
  }
  return undefined;
}

/** Esbuild entry points: every positional argument (`out=in` aliases give their input). */
export function findEsbuildEntries(command: ParsedCommand): Token[] {
  return command.tokens.slice(command.runnerIndex + 1).filter((t) => !t.text.startsWith("-"));
}

export function esbuildFlag(command: ParsedCommand, name: string): string | undefined {
  for (const token of command.tokens) {
    if (token.text.startsWith(`--${name}=`)) return unquote(token.text.slice(name.length + 3));
  }
  return undefined;
}

export function unquote(text: string): string {
  return /^(["']).*\1$/.test(text) ? text.slice(1, -1) : text;
}

/** Normalises a script path argument to a project-relative posix path (`./dist/x.js` → `dist/x.js`). */
export function normalizeScriptPath(text: string): string {
  return posix.normalize(unquote(text).replace(/\\/g, "/")).replace(/^\.\//, "");
}

/** Lists what each script runs: the runner and the file argument (or the first esbuild entry). */
export function describeScripts(scripts: Record<string, string>): ScriptCommand[] {
  const result: ScriptCommand[] = [];
  for (const [script, line] of Object.entries(scripts)) {
    if (typeof line !== "string") continue;
    for (const command of parseScript(line)) {
      if (command.runner === "esbuild") {
        for (const entry of findEsbuildEntries(command)) {
          result.push({ script, runner: "esbuild", file: normalizeScriptPath(entry.text.replace(/^[^=]+=/, "")) });
        }
        continue;
      }
      const fileIndex = (NODE_RUNNERS as readonly string[]).includes(command.runner) ? findFileArgument(command) : undefined;
      const file = fileIndex === undefined ? undefined : normalizeScriptPath(command.tokens[fileIndex]!.text);
      result.push({ script, runner: command.runner, ...(file ? { file } : {}) });
    }
  }
  return result;
}

/** Inserts `text` right before the token at `index` (or at the end), keeping everything else. */
export function insertBeforeToken(line: string, command: ParsedCommand, index: number, text: string): string {
  const at = command.tokens[index]?.start ?? line.length;
  return `${line.slice(0, at)}${text} ${line.slice(at)}`;
}
