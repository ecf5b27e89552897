import type { Command } from "commander";
import { AUDIT_CATEGORIES } from "../audit/categories.js";

/**
 * Shell completion scripts, generated from the program itself so a new flag completes without
 * anyone remembering this file. Values with a fixed set (formats, categories, shells) complete
 * from the table below; paths complete as files or directories.
 */
interface CommandSpec {
  name: string;
  description: string;
  options: Array<{ flag: string; description: string; takesValue: boolean }>;
}

const VALUES: Record<string, Record<string, readonly string[]>> = {
  report: { "--format": ["table", "json", "csv", "markdown", "html"] },
  check: { "--format": ["human", "json", "github", "junit"], "--only": ["metrics", "sentry", "audit"] },
  tail: { "--category": AUDIT_CATEGORIES, "--outcome": ["success", "failure", "unknown"] },
  init: { "--pm": ["npm", "pnpm", "yarn"], "--module": ["esm", "cjs"] },
};
const DIRECTORY_FLAGS = ["--dir", "--audit-dir"];
export const SHELLS = ["bash", "zsh", "fish"] as const;

export function describeProgram(program: Command): CommandSpec[] {
  return program.commands.filter((c) => c.name() !== "help").map((c) => ({
    name: c.name(),
    description: c.description(),
    options: [...c.options, ...program.options].filter((o) => o.long).map((o) => ({ flag: o.long as string, description: o.description, takesValue: o.required || o.optional })),
  }));
}

const words = (items: readonly string[]) => items.join(" ");

export function renderBash(specs: CommandSpec[]): string {
  const valueCases = specs.flatMap((s) => Object.entries(VALUES[s.name] ?? {}).map(([flag, values]) => `    "${s.name} ${flag}") COMPREPLY=( $(compgen -W "${words(values)}" -- "$cur") ); return ;;`));
  const fileCases = specs.flatMap((s) => s.options.filter((o) => o.takesValue && !VALUES[s.name]?.[o.flag]).map((o) => `    "${s.name} ${o.flag}") COMPREPLY=( $(compgen ${DIRECTORY_FLAGS.includes(o.flag) ? "-d" : "-f"} -- "$cur") ); return ;;`));
  const flagCases = specs.map((s) => `    ${s.name}) COMPREPLY=( $(compgen -W "${words(s.options.map((o) => o.flag))}" -- "$cur") ) ;;`);
  return `# mon completion for bash. Load it now: source <(mon completion bash); keep it: mon completion bash >> ~/.bashrc
_mon_completion() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}" cmd="\${COMP_WORDS[1]}"
  COMPREPLY=()
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=( $(compgen -W "${words(specs.map((s) => s.name))} help" -- "$cur") )
    return
  fi
  if [ "$cmd" = completion ] || [ "$cmd" = help ]; then
    [ "$COMP_CWORD" -eq 2 ] && COMPREPLY=( $(compgen -W "${cmdWords(specs)}" -- "$cur") )
    return
  fi
  case "$cmd $prev" in
${[...valueCases, ...fileCases].join("\n")}
  esac
  case "$cmd" in
${flagCases.join("\n")}
  esac
}
complete -F _mon_completion mon
complete -F _mon_completion monwire
`;
}

/** After `completion` the shells; after `help` the commands. */
function cmdWords(specs: CommandSpec[]): string {
  return `$( [ "$cmd" = completion ] && echo "${words(SHELLS)}" || echo "${words(specs.map((s) => s.name))}" )`;
}

export function renderZsh(specs: CommandSpec[]): string {
  // zsh runs the bash function through bashcompinit: one implementation, the same answers.
  return `#compdef mon monwire
# mon completion for zsh: mon completion zsh > "\${fpath[1]}/_mon", then restart the shell.
autoload -U +X bashcompinit && bashcompinit
${renderBash(specs)}`;
}

const quote = (text: string) => `'${text.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;

export function renderFish(specs: CommandSpec[]): string {
  const lines = ["# mon completion for fish: mon completion fish > ~/.config/fish/completions/mon.fish", "complete -c mon -f"];
  for (const s of specs) {
    lines.push(`complete -c mon -n '__fish_use_subcommand' -a ${s.name} -d ${quote(s.description)}`);
    for (const o of s.options) {
      const values = VALUES[s.name]?.[o.flag];
      const arg = values ? ` -x -a ${quote(words(values))}` : o.takesValue ? (DIRECTORY_FLAGS.includes(o.flag) ? " -x -a '(__fish_complete_directories)'" : " -r -F") : "";
      lines.push(`complete -c mon -n '__fish_seen_subcommand_from ${s.name}' -l ${o.flag.slice(2)}${arg} -d ${quote(o.description)}`);
    }
  }
  lines.push(`complete -c mon -n '__fish_seen_subcommand_from completion' -x -a ${quote(words(SHELLS))}`);
  lines.push("complete -c monwire -w mon");
  return `${lines.join("\n")}\n`;
}
