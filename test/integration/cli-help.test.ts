import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { runMon } from "../helpers/cli.js";

/** Help people can act on: examples on every command, honest answers to unknown topics, completion. */
async function commandNames(): Promise<string[]> {
  const help = String((await runMon(["--help"])).stdout);
  const section = help.slice(help.indexOf("Commands:"));
  return [...section.matchAll(/^ {2}([a-z]+)/gm)].map((m) => m[1] as string).filter((c) => c !== "help");
}

describe("mon help", () => {
  it("every command's --help ends with 2 to 4 examples of that command", async () => {
    const names = await commandNames();
    expect(names).toEqual(expect.arrayContaining(["init", "uninstall", "check", "tail", "verify", "seal", "prune", "report", "demo", "completion"]));
    for (const name of names) {
      const help = String((await runMon([name, "--help"])).stdout);
      const examples = help.slice(help.indexOf("Examples:"));
      expect(help, name).toContain("Examples:");
      const lines = examples.split("\n").filter((l) => l.startsWith("  $ "));
      expect(lines.length, name).toBeGreaterThanOrEqual(2);
      expect(lines.length, name).toBeLessThanOrEqual(4);
      for (const line of lines) expect(line, name).toMatch(new RegExp(`^  \\$ mon ${name}\\b`));
    }
  });

  it("says so for an unknown help topic, with exit 2", async () => {
    const result = await runMon(["help", "nope"]);
    expect(result.exitCode).toBe(2);
    expect(String(result.stderr)).toContain('unknown help topic "nope"');
    expect(String(result.stderr)).toContain("report");
    expect(String(result.stdout)).toBe("");
    const known = await runMon(["help", "report"]);
    expect(known.exitCode).toBe(0);
    expect(String(known.stdout)).toContain("Usage: mon report");
  });

  it("prints a default once", async () => {
    const help = String((await runMon(["report", "--help"])).stdout).replace(/\s+/g, " ");
    const tz = /--tz <zone>(.*?)--tenant/.exec(help)?.[1] as string;
    expect(tz.match(/default/g)).toHaveLength(1);
  });

  it("completes commands and flags in a real bash", async () => {
    const script = String((await runMon(["completion", "bash"])).stdout);
    const complete = (words: string[]) => execFileSync("bash", ["-c", `${script}\nCOMP_WORDS=(${words.map((w) => `'${w}'`).join(" ")}); COMP_CWORD=${words.length - 1}; _mon_completion; echo "\${COMPREPLY[*]}"`], { encoding: "utf8" }).trim();
    expect(complete(["mon", "re"])).toBe("report");
    expect(complete(["mon", "report", "--fo"])).toBe("--format");
    expect(complete(["mon", "report", "--format", ""]).split(" ")).toEqual(["table", "json", "csv", "markdown", "html"]);
    expect(script).toContain("complete -F _mon_completion mon");
  });

  it("writes zsh and fish completion, and refuses an unknown shell", async () => {
    const zsh = await runMon(["completion", "zsh"]);
    expect(String(zsh.stdout)).toMatch(/^#compdef mon monwire/);
    const fish = String((await runMon(["completion", "fish"])).stdout);
    expect(fish).toContain("complete -c mon -n '__fish_use_subcommand' -a report");
    expect(fish).toContain("-l format");
    const bad = await runMon(["completion", "tcsh"]);
    expect(bad.exitCode).toBe(2);
    expect(String(bad.stderr)).toContain("bash, zsh or fish");
  });
});
