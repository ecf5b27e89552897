import { resolve } from "node:path";
import { loadConfig } from "../config/load.js";
import { COMPLIANCE_MIN_RETENTION_DAYS, DEFAULT_SEAL_GRACE_SECONDS, defaultConfig } from "../config/schema.js";
import { keyFromEnv } from "./trail-key.js";

/** What the audit commands need from mon.config.json (or its defaults). */
export interface AuditSettings {
  /** Absolute audit directory: --dir (relative to cwd) or audit.dir (relative to the config file). */
  dir: string;
  keyEnv: string;
  /** The HMAC key read from \`keyEnv\`, or undefined when that variable is unset or empty. */
  key: string | undefined;
  retentionDays: number;
  /** tenants.values of the config (empty without one): human outputs mark other tenants as raw. */
  tenants: string[];
  /** audit.sealGraceSeconds: how long after UTC midnight a day may be sealed. */
  sealGraceSeconds: number;
  /** The config file read, if any. */
  configPath?: string;
}

/** Resolves the audit directory, the key variable and its key for the audit commands. */
export function resolveAuditSettings(options: { cwd: string; configPath?: string; dir?: string }): AuditSettings {
  const loaded = loadConfig({ cwd: options.cwd, configPath: options.configPath, required: false });
  const audit = loaded?.config.audit ?? defaultConfig().audit;
  const dir = options.dir !== undefined ? resolve(options.cwd, options.dir) : resolve(loaded?.root ?? options.cwd, audit.dir);
  return {
    dir, keyEnv: audit.keyEnv, key: keyFromEnv(audit.keyEnv), retentionDays: audit.retentionDays ?? COMPLIANCE_MIN_RETENTION_DAYS,
    sealGraceSeconds: audit.sealGraceSeconds ?? DEFAULT_SEAL_GRACE_SECONDS, tenants: [...(loaded?.config.tenants?.values ?? [])], configPath: loaded?.path,
  };
}
