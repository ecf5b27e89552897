import { readdir, stat } from "node:fs/promises";
import { basename, join } from "node:path";
import { listAuditNames } from "./files.js";
import { verifyAuditDir, type VerifyOptions } from "./verify.js";
import type { VerifyReport } from "./verify-types.js";

/**
 * Several hosts' trails: each host's directory is verified on its own by the same core (chains
 * are per writer, and every writer lives on one host), then the verdicts are reported per host.
 */
export interface HostTrail {
  host: string;
  dir: string;
}

export interface HostsVerifyReport {
  status: VerifyReport["status"];
  hosts: Array<HostTrail & { report: VerifyReport }>;
}

/** Whether `dir` holds day files or anchors, by the one listing every reader uses. */
async function holdsTrail(dir: string): Promise<boolean> {
  try {
    const names = await listAuditNames(dir);
    return names.dayFiles.length > 0 || names.anchorDays.length > 0;
  } catch {
    return false;
  }
}

/** The subdirectories of `dir` (links to directories included), sorted; none when it cannot be read. */
async function subdirectories(dir: string): Promise<string[]> {
  try {
    const names = (await readdir(dir)).sort();
    const isDir = await Promise.all(names.map((name) => stat(join(dir, name)).then((s) => s.isDirectory(), () => false)));
    return names.filter((_, i) => isDir[i]);
  } catch {
    // Unreadable or missing: verified as given, so the core reports it with its usual error.
    return [];
  }
}

/**
 * The hosts behind the given directories: a directory holding audit files is one host (named by
 * the directory); one holding none is a directory of hosts, each subdirectory with audit files
 * being a host. Names that collide get their parent directory prepended.
 */
export async function resolveHostDirs(dirs: readonly string[]): Promise<{ hosts: HostTrail[]; parentOfHosts: boolean }> {
  const hosts: HostTrail[] = [];
  let parentOfHosts = false;
  for (const dir of dirs) {
    if (await holdsTrail(dir)) {
      hosts.push({ host: basename(dir), dir });
      continue;
    }
    const subdirs: string[] = [];
    for (const name of await subdirectories(dir)) if (await holdsTrail(join(dir, name))) subdirs.push(name);
    if (subdirs.length === 0) hosts.push({ host: basename(dir), dir });
    else {
      parentOfHosts = true;
      for (const name of subdirs) hosts.push({ host: name, dir: join(dir, name) });
    }
  }
  const counts = new Map<string, number>();
  for (const h of hosts) counts.set(h.host, (counts.get(h.host) ?? 0) + 1);
  return { hosts: hosts.map((h) => (counts.get(h.host)! > 1 ? { ...h, host: `${basename(join(h.dir, ".."))}/${h.host}` } : h)), parentOfHosts };
}

export async function verifyHosts(hosts: readonly HostTrail[], options: Omit<VerifyOptions, "dir">): Promise<HostsVerifyReport> {
  const results: HostsVerifyReport["hosts"] = [];
  for (const host of hosts) results.push({ ...host, report: await verifyAuditDir({ ...options, dir: host.dir }) });
  const status = results.some((r) => r.report.status === "tampered") ? "tampered" : results.every((r) => r.report.status === "empty") ? "empty" : "intact";
  return { status, hosts: results };
}
