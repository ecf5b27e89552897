import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import type { AuditEntry } from "../../src/audit/entry.js";
import { tailAudit, type TailItem, type TailOptions } from "../../src/audit/follow-session.js";
import { TestTrail } from "../helpers/audit-trail.js";
import { makeTempDir } from "../helpers/cli.js";

/** `mon tail`'s core without following: history, filters, --grep, --verify, exact bytes. */
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function shopDir(): Promise<{ dir: string; trail: TestTrail }> {
  const { dir, cleanup } = await makeTempDir("monwire-tail-s-");
  cleanups.push(cleanup);
  const trail = new TestTrail({ start: "2025-01-03T22:00:00.000Z", stepMs: 10 * 60_000 });
  const writer = trail.writer();
  for (let i = 0; i < 60; i++) {
    const tenant = i % 3 === 0 ? "KM" : "EUR";
    if (i % 4 === 0) writer.record({ tenant, category: "authentication", action: "login.failed", outcome: "failure", ip: "203.0.113.9" });
    else if (i % 4 === 1) writer.record({ tenant, amount: { minor: 100 + i, currency: tenant === "KM" ? "BAM" : "EUR" }, tx_id: `tx-${i}` });
    else if (i % 4 === 2) writer.record({ tenant, category: "license", action: "license_key.generated", data: { product: "pro", count: 1 } });
    else writer.record({ tenant, category: "security", action: "rate_limit.exceeded", outcome: "unknown" });
  }
  await trail.write(dir);
  return { dir, trail };
}

async function collect(options: Partial<TailOptions> & { dir: string }): Promise<TailItem[]> {
  const items: TailItem[] = [];
  for await (const item of tailAudit({ count: undefined, filters: {}, follow: false, ...options })) items.push(item);
  return items;
}

const entries = (items: TailItem[]) => items.flatMap((i) => (i.type === "entry" ? [i.entry] : []));
const seqs = (list: AuditEntry[]) => list.map((e) => e.seq);

describe("tailAudit history", () => {
  it("shows the last N matching entries, 10 by default", async () => {
    const { dir, trail } = await shopDir();
    const all = trail.entries;
    expect(seqs(entries(await collect({ dir })))).toEqual(seqs(all.slice(-10)));
    const financial = all.filter((e) => e.category === "financial");
    expect(seqs(entries(await collect({ dir, count: 3, filters: { category: ["finance"] } })))).toEqual(seqs(financial.slice(-3)));
    expect(entries(await collect({ dir, count: 0 }))).toEqual([]);
  });

  it("ORs values of one filter and ANDs different filters, with --grep on the raw line", async () => {
    const { dir, trail } = await shopDir();
    const got = entries(await collect({ dir, count: 1000, filters: { category: ["auth", "finance"], tenant: ["KM"] } }));
    const want = trail.entries.filter((e) => ["authentication", "financial"].includes(e.category) && e.tenant === "KM");
    expect(seqs(got)).toEqual(seqs(want));
    expect(want.length).toBeGreaterThan(4);
    const grep = entries(await collect({ dir, count: 1000, grep: ["tx-13", "/tx-2[0-9]\"/"] }));
    expect(grep.map((e) => e.tx_id)).toEqual(["tx-13", "tx-21", "tx-25", "tx-29"]);
  });

  it("shows everything since a time across day files, including a .gz day", async () => {
    const { dir, trail } = await shopDir();
    const gz = join(dir, "audit-2025-01-03.log");
    await writeFile(`${gz}.gz`, gzipSync(await readFile(gz)));
    await rm(gz);
    const since = new Date("2025-01-03T23:00:00.000Z");
    const until = new Date("2025-01-04T03:00:00.000Z");
    const got = entries(await collect({ dir, filters: { since, until } }));
    expect(seqs(got)).toEqual(seqs(trail.entries.filter((e) => e.ts >= since.toISOString() && e.ts < until.toISOString())));
    const lastTwo = entries(await collect({ dir, count: 2, filters: { since, until, category: "security" } }));
    expect(seqs(lastTwo)).toEqual(seqs(trail.entries.filter((e) => e.category === "security" && e.ts < until.toISOString()).slice(-2)));
  });

  it("yields each line's exact bytes", async () => {
    const { dir } = await shopDir();
    const file = await readFile(join(dir, "audit-2025-01-04.log"));
    const items = (await collect({ dir, count: 5 })).flatMap((i) => (i.type === "entry" ? [i.bytes] : []));
    expect(Buffer.concat(items.map((b) => Buffer.concat([b, Buffer.from("\n")])))).toEqual(file.subarray(file.length - items.reduce((n, b) => n + b.length + 1, 0)));
  });
});

describe("tailAudit --verify", () => {
  it("flags a changed entry with its file and line, even when history starts mid-file", async () => {
    const { dir } = await shopDir();
    const path = join(dir, "audit-2025-01-04.log");
    const lines = (await readFile(path, "utf8")).split("\n");
    const count = lines.length - 1;
    lines[count - 4] = (lines[count - 4] as string).replace('"tenant":"EUR"', '"tenant":"KM"');
    await writeFile(path, lines.join("\n"));
    const items = await collect({ dir, count: 8, verify: { key: undefined } });
    const breaks = items.flatMap((i) => (i.type === "chain" ? [i] : []));
    expect(breaks.map((b) => [b.file, b.issue.kind, b.issue.line])).toEqual([["audit-2025-01-04.log", "hash_mismatch", count - 3]]);
    expect(breaks[0]?.issue.message).toContain(`(line ${count - 3})`);
  });

  it("passes an intact trail and asks for the key of a signed one", async () => {
    const { dir } = await shopDir();
    expect((await collect({ dir, count: 30, verify: { key: undefined } })).filter((i) => i.type === "chain")).toEqual([]);
    const signed = await makeTempDir("monwire-tail-k-");
    cleanups.push(signed.cleanup);
    const trail = new TestTrail({ key: "secret-key" });
    const writer = trail.writer();
    writer.record({});
    await trail.write(signed.dir);
    const items = await collect({ dir: signed.dir, verify: { key: undefined } });
    expect(items.find((i) => i.type === "key-required")).toBeDefined();
    const keyed = await collect({ dir: signed.dir, verify: { key: "secret-key" } });
    expect(keyed.filter((i) => i.type === "chain" || i.type === "key-required")).toEqual([]);
  });

  it("reports a corrupt line with its number and keeps going", async () => {
    const { dir, trail } = await shopDir();
    const path = join(dir, "audit-2025-01-04.log");
    const lines = (await readFile(path, "utf8")).split("\n");
    lines.splice(3, 0, "garbage}");
    await writeFile(path, lines.join("\n"));
    const items = await collect({ dir, count: 1000 });
    expect(items.filter((i) => i.type === "problem")).toEqual([{ type: "problem", file: "audit-2025-01-04.log", line: 4, message: expect.stringContaining("not JSON") }]);
    expect(entries(items).length).toBe(trail.entries.length);
  });
});

describe("tailAudit following", () => {
  it("stops following once --until has passed, and when aborted", async () => {
    const { dir, trail } = await shopDir();
    const until = new Date("2025-01-04T00:00:00.000Z");
    const items = await collect({ dir, follow: true, pollMs: 20, filters: { until }, now: () => new Date("2025-01-05T00:00:00Z") });
    expect(seqs(entries(items))).toEqual(seqs(trail.entries.filter((e) => e.ts < until.toISOString()).slice(-10)));
    const controller = new AbortController();
    const seen: TailItem["type"][] = [];
    for await (const item of tailAudit({ dir, count: 1, filters: {}, follow: true, pollMs: 20, signal: controller.signal })) {
      seen.push(item.type);
      if (item.type === "idle") controller.abort();
    }
    expect(seen).toEqual(["entry", "batch", "idle"]);
  });
});
