import { readFileSync, existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { MonwireError, type ConfigIssue } from "../errors.js";
import type { MonwireConfig } from "./schema.js";
import { checkConfig, configError } from "./validate.js";

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

/** A config file as read: the config (undefined when unusable), its errors and its warnings. */
export interface ConfigFileResult {
  path: string;
  root: string;
  config: MonwireConfig | undefined;
  errors: ConfigIssue[];
  warnings: ConfigIssue[];
}

/**
 * Reads and checks a config file without throwing for what is in it: invalid JSON and invalid
 * fields come back as errors. Only a file that cannot be read at all throws (E_CONFIG_NOT_FOUND).
 */
export function inspectConfigFile(file: string): ConfigFileResult {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (cause) {
    throw new MonwireError("E_CONFIG_NOT_FOUND", `cannot read ${file}`, {
      cause,
      hint: "Check the --config path, or run `mon init` to create mon.config.json.",
    });
  }
  const place = { path: file, root: dirname(file) };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    return { ...place, config: undefined, warnings: [], errors: [{ path: "(root)", message: `not valid JSON: ${(cause as Error).message}` }] };
  }
  return { ...place, ...checkConfig(parsed) };
}

/** Reads a config file; throws a MonwireError (exit 2) listing every error when it is unusable. */
export function readConfigFile(file: string): LoadedConfig {
  const result = inspectConfigFile(file);
  if (result.config) return { config: result.config, path: result.path, root: result.root };
  const syntax = result.errors.find((e) => e.path === "(root)" && e.message.startsWith("not valid JSON"));
  if (syntax) {
    throw new MonwireError("E_CONFIG_PARSE", `${file} is not valid JSON: ${syntax.message.slice("not valid JSON: ".length)}`, {
      hint: "Fix the JSON syntax (a trailing comma or a missing quote is the usual cause).",
    });
  }
  throw configError(result.errors, file);
}

/** The config file a command would use: `--config` (resolved against cwd), else the nearest one upward. */
export function locateConfigFile(options: { cwd: string; configPath?: string }): string | undefined {
  return options.configPath ? resolve(options.cwd, options.configPath) : findConfigFile(options.cwd);
}

/**
 * Loads the config for a command: an explicit `--config` path must exist; otherwise the file is
 * searched upward from cwd and, when `required` is false, defaults are used if none is found.
 */
export function loadConfig(options: { cwd: string; configPath?: string; required?: boolean }): LoadedConfig | undefined {
  const found = locateConfigFile(options);
  if (found) return readConfigFile(found);
  if (options.required) {
    throw new MonwireError("E_CONFIG_NOT_FOUND", `no ${CONFIG_FILE} found in ${options.cwd} or any parent directory`, {
      hint: "Run `mon init` in your project, or pass --config PATH.",
    });
  }
  return undefined;
}
