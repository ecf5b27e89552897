import { describe, expect, it } from "vitest";
import { addEntry, compareListed, createAggregate, type Aggregate } from "../../src/audit/aggregate.js";
import { compileAuditFilter, type AuditFilterOptions } from "../../src/audit/filters.js";
import { parseAuditLine } from "../../src/audit/parse-line.js";
import { matchedAmountMinor, readAmount, readAmountMinor } from "../../src/audit/plain-amount.js";
import { matchedTimeKey, timeKeyOf } from "../../src/audit/plain-time.js";
import { summarizeAggregate } from "../../src/audit/report-summary.js";
import { KEPT_DISTINCT } from "../../src/audit/aggregate-plain.js";
import { LineAggregator, type AggregatePart } from "../../src/audit/scan-aggregate.js";
import { createHourBucketer } from "../../src/audit/time-range-zone.js";
import { TestTrail, type TestEvent } from "../helpers/audit-trail.js";
import { edgeEvents, randomEvents } from "../helpers/report-events.js";
import { seededRandom } from "../../src/demo/traffic-counts.js";

/**
 * `mon report` counts a plain line (one the schema-derived pattern matches) straight from the
 * match, without building an entry (PlainAggregate). It must add exactly what the full path adds:
 * JSON.parse, the compiled schema check, the compiled filter and addEntry, line by line. Every
 * shape the report reads is here, with mutations the full check rejects or that leave the plain
 * shape (escapes, other number forms, other time forms), under several filters and time zones.
 */
const DAY_START = Date.parse("2025-01-04T00:00:00.000Z");

/** Lines of the events, written by the trail generator, with the clock walking across hours and both days' edges. */
function linesOf(events: TestEvent[], stepMs: number, start = "2025-01-03T22:30:00.000Z"): string[] {
  const trail = new TestTrail({ start, stepMs });
  const writers = [trail.writer(), trail.writer()];
  events.forEach((event, i) => writers[i % 2]?.record(event));
  return [...trail.linesByDay().values()].flat().map((line) => line.slice(0, -1));
}

/** Text changes that a writer never makes: each either breaks the schema or leaves the plain shape. */
const MUTATIONS: Array<[string, (line: string) => string]> = [
  ["outcome outside the enum", (l) => l.replace('"outcome":"success"', '"outcome":"maybe"')],
  ["fractional minor", (l) => l.replace(/"minor":(\d+)/, '"minor":$1.5')],
  ["minor as 1e3", (l) => l.replace(/"minor":\d+/, '"minor":1e3')],
  ["lower-case currency", (l) => l.replace(/"currency":"([A-Z]{3})"/, (_m, c: string) => `"currency":"${c.toLowerCase()}"`)],
  ["escaped tenant", (l) => l.replace('"tenant":"KM"', '"tenant":"K\\u004d"')],
  ["escaped action", (l) => l.replace('"action":"wallet.', '"action":"wallet\\u002e')],
  ["ts without milliseconds", (l) => l.replace(/("ts":"[^"]{19})\.\d{3}Z"/, '$1Z"')],
  ["ts at hour 24", (l) => l.replace(/("ts":"[^"]{11})\d\d/, "$124")],
  ["ts on the 32nd", (l) => l.replace(/("ts":"[^"]{8})\d\d/, "$132")],
  ["unknown category", (l) => l.replace(/"category":"[a-z_]+"/, '"category":"billing"')],
  ["upper-case hash", (l) => l.replace(/"hash":"([0-9a-f]{64})"/, (_m, h: string) => `"hash":"${h.toUpperCase()}"`)],
  ["extra member", (l) => l.replace('"v":1', '"v":1,"zz":1')],
  ["amount with a third key", (l) => l.replace(/"minor":(-?\d+)\}/, '"minor":$1,"x":1}')],
  ["trailing CR", (l) => `${l}\r`],
  ["whitespace after a colon", (l) => l.replace('"v":1', '"v": 1')],
  ["not JSON", (l) => l.slice(0, -3)],
];

interface Config {
  name: string;
  filters: AuditFilterOptions;
  timeZone: string;
}

const CONFIGS: Config[] = [
  { name: "no filter, UTC", filters: {}, timeZone: "UTC" },
  { name: "the report's UTC day", filters: { since: new Date(DAY_START), until: new Date(DAY_START + 86_400_000) }, timeZone: "UTC" },
  { name: "a cut inside an hour, tenants eur and Žepče", filters: { since: new Date(DAY_START - 1_234_567), until: new Date(DAY_START + 3_333_333), tenant: ["eur", "ŽEPČE"] }, timeZone: "UTC" },
  { name: "Kathmandu (+05:45)", filters: { since: new Date(DAY_START - 20_700_000) }, timeZone: "Asia/Kathmandu" },
  { name: "St John's (−03:30)", filters: { until: new Date(DAY_START + 12_600_000) }, timeZone: "America/St_Johns" },
  { name: "a category filter (the full path only)", filters: { category: ["auth", "finance"] }, timeZone: "UTC" },
];

/** The full path: every line parsed and schema-checked, filtered and added one by one. */
function reference(lines: string[], part: AggregatePart): Aggregate {
  const agg = createAggregate();
  const accept = compileAuditFilter(part.filters);
  const bucket = createHourBucketer(part.timeZone);
  for (const line of lines) {
    const parsed = parseAuditLine(line.endsWith("\r") ? line.slice(0, -1) : line);
    if (parsed.kind !== "entry") continue;
    if (accept(parsed.entry)) addEntry(agg, parsed.entry, bucket(parsed.entry.ts));
  }
  return agg;
}

function aggregated(lines: string[], part: AggregatePart, plain: boolean): { agg: Aggregate; plainLines: number } {
  const aggregator = new LineAggregator(part, true, { plain });
  for (const line of lines) {
    const bytes = Buffer.from(line);
    aggregator.line(line, true, bytes.length, undefined, bytes);
  }
  return { agg: aggregator.result.aggregate, plainLines: aggregator.plainLines };
}

/** The aggregate as plain data independent of insertion order (lists in their kept order). */
function normal(agg: Aggregate): unknown {
  const sorted = (map: Map<unknown, unknown>) => [...map].sort((a, b) => (String(a[0]) < String(b[0]) ? -1 : String(a[0]) > String(b[0]) ? 1 : 0));
  return {
    ...agg,
    byCategory: sorted(agg.byCategory), byTenant: sorted(agg.byTenant), byAction: sorted(agg.byAction), financial: sorted(agg.financial), license: sorted(agg.license),
    auth: { ...agg.auth, failingIps: sorted(agg.auth.failingIps), failingAccounts: sorted(agg.auth.failingAccounts) },
    security: { count: agg.security.count, items: [...agg.security.items].sort(compareListed) },
    admin: { count: agg.admin.count, items: [...agg.admin.items].sort(compareListed) },
    hourly: sorted(agg.hourly), hourlyByCategory: sorted(agg.hourlyByCategory),
  };
}

function expectSame(lines: string[], config: Config): number {
  const part = { filters: config.filters, timeZone: config.timeZone };
  const expected = reference(lines, part);
  const fast = aggregated(lines, part, true);
  const full = aggregated(lines, part, false);
  expect(normal(fast.agg)).toEqual(normal(expected));
  expect(normal(full.agg)).toEqual(normal(expected));
  const range = { start: DAY_START - 86_400_000, end: DAY_START + 2 * 86_400_000, timeZone: config.timeZone };
  expect(JSON.stringify(summarizeAggregate(fast.agg, range))).toBe(JSON.stringify(summarizeAggregate(expected, range)));
  expect(full.plainLines).toBe(0);
  return fast.plainLines;
}

describe("the report's plain-line counting adds exactly what the full path adds", () => {
  const edges = linesOf(edgeEvents(), 7 * 60_000);
  const day = linesOf(randomEvents(6000, 19), 37_000);

  it.each(CONFIGS)("every shape once: $name", (config) => {
    const taken = expectSame(edges, config);
    // The fast path did the work wherever it can (the category filter leaves everything to the full path).
    if (config.filters.category) expect(taken).toBe(0);
    else expect(taken).toBeGreaterThan(edges.length * 0.7);
  });

  it.each(CONFIGS)("a seeded day of 6000 lines over two days' edges, interleaved writers: $name", (config) => {
    const taken = expectSame(day, config);
    if (!config.filters.category) expect(taken).toBeGreaterThan(day.length * 0.8);
  });

  it.each(MUTATIONS)("a line with %s gets the full path's verdict and numbers", (_name, mutate) => {
    const mutated = edges.map((line, i) => (i % 3 === 0 ? mutate(line) : line));
    expect(mutated.filter((line, i) => line !== edges[i]).length).toBeGreaterThan(0);
    for (const config of CONFIGS) expectSame(mutated, config);
  });

  it("keeps the same earliest listed events when there are more than it lists", () => {
    const listed: TestEvent[] = Array.from({ length: 2600 }, (_, i) => ({ category: i % 2 ? "security" : "admin", action: `probe.n${i % 13}`, reason: `r${i % 29}`, ip: `192.0.2.${i % 200}` }));
    const lines = linesOf(listed, 1000, "2025-01-04T05:00:00.000Z");
    // Out of order too: pieces of a file, and writers whose clocks differ, do not come sorted.
    const shuffled = [...lines.slice(1300), ...lines.slice(0, 1300)];
    expectSame(shuffled, CONFIGS[0] as Config);
  });

  it("counts failing IPs and accounts in the same order, so the bounded maps keep the same keys", () => {
    const failures: TestEvent[] = Array.from({ length: 3000 }, (_, i) => ({
      category: "authentication", action: "login.failed", outcome: "failure", actor: { id: "anonymous", type: "anonymous" },
      ip: `198.51.${i % 256}.${i % 7}`, data: { username: `user${i % 1500}` },
    }));
    const lines = linesOf(failures, 2000);
    const part = { filters: {}, timeZone: "UTC" };
    const fast = aggregated(lines, part, true);
    expect(fast.plainLines).toBeGreaterThanOrEqual(failures.length);
    expect([...fast.agg.auth.failingIps]).toEqual([...reference(lines, part).auth.failingIps]);
    expect([...fast.agg.auth.failingAccounts]).toEqual([...reference(lines, part).auth.failingAccounts]);
  });

  it("beyond the tenants and actions whose look-ups it keeps, it still adds what the full path adds", () => {
    const many: TestEvent[] = Array.from({ length: KEPT_DISTINCT + 300 }, (_, i) => {
      const tenant = `t-${i % (KEPT_DISTINCT + 150)}`;
      if (i % 3 === 0) return { category: "financial", action: `wallet.n${i}.deposit`, tenant, amount: { minor: i, currency: "EUR" } };
      if (i % 3 === 1) return { category: "license", action: `license_key.generated.n${i}`, tenant, data: { product: `p${i % 7}`, count: 2 } };
      return { category: "user_management", action: `branch.created`, tenant };
    });
    const lines = linesOf(many, 500);
    expect(expectSame(lines, CONFIGS[0] as Config)).toBeGreaterThan(KEPT_DISTINCT);
    expectSame(lines, { name: "tenant cut", filters: { tenant: ["T-7", "t-4200"] }, timeZone: "UTC" });
  });

  it("a byte-order mark at the file's start and a CR at a line's end take the full path's reading", () => {
    const lines = [`\ufeff${edges[0]}`, ...edges.slice(1, 10).map((line) => `${line}\r`), ...edges.slice(10)];
    const part = { filters: {}, timeZone: "UTC" };
    const fast = aggregated(lines, part, true);
    const expected = reference([(edges[0] as string), ...lines.slice(1)], part);
    expect(normal(fast.agg)).toEqual(normal(expected));
  });
});

describe("what the plain counting reads by position", () => {
  it("reads an amount only in the one shape the line pattern admits, else leaves it to JSON.parse", () => {
    expect(readAmountMinor('{"currency":"EUR","minor":1500}')).toBe(1500);
    expect(readAmountMinor('{"currency":"KWD","minor":-999999999999999}')).toBe(-999_999_999_999_999);
    expect(readAmountMinor('{"currency":"BAM","minor":0}')).toBe(0);
    for (const minor of [0, 7, -7, 1500, -250, 999_999_999_999_999, -999_999_999_999_999]) {
      expect(matchedAmountMinor(`{"currency":"EUR","minor":${minor}}`)).toBe(minor);
    }
    for (const text of [
      '{"currency":"EUR","minor":1000000000000000}', '{"currency":"EUR","minor":015}', '{"currency":"EUR","minor":1.5}',
      '{"currency":"EUR","minor":1e3}', '{"currency":"eur","minor":15}', '{"currency":"EUR","major":15}', '{"currency":"EUR","minor":}',
      '{"currency":"EUR","minor":15,"x":1}', '{"currency":"EURO","minor":15}', '{"minor":15,"currency":"EUR"}', '{"currency":"EUR","minor":-}',
    ]) {
      expect(readAmountMinor(text), text).toBeUndefined();
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        expect(() => readAmount(text), text).toThrow(SyntaxError);
        continue;
      }
      expect(readAmount(text), text).toEqual(parsed);
    }
  });

  it("orders canonical times by number exactly as by string, and declines any other form", () => {
    const random = seededRandom(3);
    const times = Array.from({ length: 3000 }, () => new Date(Math.floor(random() * 4e12) - 6e10 + (random() < 0.3 ? 0 : Date.parse("2025-01-04T00:00:00Z") % 1e9)).toISOString());
    times.push("0000-01-01T00:00:00.000Z", "9999-12-31T23:59:59.999Z", "2025-01-31T23:59:59.999Z", "2025-02-01T00:00:00.000Z");
    const byString = [...times].sort();
    const byNumber = [...times].sort((a, b) => timeKeyOf(a) - timeKeyOf(b));
    expect(byNumber).toEqual(byString);
    // The reading of a matched ts (digits only) agrees with the checked one.
    expect(times.map(matchedTimeKey)).toEqual(times.map(timeKeyOf));
    for (const text of ["2025-01-04T10:00:00Z", "2025-01-04T24:00:00.000Z", "2025-13-04T10:00:00.000Z", "2025-01-32T10:00:00.000Z", "2025-01-04T10:60:00.000Z", "2025-01-04 10:00:00.000Z", "+12025-01-04T10:00:00.000Z", "2025-01-04T10:00:00.000z"]) {
      expect(timeKeyOf(text), text).toBe(-1);
    }
  });
});
