import { EXIT, MonwireError } from "../errors.js";
import type { AnswerFlags } from "./answers.js";
import type { DetectOverrides, ModuleSystem, PackageManager } from "./types.js";

/**
 * Turns `mon init` flag strings into typed answers and overrides. Every problem names its flag.
 * `given(name)` tells whether a boolean flag (--no-sentry, …) was passed, so defaults never
 * masquerade as answers.
 */
export interface RawInitFlags {
  entry?: string;
  pm?: string;
  module?: string;
  tenants?: string;
  tenantFrom?: string;
  currencies?: string;
  port?: string;
  metricsPath?: string;
  auditDir?: string;
  retentionDays?: string;
  sentry?: boolean;
  metrics?: boolean;
  audit?: boolean;
  userIp?: boolean;
  userAgent?: boolean;
  profiling?: boolean;
}

const BOOLEAN_FLAGS = ["sentry", "metrics", "audit", "userIp", "userAgent", "profiling"] as const;
type BooleanFlag = (typeof BOOLEAN_FLAGS)[number];

const usage = (flag: string, message: string, hint: string) => new MonwireError("E_USAGE", `${flag}: ${message}`, { exitCode: EXIT.usage, hint });

function integer(flag: string, value: string, min: number, max: number): number {
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) throw usage(flag, `expected an integer from ${min} to ${max}, got "${value}"`, `Pass e.g. ${flag} ${min === 1 && max === 65535 ? "5000" : "2555"}.`);
  return Number(value);
}

export function parseInitFlags(raw: RawInitFlags, given: (name: BooleanFlag) => boolean): { overrides: DetectOverrides; flags: AnswerFlags } {
  const overrides: DetectOverrides = {};
  if (raw.entry) overrides.entry = raw.entry;
  if (raw.pm) overrides.pm = raw.pm as PackageManager;
  if (raw.module) overrides.module = raw.module as ModuleSystem;
  const flags: AnswerFlags = {};
  if (raw.tenants !== undefined) {
    flags.tenants = raw.tenants.split(",").map((t) => t.trim()).filter(Boolean);
    const bad = flags.tenants.find((t) => !/^[\w-]+$/.test(t));
    if (bad) throw usage("--tenants", `"${bad}" is not a valid tenant id`, "Use letters, digits, - and _, comma-separated: --tenants EUR,KM");
  }
  if (raw.tenantFrom !== undefined) {
    if (!/^(header:[A-Za-z0-9-]+|param:\w+|query:\w+|subdomain)$/.test(raw.tenantFrom)) {
      throw usage("--tenant-from", `"${raw.tenantFrom}" is not a tenant source`, "Use header:NAME, param:NAME, query:NAME or subdomain, e.g. --tenant-from header:x-shop");
    }
    flags.tenantFrom = raw.tenantFrom;
  }
  if (raw.currencies !== undefined) {
    flags.currency = {};
    for (const pair of raw.currencies.split(",").map((p) => p.trim()).filter(Boolean)) {
      const match = /^([\w-]+)=([A-Z]{3})$/.exec(pair);
      if (!match) throw usage("--currencies", `"${pair}" is not TENANT=ISO4217`, "Example: --currencies EUR=EUR,KM=BAM");
      flags.currency[match[1]!] = match[2]!;
    }
  }
  if (raw.port !== undefined) flags.port = integer("--port", raw.port, 1, 65535);
  if (raw.retentionDays !== undefined) flags.retentionDays = integer("--retention-days", raw.retentionDays, 1, 100_000);
  if (raw.metricsPath !== undefined) {
    if (!/^\/[\w./-]*$/.test(raw.metricsPath)) throw usage("--metrics-path", `"${raw.metricsPath}" must start with /`, "Example: --metrics-path /metrics");
    flags.metricsPath = raw.metricsPath;
  }
  if (raw.auditDir !== undefined) {
    if (raw.auditDir.trim() === "" || raw.auditDir.includes("\n")) throw usage("--audit-dir", "expected a directory path", "Example: --audit-dir logs");
    flags.auditDir = raw.auditDir;
  }
  for (const name of BOOLEAN_FLAGS) if (given(name)) flags[name] = raw[name] === true || (raw[name] !== false && name !== "profiling");
  return { overrides, flags };
}
