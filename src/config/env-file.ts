import { readFileSync } from "node:fs";
import { join } from "node:path";

/**
 * The host project's `.env`, read the way dotenv reads it: `KEY=value`, optional `export `, `#`
 * comments, matching single or double quotes removed. One parser for both sides: the runtime
 * loads the file with it before Sentry starts, and `mon check` reads secrets (the DSN, the metrics
 * token) with it, so check reports exactly what the app will see. Values are returned, never printed.
 */
export interface SettingSource {
  value: string;
  /** Where the value came from, for messages: `env` or the `.env` path. */
  from: string;
}

export function parseEnvFile(text: string): Map<string, string> {
  const values = new Map<string, string>();
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!match) continue;
    let value = (match[2] as string).trim();
    const quote = value[0];
    if ((quote === '"' || quote === "'") && value.length >= 2 && value.endsWith(quote)) value = value.slice(1, -1);
    else value = value.replace(/\s+#.*$/, "");
    values.set(match[1] as string, value);
  }
  return values;
}

/** The variable from the environment first (what the running app sees), else from `<root>/.env`. */
export function readSetting(name: string, env: NodeJS.ProcessEnv, root: string): SettingSource | undefined {
  const fromEnv = env[name];
  if (fromEnv !== undefined && fromEnv !== "") return { value: fromEnv, from: "env" };
  const file = join(root, ".env");
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
  const value = parseEnvFile(text).get(name);
  return value === undefined || value === "" ? undefined : { value, from: file };
}

/**
 * Copies the variables of `file` into `env` where `env` does not already hold them: the real
 * environment always wins, as with dotenv and `node --env-file`. Returns the names it set (never
 * the values), or undefined when there is no such file. Unreadable lines are skipped, not fatal.
 */
export function loadEnvFileInto(file: string, env: Record<string, string | undefined>): string[] | undefined {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
  const loaded: string[] = [];
  for (const [name, value] of parseEnvFile(text)) {
    if (env[name] !== undefined) continue;
    env[name] = value;
    loaded.push(name);
  }
  return loaded;
}
