import { existsSync, statSync } from "node:fs";
import { isAbsolute, join, relative } from "node:path";
import { todayUtc } from "../audit/files.js";
import { readAuditFile } from "../audit/reader.js";
import { COMPLIANCE_MIN_RETENTION_DAYS } from "../config/schema.js";
import { diskFindings, listAuditDir, namingFindings, permissionFindings, recencyFindings, type AuditListing } from "./audit-posture.js";
import { checkAuditChain } from "./audit-chain.js";
import type { CheckContext } from "./check-context.js";
import { checkRules } from "./check-rules.js";
import { skipped, statusOf, type CheckResult, type Finding } from "./findings.js";

/**
 * The audit half of `mon check`: the directory and its files as an auditor would inspect them,
 * the newest days' lines against the schema, the whole chain through monwire's verifier, the
 * configured retention against the compliance minimum and the disk against the growth rate, and
 * the route rules that write the business events (check-rules.ts).
 */
const IDS = {
  dir: ["audit.dir", "audit directory exists"],
  names: ["audit.names", "file names follow audit-YYYY-MM-DD.log"],
  recent: ["audit.recent", "trail is current"],
  schema: ["audit.schema", "recent lines are schema-valid"],
  chain: ["audit.chain", "hash chain verifies"],
  permissions: ["audit.permissions", "permissions and owner"],
  retention: ["audit.retention", "retention meets the compliance minimum"],
  disk: ["audit.disk", "disk holds the retention period"],
} as const;
type Key = keyof typeof IDS;

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** Days whose lines are schema-checked: the chain check covers everything else. */
export const SCHEMA_DAYS = 7;

const result = (key: Key, findings: Finding[], summary: string, hint?: string): CheckResult => {
  const [id, title] = IDS[key];
  const firstHint = hint ?? findings.find((f) => f.severity !== "info")?.hint;
  return { id, group: "audit", title, status: statusOf(findings), summary, ...(firstHint ? { hint: firstHint } : {}), findings };
};

function retentionCheck(ctx: CheckContext): CheckResult {
  const days = ctx.config.audit.retentionDays;
  if (days >= COMPLIANCE_MIN_RETENTION_DAYS) return result("retention", [], `audit.retentionDays is ${days} (minimum ${COMPLIANCE_MIN_RETENTION_DAYS})`);
  const message = `audit.retentionDays is ${days}, below the compliance minimum of ${COMPLIANCE_MIN_RETENTION_DAYS} days (7 years)`;
  const hint = `Set "audit": { "retentionDays": ${COMPLIANCE_MIN_RETENTION_DAYS} } in ${ctx.configFile ? relative(ctx.options.cwd, ctx.configFile) || "mon.config.json" : "mon.config.json"}.`;
  return result("retention", [{ rule: "monwire/audit-retention", severity: "error", file: ctx.configFile ?? "mon.config.json", message, hint }], message, hint);
}

async function schemaCheck(listing: AuditListing): Promise<CheckResult> {
  const recent = listing.dayFiles.slice(-SCHEMA_DAYS);
  const findings: Finding[] = [];
  let entries = 0;
  for (const file of recent) {
    for await (const record of readAuditFile(file.path)) {
      if (record.kind === "entry") entries++;
      else if (record.kind === "invalid" || record.kind === "corrupt" || record.kind === "unreadable") {
        findings.push({ rule: "monwire/audit-schema", severity: "error", file: file.name, line: record.line, message: record.message,
          hint: `Run \`mon verify\` for the full picture; lines are only ever written by the runtime.` });
      }
    }
  }
  const summary = findings.length === 0
    ? `${entries} entries in the newest ${recent.length} day file${recent.length === 1 ? "" : "s"}`
    : `${findings.length} invalid line${findings.length === 1 ? "" : "s"}; first: ${findings[0]?.file}:${findings[0]?.line}`;
  return result("schema", findings, summary);
}

export async function checkAudit(ctx: CheckContext): Promise<CheckResult[]> {
  // Rules drive metrics too, so they are checked even without the audit trail.
  const rules = checkRules(ctx);
  return [...(await checkTrail(ctx)), rules];
}

async function checkTrail(ctx: CheckContext): Promise<CheckResult[]> {
  const keys = Object.keys(IDS) as Key[];
  if (!ctx.config.audit.enabled) {
    return keys.map((k) => skipped(IDS[k][0], "audit", IDS[k][1], "audit.enabled is false in mon.config.json", "requested"));
  }
  const retention = retentionCheck(ctx);
  const dir = isAbsolute(ctx.config.audit.dir) ? ctx.config.audit.dir : join(ctx.root, ctx.config.audit.dir);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    const done: Partial<Record<Key, CheckResult>> = { retention };
    if (existsSync(dir)) {
      const message = `${dir} exists but is not a directory`;
      const hint = "Move the file aside, or set audit.dir in mon.config.json to the trail's directory.";
      done.dir = result("dir", [{ rule: "monwire/audit-dir", severity: "error", file: dir, message, hint }], message, hint);
    } else {
      // A fresh install: the runtime creates the directory at startup, so its absence before the
      // first start is expected; --strict still fails it, as for any check that could not run.
      done.dir = skipped(IDS.dir[0], "audit", IDS.dir[1], `${dir} does not exist yet: the runtime creates it when the app starts`, "unavailable",
        "Start the app, then run mon check again; if the app is running, set audit.dir in mon.config.json to the directory it writes to.");
    }
    return keys.map((k) => done[k] ?? skipped(IDS[k][0], "audit", IDS[k][1], "not run: no audit directory", "unavailable"));
  }
  const listing = await listAuditDir(dir);
  const today = todayUtc(ctx.options.now);
  const names = namingFindings(listing);
  const recent = recencyFindings(listing, today);
  const perms = permissionFindings(dir, listing, process.getuid?.());
  const disk = await diskFindings(dir, listing, today, ctx.config.audit.retentionDays);
  const newest = [...listing.dayFiles.map((f) => f.day), ...listing.anchorDays].sort().pop();
  return [
    result("dir", [], `${dir}: ${plural(listing.dayFiles.length, "day file")}, ${plural(listing.anchorDays.length, "anchor")}`),
    result("names", names, names.length === 0 ? "all audit files are named by their UTC day" : `${names.length} misnamed file${names.length === 1 ? "" : "s"}`),
    result("recent", recent, recent[0]?.message ?? (newest ? `newest day ${newest}` : "no day file yet: the trail starts with the app's first audit entry")),
    await schemaCheck(listing),
    await checkAuditChain(ctx, dir),
    result("permissions", perms, perms.find((f) => f.severity !== "info")?.message ?? `directory mode 0${listing.dirMode.toString(8)}, no day file world-accessible`),
    retention,
    result("disk", disk.findings, disk.findings[0]?.message ?? disk.summary),
  ];
}
