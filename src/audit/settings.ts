import { resolve } from "node:path";
import { loadConfig } from "../config/load.js";
import { COMPLIANCE_MIN_RETENTION_DAYS, defaultConfig } from "../config/schema.js";

/** What the audit commands need from mon.config.json (or its defaults). */
export interface AuditSettings {
  /** Absolute audit directory: --dir (relative to cwd) or audit.dir (relative to the config file). */
  dir: string;
  keyEnv: string;
  retentionDays: number;
  /** The config file read, if any. */
  configPath?: string;
}

/** Resolves the audit directory and key variable for `verify`, `seal` and `prune`. */
export function resolveAuditSettings(options: { cwd: string; configPath?: string; dir?: string }): AuditSettings {
  const loaded = loadConfig({ cwd: options.cwd, configPath: options.configPath, required: false });
  const audit = loaded?.config.audit ?? defaultConfig().audit;
  const dir = options.dir !== undefined ? resolve(options.cwd, options.dir) : resolve(loaded?.root ?? options.cwd, audit.dir);
  return { dir, keyEnv: audit.keyEnv, retentionDays: audit.retentionDays ?? COMPLIANCE_MIN_RETENTION_DAYS, configPath: loaded?.path };
}
