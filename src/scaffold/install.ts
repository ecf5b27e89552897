import { EXIT, MonwireError } from "../errors.js";
import type { PackageManager } from "./types.js";

/**
 * Installing with the host's own package manager, never another one. CI-style frozen lockfiles
 * are turned off for this one install: monwire just changed package.json on purpose.
 */
export interface InstallCommand {
  command: PackageManager;
  args: string[];
  env: Record<string, string>;
}

export const INSTALL_COMMANDS: Record<PackageManager, InstallCommand> = {
  npm: { command: "npm", args: ["install", "--no-audit", "--no-fund"], env: {} },
  pnpm: { command: "pnpm", args: ["install", "--no-frozen-lockfile"], env: {} },
  yarn: { command: "yarn", args: ["install"], env: { YARN_ENABLE_IMMUTABLE_INSTALLS: "false" } },
  bun: { command: "bun", args: ["install"], env: {} },
};

export interface InstallResult {
  command: string;
  cwd: string;
  ok: boolean;
  exitCode?: number;
}

/** Fails before anything is written when the package manager is not on PATH. */
export async function checkPackageManager(pm: PackageManager, cwd: string): Promise<void> {
  const { execa } = await import("../vendor/execa.js");
  const result = await execa(pm, ["--version"], { cwd, reject: false });
  if (result.exitCode !== 0) {
    throw new MonwireError("E_USAGE", `${pm} is this project's package manager but \`${pm} --version\` failed${result.code === "ENOENT" ? " (not on PATH)" : ""}`, {
      exitCode: EXIT.usage,
      hint: `Install ${pm} (e.g. \`corepack enable ${pm}\` or \`npm install -g ${pm}\`), or rerun with --skip-install and install yourself.`,
    });
  }
}

export async function installDependencies(pm: PackageManager, cwd: string, onOutput: (chunk: string) => void = () => {}): Promise<InstallResult> {
  const { execa } = await import("../vendor/execa.js");
  const spec = INSTALL_COMMANDS[pm];
  const subprocess = execa(spec.command, spec.args, { cwd, reject: false, all: true, stdin: "ignore", env: spec.env });
  subprocess.all?.on("data", (chunk: Buffer) => onOutput(chunk.toString()));
  const result = await subprocess;
  return { command: [spec.command, ...spec.args].join(" "), cwd, ok: result.exitCode === 0, ...(result.exitCode !== undefined ? { exitCode: result.exitCode } : {}) };
}
