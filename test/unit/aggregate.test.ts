import { appendFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LIST_LIMIT, addEntry, createAggregate, createAggregateMemo } from "../../src/audit/aggregate.js";
import { mergeAggregates } from "../../src/audit/aggregate-merge.js";
import { accountOf, authKindOf, keyCountOf, licenseKindOf, productOf, userManagementKindOf, walletTypeOf } from "../../src/audit/aggregate-rules.js";
import type { AuditEntry } from "../../src/audit/entry.js";
import { LineAggregator, type AggregateResult } from "../../src/audit/scan-aggregate.js";
import { scanPiece, type ScanTask } from "../../src/audit/scan.js";
import { summarizeAggregate } from "../../src/audit/report-summary.js";
import { splitAtLines } from "../../src/audit/scan-ranges.js";
import { makeTempDir } from "../helpers/cli.js";
import { generateShopTrail } from "../helpers/report-trail.js";
import { canonicalize } from "../../src/audit/canonical.js";
import { TestTrail } from "../helpers/audit-trail.js";

const entry = (fields: Partial<AuditEntry>): AuditEntry => ({
  v: 1, ts: "2025-01-04T10:00:00.000Z", category: "financial", action: "wallet.deposit", outcome: "success", tenant: "EUR",
  actor: { id: "u-1", type: "user" }, writer: "w", seq: 1, prev: "0".repeat(64), hash: "1".repeat(64), ...fields,
});

describe("report rules read meaning out of actions", () => {
  it.each([
    ["wallet.deposit", undefined, "deposit"],
    ["shop.wallet.refund", undefined, "refund"],
    ["payment.captured", "purchase", "purchase"],
    ["wallet.bonus", undefined, "other"],
  ])("%s (data.type %s) is a %s", (action, type, expected) => {
    expect(walletTypeOf(entry({ action, data: type ? { type } : undefined }))).toBe(expected);
  });

  it.each([
    ["login.succeeded", "attempt"], ["login.failed", "attempt"], ["account.locked", "lockout"], ["auth.lockout", "lockout"],
    ["session.logout", "logout"], ["session.end", "logout"], ["session.ended", "logout"], ["session.started", "session"],
  ])("authentication %s is a %s", (action, kind) => {
    expect(authKindOf(action)).toBe(kind);
  });

  it("finds the account a failed login was for", () => {
    expect(accountOf(entry({ data: { username: "eve" }, actor: { id: "anonymous", type: "anonymous" } }))).toBe("eve");
    expect(accountOf(entry({ target: { type: "user", id: "u-9" }, data: { username: "eve" } }))).toBe("u-9");
    expect(accountOf(entry({ actor: { id: "anonymous", type: "anonymous" } }))).toBeUndefined();
    expect(accountOf(entry({ actor: { id: "u-3", type: "user" } }))).toBe("u-3");
  });

  it.each([
    ["license_key.generated", "generated"], ["license.issued", "generated"], ["license_key.revoked", "revoked"], ["license_key.viewed", "other"],
  ])("license %s is %s", (action, kind) => {
    expect(licenseKindOf(action)).toBe(kind);
  });

  it("counts keys and names products as the writer records them", () => {
    expect(keyCountOf(entry({ data: { count: 5, keys: ["a"] } }))).toBe(5);
    expect(keyCountOf(entry({ data: { keys: ["a", "b", "c"] } }))).toBe(3);
    expect(keyCountOf(entry({}))).toBe(1);
    expect(productOf(entry({ data: { product: "pro" } }))).toBe("pro");
    expect(productOf(entry({ target: { type: "product", id: "basic" } }))).toBe("basic");
    expect(productOf(entry({}))).toBe("unknown");
  });

  it.each([
    ["branch.created", "branch_created"], ["user.role_changed", "role_changed"], ["role.granted", "role_changed"], ["user.created", "other"],
  ])("user management %s is %s", (action, kind) => {
    expect(userManagementKindOf(action)).toBe(kind);
  });
});

describe("aggregates merge like one pass", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let path: string;
  let firstLines = 0;
  let moreLines = 0;
  beforeAll(async () => {
    ({ dir, cleanup } = await makeTempDir("monwire-agg-"));
    const { trail } = generateShopTrail({ seed: 3, start: "2025-01-04T00:00:10.000Z", entries: 3000, stepMs: 25_000, writers: 2 });
    await trail.write(dir);
    firstLines = trail.entries.length;
    path = join(dir, "audit-2025-01-04.log");
    // A corrupt line in the middle and a torn final line, so line numbers across pieces are checked too.
    await appendFile(path, "{broken line}\n");
    const more = generateShopTrail({ seed: 4, start: "2025-01-04T21:00:00.000Z", entries: 200, stepMs: 1000, writers: 1 });
    moreLines = more.trail.entries.length;
    await appendFile(path, more.trail.entries.map((e) => `${JSON.stringify(e)}\n`).join(""));
    await appendFile(path, '{"action":"wallet.dep');
  });
  afterAll(() => cleanup());

  const base = (start = 0, end?: number, fileStart = true, fileEnd = true): ScanTask => ({
    path, day: "2025-01-04", start, end, fileStart, fileEnd,
    aggregate: { timeZone: "Europe/Sarajevo", filters: { since: new Date("2025-01-04T00:00:00Z"), until: new Date("2025-01-05T00:00:00Z") } },
  });
  /** The report's side of a scan (the aggregate), as the engine returns it. */
  const scanTask = async (task: ScanTask): Promise<AggregateResult> => (await scanPiece(task)).aggregate as AggregateResult;

  it("gives the same report whether the file is read whole or in pieces", async () => {
    const whole = await scanTask(base());
    const size = (await import("node:fs/promises")).stat(path).then((s) => s.size);
    const ranges = await splitAtLines(path, await size, 64 * 1024);
    expect(ranges.length).toBeGreaterThan(10);
    const pieces: AggregateResult[] = [];
    for (const [start, end] of ranges) pieces.push(await scanTask(base(start, end, start === 0, end === (await size))));
    // Merge in a scrambled order: the result must not depend on it.
    const merged = createAggregate();
    for (const i of [...pieces.keys()].sort((a, b) => ((a * 7) % 5) - ((b * 7) % 5) || a - b)) mergeAggregates(merged, (pieces[i] as AggregateResult).aggregate);
    const range = { start: Date.parse("2025-01-03T23:00:00Z"), end: Date.parse("2025-01-04T23:00:00Z"), timeZone: "Europe/Sarajevo" };
    expect(summarizeAggregate(merged, range)).toEqual(summarizeAggregate(whole.aggregate, range));
    expect(pieces.reduce((n, p) => n + p.lines, 0)).toBe(whole.lines);
    let before = 0;
    const lines = pieces.flatMap((p) => {
      const found = p.problems.map((problem) => ({ kind: problem.kind, line: before + problem.line }));
      before += p.lines;
      return found;
    });
    expect(lines).toEqual(whole.problems.map((p) => ({ kind: p.kind, line: p.line })));
    expect(whole.problems.map((p) => [p.kind, p.line])).toEqual([["corrupt", firstLines + 1], ["torn", firstLines + moreLines + 2]]);
  });

  it("keeps exactly the earliest listed events however chunks are merged", () => {
    const chunks = [createAggregate(), createAggregate(), createAggregate()];
    const times = Array.from({ length: LIST_LIMIT * 3 }, (_, i) => i);
    // Deterministic shuffle across three chunks.
    times.forEach((t, i) => {
      const ts = new Date(Date.parse("2025-01-04T00:00:00Z") + ((t * 7919) % times.length) * 1000).toISOString();
      addEntry(chunks[i % 3] as ReturnType<typeof createAggregate>, entry({ category: "security", action: "rate_limit.exceeded", ts }), 0);
    });
    const merged = chunks.reduce((into, from) => mergeAggregates(into, from), createAggregate());
    const summary = summarizeAggregate(merged, { start: Date.parse("2025-01-04T00:00:00Z"), end: Date.parse("2025-01-05T00:00:00Z"), timeZone: "UTC" });
    expect(summary.security.count).toBe(LIST_LIMIT * 3);
    expect(summary.security.omitted).toBe(LIST_LIMIT * 2);
    expect(summary.security.events.map((e) => e.ts)).toEqual(Array.from({ length: LIST_LIMIT }, (_, i) => new Date(Date.parse("2025-01-04T00:00:00Z") + i * 1000).toISOString()));
  });

  it("fills every local hour of the range, 23 on a spring-forward day", () => {
    const agg = createAggregate();
    const summary = summarizeAggregate(agg, { start: Date.parse("2025-03-29T23:00:00Z"), end: Date.parse("2025-03-30T22:00:00Z"), timeZone: "Europe/Sarajevo" });
    expect(summary.hourly).toHaveLength(23);
    expect(summary.hourly[1]?.local).toBe("2025-03-30 01:00");
    expect(summary.hourly[2]?.local).toBe("2025-03-30 03:00");
  });

  it("writes a corrupt file's problems but never throws", async () => {
    const temp = join(dir, "audit-2025-01-09.log");
    await writeFile(temp, "\u0000\u0001garbage\n\n[1,2]\n");
    const result = await scanTask({ ...base(), path: temp });
    expect(result.problems.map((p) => [p.kind, p.line])).toEqual([["corrupt", 1], ["invalid", 3]]);
    expect(result.aggregate.total).toBe(0);
  });
});

// With its verdict, the report counts a line through the one match the chain checker also uses,
// whose hash and prev only the checker proves. A line the checker could not prove must count
// exactly as the report alone counts it: here as an invalid entry, not an entry.
describe("a report that verifies counts lines as one that does not", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => ({ dir, cleanup } = await makeTempDir("monwire-agg-verify-")));
  afterAll(() => cleanup());

  const bad = {
    "an upper-case prev": (line: string, e: AuditEntry) => line.replace(`"prev":"${e.prev}"`, `"prev":"${e.prev.toUpperCase()}"`),
    "an upper-case hash": (line: string, e: AuditEntry) => line.replace(`"hash":"${e.hash}"`, `"hash":"${e.hash.toUpperCase()}"`),
    "a prev of 63 digits": (line: string, e: AuditEntry) => line.replace(`"prev":"${e.prev}"`, `"prev":"${e.prev.slice(1)}"`),
  };

  it.each(Object.keys(bad))("%s: invalid in both, and the verdict says tampered", async (name) => {
    const { trail } = generateShopTrail({ seed: 5, start: "2025-01-04T08:00:00.000Z", entries: 300, stepMs: 1000, writers: 2 });
    const [path] = await trail.write(join(dir, name.replace(/\W+/g, "-")));
    const lines = (await import("node:fs/promises")).readFile(path as string, "utf8").then((t) => t.split("\n"));
    const all = await lines;
    const at = 150;
    all[at] = bad[name as keyof typeof bad](all[at] as string, JSON.parse(all[at] as string) as AuditEntry);
    await writeFile(path as string, all.join("\n"));
    const task: ScanTask = { path: path as string, day: "2025-01-04", start: 0, end: undefined, fileStart: true, fileEnd: true, aggregate: { timeZone: "UTC", filters: {} } };
    const alone = await scanPiece(task);
    const both = await scanPiece({ ...task, verify: { key: undefined, hashFile: false } });
    expect(both.aggregate).toEqual(alone.aggregate);
    expect(alone.aggregate?.problems.map((p) => [p.kind, p.line])).toEqual([["invalid", at + 1]]);
    expect(alone.aggregate?.entries).toBe(all.filter((l) => l !== "").length - 1);
    expect(both.verify?.issues.some((i) => i.line === at + 1 && i.severity === "tamper")).toBe(true);
  });
});

// LineAggregator keeps one memo of rows per aggregate; rows must land where fresh look-ups put
// them, whatever order hours, categories and actions come in.
describe("addEntry with a kept memo", () => {
  it("counts exactly as with a fresh look-up per entry, over hours out of order", () => {
    const kinds: Partial<AuditEntry>[] = [
      { category: "financial", action: "wallet.deposit", amount: { minor: 5, currency: "BAM" } },
      { category: "financial", action: "wallet.refund", outcome: "failure", tenant: "KM" },
      { category: "authentication", action: "login.failed", outcome: "failure", ip: "10.0.0.1" },
      { category: "authentication", action: "login.failed", outcome: "unknown" },
      { category: "license", action: "license_key.generated", data: { product: "pro", count: 2 } },
      { category: "admin", action: "config.changed" },
    ];
    const hours = [3, 3, 1, 7, 1, 3, 0, 23, 7];
    const kept = createAggregate();
    const memo = createAggregateMemo();
    const fresh = createAggregate();
    for (let i = 0; i < 200; i++) {
      const hour = hours[i % hours.length] as number;
      const e = entry({ ...kinds[(i * 5) % kinds.length], ts: `2025-01-04T${String(hour).padStart(2, "0")}:00:0${i % 10}.000Z`, seq: i + 1 });
      const start = Date.parse(e.ts) - (Date.parse(e.ts) % 3_600_000);
      addEntry(kept, e, start, memo);
      addEntry(fresh, e, start);
    }
    expect(kept).toEqual(fresh);
    expect(kept.hourlyByCategory.get(`${Date.parse("2025-01-04T03:00:00Z")}\u0000financial`)).toBeGreaterThan(0);
    expect([...kept.byAction.values()].reduce((n, c) => n + c.success + c.failure + c.unknown, 0)).toBe(200);
  });
});

// A plain line's amount is read by position, not parsed: it must give what JSON.parse gives,
// which the same entry written with a space (so the pattern declines it) goes through.
describe("amounts read from a plain line", () => {
  it("sum and count as the parsed entry does", () => {
    const trail = new TestTrail({ start: "2025-01-04T09:00:00.000Z" });
    const writer = trail.writer();
    const amounts = [0, 1, -250, 1500, 999_999_999_999_999, -999_999_999_999_999, 42];
    const lines = amounts.map((minor, i) => canonicalize(writer.record({ amount: { minor, currency: ["BAM", "EUR", "USD"][i % 3] as string }, outcome: i === 6 ? "failure" : "success" })));
    const part = { timeZone: "UTC", filters: {} };
    const plain = new LineAggregator(part, false);
    const parsed = new LineAggregator(part, false);
    for (const line of lines) {
      plain.line(line, true, line.length);
      parsed.line(line.replace('{"action"', '{ "action"'), true, line.length + 1);
    }
    expect(plain.result.problems).toEqual([]);
    expect(plain.result.aggregate).toEqual(parsed.result.aggregate);
    expect(plain.result.aggregate.financial.get("EUR\u0000BAM\u0000deposit")).toEqual({ success: 2, failure: 1, unknown: 0, minor: 1500 });
    expect(plain.result.aggregate.financial.get("EUR\u0000USD\u0000deposit")?.minor).toBe(-250 - 999_999_999_999_999);
    expect(plain.result.aggregate.financial.get("EUR\u0000EUR\u0000deposit")?.minor).toBe(1 + 999_999_999_999_999);
  });
});
