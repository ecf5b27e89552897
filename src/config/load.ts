import { readFileSync, existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { MonwireError } from "../errors.js";
import type { MonwireConfig } from "./schema.js";
import { resolveConfig } from "./validate.js";

export const CONFIG_FILE = "mon.config.json";

export interface LoadedConfig {
  config: MonwireConfig;
  /** Absolute path of the file read. */
  path: string;
  /** Directory holding the config: relative paths in it (audit.dir) resolve against this. */
  root: string;
}

/** Walks up from `cwd` to the filesystem root looking for mon.config.json. */
export function findConfigFile(cwd: string): string | undefined {
  let dir = resolve(cwd);
  for (;;) {
    const candidate = join(dir, CONFIG_FILE);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

export function readConfigFile(file: string): LoadedConfig {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (cause) {
    throw new MonwireError("E_CONFIG_NOT_FOUND", `cannot read ${file}`, {
      cause,
      hint: "Check the --config path, or run `mon init` to create mon.config.json.",
    });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw new MonwireError("E_CONFIG_PARSE", `${file} is not valid JSON: ${(cause as Error).message}`, {
      cause,
      hint: "Fix the JSON syntax (a trailing comma or a missing quote is the usual cause).",
    });
  }
  return { config: resolveConfig(parsed, file), path: file, root: dirname(file) };
}

/**
 * Loads the config for a command: an explicit `--config` path must exist; otherwise the file is
 * searched upward from cwd and, when `required` is false, defaults are used if none is found.
 */
export function loadConfig(options: { cwd: string; configPath?: string; required?: boolean }): LoadedConfig | undefined {
  if (options.configPath) return readConfigFile(resolve(options.cwd, options.configPath));
  const found = findConfigFile(options.cwd);
  if (found) return readConfigFile(found);
  if (options.required) {
    throw new MonwireError("E_CONFIG_NOT_FOUND", `no ${CONFIG_FILE} found in ${options.cwd} or any parent directory`, {
      hint: "Run `mon init` in your project, or pass --config PATH.",
    });
  }
  return undefined;
}
