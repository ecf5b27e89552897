import { lstat, statfs, stat } from "node:fs/promises";
import { join } from "node:path";
import { addDays } from "../audit/chain.js";
import { listAuditNames } from "../audit/files.js";
import { CHECKPOINT_FILE } from "../audit/checkpoint.js";
import type { Finding } from "./findings.js";

/**
 * What an auditor looks at before reading a single entry: file names, whether the trail is
 * current, who can read it, and whether the disk can hold it for the whole retention period.
 */
export interface AuditListing {
  dayFiles: Array<{ name: string; day: string; path: string; bytes: number; mode: number; uid: number }>;
  anchorDays: string[];
  strayNames: string[];
  dirMode: number;
  dirUid: number;
}

export async function listAuditDir(dir: string): Promise<AuditListing> {
  const dirStat = await stat(dir);
  const listing: AuditListing = { dayFiles: [], anchorDays: [], strayNames: [], dirMode: dirStat.mode & 0o777, dirUid: dirStat.uid };
  const names = await listAuditNames(dir);
  for (const { name, day, path } of names.dayFiles) {
    // lstat when stat fails (a symlink loop): the file is still listed, and reading it reports the problem.
    const info = await stat(path).catch(() => lstat(path));
    listing.dayFiles.push({ name, day, path, bytes: info.size, mode: info.mode & 0o777, uid: info.uid });
  }
  listing.anchorDays = names.anchorDays;
  listing.strayNames = names.others.filter((name) => /^audit[-_.]/i.test(name) && name !== CHECKPOINT_FILE);
  return listing;
}

const octal = (mode: number) => `0${mode.toString(8).padStart(3, "0")}`;

export function namingFindings(listing: AuditListing): Finding[] {
  return listing.strayNames.map((name) => ({
    rule: "monwire/audit-names", severity: "warning", file: name,
    message: `${name} does not follow audit-YYYY-MM-DD.log: mon verify, report and prune ignore it`,
    hint: "Rename it to audit-<UTC day>.log, or move it out of the audit directory.",
  }));
}

/** The newest day with entries or an anchor should be today or yesterday (UTC); none at all is a fresh trail. */
export function recencyFindings(listing: AuditListing, today: string): Finding[] {
  const days = [...listing.dayFiles.map((f) => f.day), ...listing.anchorDays].sort();
  const newest = days[days.length - 1];
  // An empty directory is a fresh install (the runtime created it at startup): nothing is late yet.
  if (!newest) return [];
  if (newest >= addDays(today, -1)) return [];
  const age = Math.round((Date.parse(`${today}T00:00:00Z`) - Date.parse(`${newest}T00:00:00Z`)) / 86_400_000);
  return [{ rule: "monwire/audit-recent", severity: "warning", message: `the newest day is ${newest} (${age} days ago): is the app writing to this directory?`,
    hint: "The runtime seals every day, even quiet ones; a gap means it was down or writes elsewhere (audit.dir)." }];
}

export function permissionFindings(dir: string, listing: AuditListing, uid: number | undefined): Finding[] {
  if (process.platform === "win32") return [];
  const findings: Finding[] = [];
  if (listing.dirMode & 0o007) {
    findings.push({ rule: "monwire/audit-permissions", severity: "error", file: dir, message: `the audit directory is accessible to every user (mode ${octal(listing.dirMode)})`,
      hint: `chmod o-rwx ${dir}` });
  }
  const open = listing.dayFiles.filter((f) => f.mode & 0o006);
  if (open.length > 0) {
    const sample = open[0] as AuditListing["dayFiles"][number];
    findings.push({ rule: "monwire/audit-permissions", severity: "error", file: join(dir, sample.name),
      message: `${open.length} audit file${open.length > 1 ? "s are" : " is"} world-${sample.mode & 0o002 ? "writable" : "readable"} (${sample.name}: mode ${octal(sample.mode)})`,
      hint: `chmod o-rw ${join(dir, "audit-*")}` });
  }
  const foreign = listing.dayFiles.filter((f) => f.uid !== listing.dirUid);
  if (foreign.length > 0) {
    findings.push({ rule: "monwire/audit-owner", severity: "warning", file: join(dir, (foreign[0] as { name: string }).name),
      message: `${foreign.length} file${foreign.length > 1 ? "s are" : " is"} owned by uid ${(foreign[0] as { uid: number }).uid}, the directory by uid ${listing.dirUid}: the app may be unable to append`,
      hint: `chown <app-user> ${join(dir, "audit-*")}` });
  }
  if (uid !== undefined && uid !== 0 && listing.dirUid !== uid) {
    findings.push({ rule: "monwire/audit-owner", severity: "info", file: dir, message: `the directory belongs to uid ${listing.dirUid}, mon check runs as uid ${uid}` });
  }
  return findings;
}

/** Bytes per day over the recent days (30 at most), counting quiet days inside that window. */
export function growthPerDay(listing: AuditListing, today: string, windowDays = 30): number {
  const since = addDays(today, -windowDays);
  const recent = listing.dayFiles.filter((f) => f.day > since);
  if (recent.length === 0) return 0;
  const first = recent.map((f) => f.day).sort()[0] as string;
  const span = Math.max(1, Math.round((Date.parse(`${today}T00:00:00Z`) - Date.parse(`${first}T00:00:00Z`)) / 86_400_000) + 1);
  return recent.reduce((sum, f) => sum + f.bytes, 0) / span;
}

const human = (bytes: number) => {
  const units = ["B", "kB", "MB", "GB", "TB", "PB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value < 10 && unit > 0 ? 1 : 0)} ${units[unit]}`;
};

export async function diskFindings(dir: string, listing: AuditListing, today: string, retentionDays: number): Promise<{ summary: string; findings: Finding[] }> {
  const fs = await statfs(dir);
  const free = Number(fs.bavail) * Number(fs.bsize);
  const rate = growthPerDay(listing, today);
  const stored = listing.dayFiles.reduce((sum, f) => sum + f.bytes, 0);
  const need = rate * retentionDays;
  const summary = `${human(free)} free, trail ${human(stored)}, growing ${human(rate)}/day → ${human(need)} for ${retentionDays} days`;
  if (rate === 0) return { summary: `${human(free)} free, no recent growth to project`, findings: [] };
  if (free < rate * 30) {
    return { summary, findings: [{ rule: "monwire/audit-disk", severity: "error", file: dir, message: `only ${human(free)} free: about ${Math.floor(free / rate)} days of audit growth left`,
      hint: "Free or grow the disk now; when the disk is full every audited action fails." }] };
  }
  if (free + stored < need) {
    return { summary, findings: [{ rule: "monwire/audit-disk", severity: "warning", file: dir, message: `${retentionDays} days at ${human(rate)}/day need ${human(need)}; the disk has ${human(free)} free`,
      hint: "Plan storage for the retention period: archive closed days (gzip keeps them verifiable) or ship them to long-term storage." }] };
  }
  return { summary, findings: [] };
}
