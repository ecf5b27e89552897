import { appendFile, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AuditEntry } from "../../src/audit/entry.js";
import { makeTempDir, runMon } from "../helpers/cli.js";
import { generateShopTrail, type GeneratedTrail, type Label } from "../helpers/report-trail.js";

/**
 * Acceptance: on generated trails (two tenants, several writers with restarts, three days, one
 * day gzipped, a torn final line), every number `mon report --format json` prints equals what
 * this file computes from the generated events with plain loops over their labels, a different
 * path from the report's action rules, parallel chunks and merges.
 */
const CATEGORIES = ["user_management", "financial", "license", "security", "admin", "authentication"];
const HOUR = 3_600_000;

function decimal(minor: number): string {
  return `${minor < 0 ? "-" : ""}${Math.floor(Math.abs(minor) / 100)}.${String(Math.abs(minor) % 100).padStart(2, "0")}`;
}

function tally<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return groups;
}

const counts = (items: AuditEntry[]) => {
  const c = { success: 0, failure: 0, unknown: 0, total: items.length };
  for (const e of items) c[e.outcome] += 1;
  return c;
};

function topN(values: string[]): Array<[string, number]> {
  const map = new Map<string, number>();
  for (const v of values) map.set(v, (map.get(v) ?? 0) + 1);
  return [...map].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 10);
}

/** What the report's `summary` must be, computed from the labels. */
function expectedSummary(all: GeneratedTrail[], window: { start: number; end: number; offsetMinutes: number }, tenants?: string[]) {
  const labelOf = (e: AuditEntry): Label | undefined => all.map((g) => g.labels.get(e)).find(Boolean);
  const entries = all.flatMap((g) => g.trail.entries)
    .filter((e) => Date.parse(e.ts) >= window.start && Date.parse(e.ts) < window.end && (!tenants || tenants.includes(e.tenant)))
    .sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0));
  const labelled = (kind: Label["kind"]) => entries.filter((e) => labelOf(e)?.kind === kind);
  const financial = [...tally(labelled("wallet"), (e) => `${e.tenant}|${e.amount?.currency}`)].sort().map(([key, list]) => {
    const [tenant, currency] = key.split("|");
    const row: Record<string, unknown> = { tenant, currency };
    const types = new Set(["deposit", "purchase", "refund", ...list.map((e) => (labelOf(e) as { type: string }).type)]);
    for (const type of types) {
      const ofType = list.filter((e) => (labelOf(e) as { type: string }).type === type);
      const ok = ofType.filter((e) => e.outcome === "success");
      const sum = ok.reduce((n, e) => n + (e.amount?.minor ?? 0), 0);
      row[type] = { count: ok.length, amountMinor: sum, amount: decimal(sum), failures: ofType.filter((e) => e.outcome === "failure").length, unknown: ofType.filter((e) => e.outcome === "unknown").length };
    }
    return row;
  });
  const licenseEntries = [...labelled("keys"), ...labelled("revoke")];
  const license = [...tally(licenseEntries, (e) => `${e.tenant}\u0000${(labelOf(e) as { product: string }).product}`)].sort().map(([key, list]) => {
    const [tenant, product] = key.split("\u0000");
    const generated = list.filter((e) => labelOf(e)?.kind === "keys" && e.outcome === "success");
    return {
      tenant, product,
      keys: generated.reduce((n, e) => n + (labelOf(e) as { count: number }).count, 0),
      events: generated.length,
      revoked: list.filter((e) => labelOf(e)?.kind === "revoke" && e.outcome === "success").length,
      failures: list.filter((e) => e.outcome === "failure").length,
    };
  });
  const logins = labelled("login");
  const failed = labelled("login_failed");
  const listed = (e: AuditEntry) => ({
    ts: e.ts, tenant: e.tenant, action: e.action, outcome: e.outcome, actor: e.actor.role ? `${e.actor.id} (${e.actor.role})` : e.actor.id,
    ...(e.ip ? { ip: e.ip } : {}), ...(e.target ? { target: `${e.target.type}:${e.target.id}` } : {}), ...(e.reason ? { reason: e.reason } : {}),
  });
  const security = entries.filter((e) => e.category === "security");
  const admin = entries.filter((e) => e.category === "admin");
  const hours = Math.round((window.end - window.start) / HOUR);
  return {
    events: { total: entries.length, first: entries[0]?.ts ?? null, last: entries[entries.length - 1]?.ts ?? null },
    byCategory: CATEGORIES.map((category) => ({ category, ...counts(entries.filter((e) => e.category === category)) })),
    byTenant: [...tally(entries, (e) => e.tenant)].sort().map(([tenant, list]) => ({ tenant, ...counts(list) })),
    byAction: [...tally(entries, (e) => `${e.category}\u0000${e.action}`)].sort().map(([key, list]) => ({ category: key.split("\u0000")[0], action: key.split("\u0000")[1], ...counts(list) })),
    financial,
    license,
    authentication: {
      successes: logins.length, failures: failed.length, unknown: 0,
      failureRate: logins.length + failed.length === 0 ? null : Math.round((failed.length / (logins.length + failed.length)) * 10_000) / 10_000,
      lockouts: labelled("lockout").length, logouts: labelled("logout").length,
      topFailingIps: topN(failed.map((e) => e.ip as string)).map(([ip, count]) => ({ ip, count })),
      topFailingAccounts: topN(failed.map((e) => (labelOf(e) as { account: string }).account)).map(([account, count]) => ({ account, count })),
    },
    userManagement: {
      branchesCreated: labelled("branch").filter((e) => e.outcome === "success").length,
      branchFailures: labelled("branch").filter((e) => e.outcome === "failure").length,
      roleChanges: labelled("role").filter((e) => e.outcome === "success").length,
      roleChangeFailures: labelled("role").filter((e) => e.outcome === "failure").length,
    },
    security: { count: security.length, events: security.slice(0, 500).map(listed), omitted: Math.max(0, security.length - 500) },
    admin: { count: admin.length, events: admin.slice(0, 500).map(listed), omitted: Math.max(0, admin.length - 500) },
    hourly: Array.from({ length: hours }, (_, h) => {
      const start = window.start + h * HOUR;
      const local = new Date(start + window.offsetMinutes * 60_000).toISOString();
      const inHour = entries.filter((e) => Math.floor((Date.parse(e.ts) - window.start) / HOUR) === h);
      const byCategory = Object.fromEntries(CATEGORIES.map((c) => [c, inHour.filter((e) => e.category === c).length]));
      return { start: new Date(start).toISOString(), local: `${local.slice(0, 10)} ${local.slice(11, 16)}`, count: inHour.length, byCategory };
    }),
  };
}

let dir: string;
let second: string;
let cleanup: Array<() => Promise<void>> = [];
let main: GeneratedTrail;
let other: GeneratedTrail;
let tornLine: number;

beforeAll(async () => {
  const temp = await makeTempDir("monwire-report-");
  cleanup.push(temp.cleanup);
  dir = join(temp.dir, "host-a");
  second = join(temp.dir, "host-b");
  // 2025-01-03 00:00 → 2025-01-05 ~23:00 UTC, one entry every 90 s, writers restarting.
  main = generateShopTrail({ seed: 7, start: "2025-01-03T00:00:30.000Z", entries: 2800, stepMs: 90_000, writers: 3, restartEvery: 700 });
  other = generateShopTrail({ seed: 11, start: "2025-01-04T00:10:00.000Z", entries: 900, stepMs: 95_000, writers: 2 });
  await main.trail.write(dir);
  await other.trail.write(second);
  const gz = join(dir, "audit-2025-01-03.log");
  await writeFile(`${gz}.gz`, gzipSync(await readFile(gz)));
  await rm(gz);
  const last = join(dir, "audit-2025-01-05.log");
  tornLine = (await readFile(last, "utf8")).split("\n").length;
  await appendFile(last, '{"action":"wallet.deposit","actor":{"id":"u-1"');
});

afterAll(async () => {
  for (const c of cleanup) await c();
  cleanup = [];
});

async function reportJson(args: string[]) {
  const result = await runMon(["report", "--format", "json", ...args]);
  return { result, report: JSON.parse(String(result.stdout)) };
}

describe("mon report numbers", () => {
  it("matches an independent computation over three days, a .gz day and a torn final line", async () => {
    const { result, report } = await reportJson(["--dir", dir, "--from", "2025-01-03", "--to", "2025-01-05"]);
    expect(result.exitCode).toBe(0);
    const window = { start: Date.parse("2025-01-03T00:00:00Z"), end: Date.parse("2025-01-06T00:00:00Z"), offsetMinutes: 0 };
    expect(report.summary).toEqual(expectedSummary([main], window));
    const lines = main.trail.linesByDay();
    expect(report.files.map((f: { name: string; lines: number; entries: number }) => [f.name, f.lines, f.entries])).toEqual([
      ["audit-2025-01-03.log.gz", lines.get("2025-01-03")?.length, lines.get("2025-01-03")?.length],
      ["audit-2025-01-04.log", lines.get("2025-01-04")?.length, lines.get("2025-01-04")?.length],
      ["audit-2025-01-05.log", (lines.get("2025-01-05")?.length ?? 0) + 1, lines.get("2025-01-05")?.length],
    ]);
    expect(report.problems.items).toEqual([expect.objectContaining({ kind: "torn", line: tornLine, file: join(dir, "audit-2025-01-05.log") })]);
    expect(report.integrity.status).toBe("torn");
    expect(report.missing).toEqual([]);
  });

  it("cuts a day in another zone out of the neighbouring UTC files, for one tenant", async () => {
    const { result, report } = await reportJson(["--dir", dir, "--day", "2025-01-04", "--tz", "America/New_York", "--tenant", "KM"]);
    expect(result.exitCode).toBe(0);
    expect(report.range.utcDays).toEqual(["2025-01-04", "2025-01-05"]);
    const window = { start: Date.parse("2025-01-04T05:00:00Z"), end: Date.parse("2025-01-05T05:00:00Z"), offsetMinutes: -300 };
    expect(report.summary).toEqual(expectedSummary([main], window, ["KM"]));
    expect(report.summary.byTenant.map((t: { tenant: string }) => t.tenant)).toEqual(["KM"]);
  });

  it("merges the trails of several hosts", async () => {
    const { result, report } = await reportJson(["--dir", dir, "--dir", second, "--day", "2025-01-04"]);
    expect(result.exitCode).toBe(0);
    const window = { start: Date.parse("2025-01-04T00:00:00Z"), end: Date.parse("2025-01-05T00:00:00Z"), offsetMinutes: 0 };
    expect(report.summary).toEqual(expectedSummary([main, other], window));
    expect(report.integrity.dirs.map((d: { status: string }) => d.status)).toEqual(["intact", "intact"]);
  });

  it("a directory of host directories merges the same as one --dir per host", async () => {
    const { result, report } = await reportJson(["--dir", join(dir, ".."), "--day", "2025-01-04"]);
    expect(result.exitCode, String(result.stderr)).toBe(0);
    const window = { start: Date.parse("2025-01-04T00:00:00Z"), end: Date.parse("2025-01-05T00:00:00Z"), offsetMinutes: 0 };
    expect(report.summary).toEqual(expectedSummary([main, other], window));
    expect(report.integrity.dirs.map((d: { status: string }) => d.status)).toEqual(["intact", "intact"]);
  });
});
