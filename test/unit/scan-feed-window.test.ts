import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { ChainChecker } from "../../src/audit/chain-checker.js";
import type { AuditFilterOptions } from "../../src/audit/filters.js";
import { LineSplitter } from "../../src/audit/lines.js";
import { summarizeAggregate } from "../../src/audit/report-summary.js";
import { LineAggregator } from "../../src/audit/scan-aggregate.js";
import { lineFeed } from "../../src/audit/scan-feed.js";
import { seededRandom } from "../../src/demo/traffic-counts.js";
import { TestTrail, type TestEvent } from "../helpers/audit-trail.js";
import { edgeEvents } from "../helpers/report-events.js";
import { mutateTrail, randomChunks } from "../helpers/trail-mutations.js";

// `mon report` (with its verdict or without) reads ASCII lines inside a decoded window of many
// (scan-feed.ts) instead of a string per line. Its promise: the same report and the same verdict
// as the per-line path, over every shape, mutation, filter, time zone and chunking.

const DAY = "2025-01-04";
const DAY_START = Date.parse(`${DAY}T00:00:00.000Z`);

const CONFIGS: Array<{ name: string; filters: AuditFilterOptions; timeZone: string }> = [
  { name: "no filter, UTC", filters: {}, timeZone: "UTC" },
  { name: "a cut inside an hour, two tenants", filters: { since: new Date(DAY_START + 1_234_567), until: new Date(DAY_START + 9_333_333), tenant: ["eur", "KM"] }, timeZone: "UTC" },
  { name: "Kathmandu (+05:45)", filters: { since: new Date(DAY_START + 3_000_000) }, timeZone: "Asia/Kathmandu" },
  { name: "St John's (−03:30), until", filters: { until: new Date(DAY_START + 12_600_000) }, timeZone: "America/St_Johns" },
  { name: "a category filter (per line only)", filters: { category: ["auth", "finance"] }, timeZone: "UTC" },
];

const isAscii = (event: TestEvent) => !/[^\x20-\x7e]/.test(JSON.stringify(event));

/** One day of ASCII traffic in every shape the report reads, with a few non-ASCII lines (their windows are read per line). */
function dayBytes(key: string | undefined, seed: number): Buffer {
  const random = seededRandom(seed);
  const edges = edgeEvents();
  const ascii = edges.filter(isAscii);
  const other = edges.filter((event) => !isAscii(event));
  const trail = new TestTrail({ key, start: `${DAY}T00:10:00.000Z`, stepMs: 23_000 });
  const writers = [trail.writer({ id: `wa${seed}` }), trail.writer({ id: `wb${seed}` })];
  for (let i = 0; i < 1200; i++) {
    const pick = i % 400 === 17 ? other : ascii;
    const event = { ...(pick[Math.floor(random() * pick.length)] as TestEvent) };
    event.tenant ??= ["EUR", "KM", "KM", "eur", "a-tenant-name-longer-than-13"][Math.floor(random() * 5)];
    if (random() < 0.3) event.outcome = (["success", "failure", "unknown"] as const)[Math.floor(random() * 3)];
    if (random() < 0.2) event.ip = `2001:db8::${i % 9}:${i % 5}`;
    if (random() < 0.02) event.action = "audit.file.deleted";
    writers[Math.floor(random() * 2)]?.record(event);
  }
  return Buffer.from((trail.linesByDay().get(DAY) ?? []).join(""));
}

/** Lines the last windowed scan settled inside their window (the rest went the per-line way). */
let settled = 0;

/** What the scan engine computes for a piece read in `chunks`: the report's aggregate and summary, and the verdict when verifying. */
function scan(chunks: Buffer[], config: (typeof CONFIGS)[number], verify: { key: string | undefined } | undefined, windowed: boolean) {
  const checker = verify ? new ChainChecker({ key: verify.key, fileStart: true, day: DAY }) : undefined;
  const aggregator = new LineAggregator({ filters: config.filters, timeZone: config.timeZone }, true);
  const lineIn = aggregator.lineIn.bind(aggregator);
  settled = 0;
  aggregator.lineIn = (m) => {
    const taken = lineIn(m);
    if (taken) settled += 1;
    return taken;
  };
  const feed = lineFeed(checker, aggregator, windowed);
  expect(feed.inText !== undefined).toBe(windowed && aggregator.takesWindows);
  const splitter = new LineSplitter();
  for (const chunk of chunks) {
    // The read buffer is reused by the scan: copy, then scribble over it afterwards.
    const copy = Buffer.from(chunk);
    if (feed.inText) splitter.forEachInText(copy, feed.inText, feed.onLine, feed.windowEnd);
    else splitter.forEach(copy, feed.onLine);
    copy.fill(0x7b);
  }
  const length = splitter.unfinishedLength;
  const rest = splitter.end();
  if (rest) {
    checker?.line(rest, false, length, rest.toString());
    aggregator.line(rest.toString(), false, length, undefined, rest);
  }
  const result = aggregator.result;
  const range = { start: DAY_START - 86_400_000, end: DAY_START + 2 * 86_400_000, timeZone: config.timeZone };
  return { verdict: checker?.result(), result, summary: JSON.stringify(summarizeAggregate(result.aggregate, range)) };
}

describe("the report's windowed read gives the per-line report and verdict", () => {
  for (const mode of [{ name: "without the verdict", verify: undefined }, { name: "with the verdict", verify: { key: undefined } }, { name: "with the verdict, signed", verify: { key: "k3y-for-the-window-test" } }]) {
    it(`on clean and mutated days, every filter and zone, chunked any way (${mode.name})`, () => {
      const random = seededRandom(mode.verify ? (mode.verify.key ? 5 : 7) : 11);
      let mutated = 0;
      let lines = 0;
      let windowLines = 0;
      for (let round = 0; round < 30; round++) {
        let bytes = dayBytes(mode.verify?.key, round + 1);
        const edits = round === 0 ? 0 : 1 + Math.floor(random() * 3);
        for (let e = 0; e < edits; e++) bytes = mutateTrail(bytes, random);
        const config = CONFIGS[round % CONFIGS.length] as (typeof CONFIGS)[number];
        const perLine = scan(randomChunks(bytes, random), config, mode.verify, false);
        const windowed = scan(randomChunks(bytes, random), config, mode.verify, true);
        expect(windowed.result, `round ${round}`).toEqual(perLine.result);
        expect(windowed.summary, `round ${round}`).toBe(perLine.summary);
        expect(windowed.verdict, `round ${round}`).toEqual(perLine.verdict);
        if (round === 0) expect(settled).toBeGreaterThan(perLine.result.lines * 0.5);
        if (config.filters.category === undefined) windowLines += settled;
        lines += perLine.result.lines;
        if (perLine.result.problemCount > 0 || (perLine.verdict?.issues ?? []).some((i) => i.kind !== "file_event")) mutated += 1;
      }
      // The mutations reach the report or the verdict in a good share of the rounds (blank, repeated or swapped lines change neither without the verdict), and most lines were read in their window.
      expect(mutated).toBeGreaterThan(10);
      expect(windowLines).toBeGreaterThan(lines * 0.4);
    });
  }

  it("a clean day gives the same report read whole, byte by byte, or cut inside a multi-byte character", () => {
    const bytes = dayBytes(undefined, 3);
    const config = CONFIGS[2] as (typeof CONFIGS)[number];
    for (const verify of [undefined, { key: undefined }]) {
      const whole = scan([bytes], config, verify, false);
      expect(whole.result.problemCount).toBe(0);
      expect(whole.result.entries).toBe(whole.result.lines);
      const multiByte = bytes.findIndex((b) => b >= 0x80);
      expect(multiByte).toBeGreaterThan(0);
      for (const chunks of [[bytes], [bytes.subarray(0, multiByte + 1), bytes.subarray(multiByte + 1)], [...bytes].map((b) => Buffer.from([b]))]) {
        const windowed = scan(chunks, config, verify, true);
        expect(windowed.result).toEqual(whole.result);
        expect(windowed.summary).toBe(whole.summary);
        expect(windowed.verdict).toEqual(whole.verdict);
      }
    }
  });
});

describe("what the window refuses", () => {
  it("a hash or prev that is not 64 lower-case hex digits makes the line invalid in its window too", () => {
    const lines = dayBytes(undefined, 9).toString().split("\n");
    const bad = [120, 121, 350, 600, 601, 602, 901];
    bad.forEach((n, i) => {
      const line = lines[n] as string;
      const digit = line.indexOf(i % 2 ? '"prev":"' : '"hash":"') + 8 + ((i * 17) % 64);
      lines[n] = `${line.slice(0, digit)}${"gA-: G"[i % 6]}${line.slice(digit + 1)}`;
    });
    const bytes = Buffer.from(lines.join("\n"));
    for (const verify of [undefined, { key: undefined }]) {
      const perLine = scan([bytes], CONFIGS[0] as (typeof CONFIGS)[number], verify, false);
      const windowed = scan([bytes], CONFIGS[0] as (typeof CONFIGS)[number], verify, true);
      expect(perLine.result.problems.filter((p) => p.kind === "invalid").map((p) => p.line)).toEqual(bad.map((n) => n + 1));
      expect(windowed.result).toEqual(perLine.result);
      expect(windowed.verdict).toEqual(perLine.verdict);
      expect(settled).toBeGreaterThan(perLine.result.lines * 0.5);
    }
  });
});

describe("what the windowed report keeps", () => {
  it("keeps no decoded window alive: every kept string is its own copy", () => {
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    // A template line of each kind that keeps strings (tenant and action rows, failing IPs, listed
    // events, parsed members, first/last ts, a zone's offsets); hash and prev only need to be hex here.
    const trail = new TestTrail({ start: `${DAY}T00:00:00.000Z` });
    const w = trail.writer({ id: "writer-of-the-retention-test" });
    w.record({ category: "authentication", action: "login.failed", outcome: "failure", actor: { id: "anonymous", type: "anonymous" }, ip: "IP", data: { username: "USER" } });
    w.record({ category: "security", action: "rate_limit.exceeded", ip: "IP", reason: "REASON", target: { type: "route", id: "USER" } });
    w.record({ category: "license", action: "license_key.generated", data: { product: "USER", count: 2 } });
    const templates = (trail.linesByDay().get(DAY) ?? []).slice(1);
    let window = 0;
    const chunk = (): Buffer => {
      const lines: string[] = [];
      // About one window (64 KiB) of lines per distinct value: each window would be kept by one string.
      for (let bytes = 0; bytes < 1 << 20; window += 1) {
        const ts = new Date(DAY_START + window * 60_000).toISOString();
        for (let i = 0; i < 100; i++) {
          const line = (templates[i % templates.length] as string)
            .replace(/"ts":"[^"]+"/, `"ts":"${ts}"`).replace('"tenant":"EUR"', `"tenant":"tenant-number-${window}"`)
            .replace('"IP"', `"2001:db8::${window}:1"`).replace('"USER"', `"user-or-product-${window}"`).replace('"REASON"', `"reason-number-${window}"`);
          lines.push(line);
          bytes += line.length;
        }
      }
      return Buffer.from(lines.join(""));
    };
    gc();
    const before = process.memoryUsage().heapUsed;
    const aggregator = new LineAggregator({ filters: {}, timeZone: "Asia/Kathmandu" }, true);
    const feed = lineFeed(undefined, aggregator, true);
    const splitter = new LineSplitter();
    for (let i = 0; i < 96; i++) splitter.forEachInText(chunk(), feed.inText as NonNullable<typeof feed.inText>, feed.onLine, feed.windowEnd);
    const result = aggregator.result;
    gc();
    const kept = process.memoryUsage().heapUsed - before;
    // The windows read (~96 MB of text); distinct values: at least one per window of each kind.
    expect(window).toBeGreaterThan(1400);
    expect(aggregator.plainLines).toBe(result.lines);
    expect(result.aggregate.byTenant.size).toBeGreaterThan(1400);
    expect(result.aggregate.auth.failingIps.size).toBeGreaterThan(1400);
    expect(result.aggregate.security.items.length).toBeGreaterThan(400);
    // Kept as views, one string per window would hold ~96 MB; as copies, the aggregate's rows take a few.
    expect(kept).toBeLessThan(24 * 1024 * 1024);
  });
});
