import { basename } from "node:path";
import { addEntry, createAggregate, createAggregateMemo, type Aggregate } from "./aggregate.js";
import { PlainAggregate } from "./aggregate-plain.js";
import type { AuditEntry } from "./entry.js";
import { compileAuditFilter, rangeFilterOf, type AuditFilterOptions } from "./filters.js";
import { MAX_LINE_BYTES } from "./lines.js";
import { REPORT_GROUPS as G, matchReportLine } from "./line-pattern.js";
import { isTornPrefix, parseAuditLine } from "./parse-line.js";
import { readAmount } from "./plain-amount.js";
import { createHourBucketer } from "./time-range-zone.js";

/**
 * The report's side of a scan: classifies each line exactly as the reader does (parseAuditLine:
 * entry, invalid, fragment, corrupt, torn), filters with the reader's compiled filter and adds
 * the matching entries to an aggregate. It is fed the lines the scan engine splits, next to (or
 * instead of) the chain checker, so `mon report` reads the bytes once for both.
 */
export interface AggregatePart {
  filters: AuditFilterOptions;
  timeZone: string;
}

export type ProblemKind = "torn" | "fragment" | "corrupt" | "invalid" | "unreadable";

export interface ScanProblem {
  kind: ProblemKind;
  /** Line number within this piece (1-based); the caller adds the lines of earlier pieces. */
  line: number;
  /** What is wrong, without the place. */
  message: string;
}

export interface AggregateResult {
  aggregate: Aggregate;
  lines: number;
  /** Valid entries read, whether or not they matched the filters. */
  entries: number;
  problems: ScanProblem[];
  /** All problems, including those beyond the kept list. */
  problemCount: number;
}

/** Problems kept per piece: enough to name every place in a damaged file, bounded for a garbage one. */
export const PROBLEM_LIMIT = 200;

export class LineAggregator {
  private readonly counted: AggregateResult = { aggregate: createAggregate(), lines: 0, entries: 0, problems: [], problemCount: 0 };
  private readonly accept: (entry: AuditEntry) => boolean;
  private readonly bucket: (ts: string) => number;
  private readonly memo = createAggregateMemo();
  /** addEntry's shortcut for matched lines, when the filter is one it can test on raw members. */
  private readonly plain: PlainAggregate | undefined;

  constructor(part: AggregatePart, private readonly fileStart: boolean, options: { plain?: boolean } = {}) {
    this.accept = compileAuditFilter(part.filters);
    this.bucket = createHourBucketer(part.timeZone);
    const range = options.plain === false ? undefined : rangeFilterOf(part.filters);
    this.plain = range && PlainAggregate.usable(range) ? new PlainAggregate(this.counted.aggregate, this.memo, range, this.bucket, part.timeZone === "UTC") : undefined;
  }

  /** Matched lines counted (or filtered out) without an entry object, by PlainAggregate. */
  get plainLines(): number {
    return this.plain?.taken ?? 0;
  }

  /** The totals so far (complete once every line was given). */
  get result(): AggregateResult {
    this.plain?.flush();
    return this.counted;
  }

  /** Whether lineIn can take lines: the filter is one PlainAggregate tests itself. */
  get takesWindows(): boolean {
    return this.plain !== undefined;
  }

  /**
   * A terminated ASCII line inside a decoded window of many (scan-feed.ts), as its match: from
   * matchReportLineAt, or a matchReportShapeAt whose hash and prev the chain checker proved
   * (ChainChecker.settleIn). True when it was counted (or filtered out) here; false changes
   * nothing, and the caller hands the line to line(). Nothing taken from the window is kept
   * past windowEnd().
   */
  lineIn(m: RegExpExecArray): boolean {
    if (this.plain === undefined || !this.plain.add(m)) return false;
    this.counted.lines += 1;
    this.counted.entries += 1;
    return true;
  }

  /** After each window's lines: what PlainAggregate kept from them becomes its own copy. */
  windowEnd(): void {
    this.plain?.detach();
  }

  problem(kind: ProblemKind, message: string, line = this.counted.lines): void {
    this.counted.problemCount += 1;
    if (this.counted.problems.length < PROBLEM_LIMIT) this.counted.problems.push({ kind, line, message });
  }

  /**
   * The next line: its text (without "\n"), whether a newline ended it, its real byte length,
   * matchReportLine of the text when the caller has it (a scan that also verifies matches once for
   * both; undefined: match here), and the line's bytes (`raw` encoded) when the caller has them.
   */
  line(raw: string, terminated: boolean, length: number, match?: RegExpExecArray, bytes?: Uint8Array): void {
    const result = this.counted;
    result.lines += 1;
    if (terminated && length > MAX_LINE_BYTES) return this.problem("corrupt", `line of ${length} bytes, longer than the ${MAX_LINE_BYTES}-byte line cap: not an audit entry`);
    let text = raw.charCodeAt(raw.length - 1) === 13 ? raw.slice(0, -1) : raw;
    if (result.lines === 1 && this.fileStart && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    // The same schema as the writer's and verify's: a line its derived pattern matches is a
    // schema-valid entry whose members are read straight from the match (no JSON.parse of the
    // line); every other line goes through JSON.parse and the compiled validator. A line verify
    // calls invalid is never counted here.
    const plain = match ?? matchReportLine(text, text === raw ? bytes : undefined);
    if (plain) {
      result.entries += 1;
      if (this.plain?.add(plain)) return;
      const entry = new PlainEntry(plain) as unknown as AuditEntry;
      if (this.accept(entry)) addEntry(result.aggregate, entry, this.bucket(entry.ts), this.memo);
      return;
    }
    const parsed = parseAuditLine(text);
    switch (parsed.kind) {
      case "blank":
        return;
      case "entry":
      case "invalid": {
        if (parsed.entryOffset > 0) this.problem("fragment", "fragment of an entry cut short by a crash, glued to the next entry");
        if (parsed.kind === "invalid") return this.problem("invalid", `not a valid audit entry (${parsed.problems.join("; ")})`);
        const entry = (parsed as { entry: AuditEntry }).entry;
        result.entries += 1;
        if (this.accept(entry)) addEntry(result.aggregate, entry, this.bucket(entry.ts), this.memo);
        return;
      }
      default:
        if (!terminated && isTornPrefix(raw, length)) return this.problem("torn", "torn final line (a write cut short by a crash)");
        if (!terminated) return this.problem("corrupt", `final line of ${length} bytes without a newline is not the start of an entry (appended, not torn)`);
        if (parsed.kind === "fragment") return this.problem("fragment", "fragment of an entry cut short by a crash");
        return this.problem("corrupt", `not JSON (${parsed.error})`);
    }
  }
}

/** "audit-2025-01-04.log:17: what" for a problem whose absolute line is known. */
export function describeProblem(path: string, line: number, message: string): string {
  return `${basename(path)}:${line}: ${message}`;
}

/**
 * An entry read from a plain line's match. Strings in a plain line have no escapes, so their raw
 * text is their value; the small objects (actor, amount, target, data) are parsed only when the
 * report reads them, which for most lines is amount at most. Members are read from the match on
 * demand, so a line costs one match and this one object.
 */
class PlainEntry {
  private parsed: { actor?: unknown; amount?: unknown; target?: unknown; data?: unknown } | undefined;

  constructor(private readonly m: RegExpExecArray) {}

  get ts(): string {
    return this.m[G.ts] as string;
  }
  get tenant(): string {
    return this.m[G.tenant] as string;
  }
  get category(): string {
    return this.m[G.category] as string;
  }
  get action(): string {
    return this.m[G.action] as string;
  }
  get outcome(): string {
    return this.m[G.outcome] as string;
  }
  get ip(): string | undefined {
    return this.m[G.ip];
  }
  get reason(): string | undefined {
    return this.m[G.reason];
  }
  get actor(): unknown {
    return this.object("actor", G.actor);
  }
  get amount(): unknown {
    return this.object("amount", G.amount);
  }
  get target(): unknown {
    return this.object("target", G.target);
  }
  get data(): unknown {
    return this.object("data", G.data);
  }

  private object(name: "actor" | "amount" | "target" | "data", group: number): unknown {
    const parsed = (this.parsed ??= {});
    if (!(name in parsed)) {
      const text = this.m[group];
      parsed[name] = text === undefined ? undefined : name === "amount" ? readAmount(text) : JSON.parse(text);
    }
    return parsed[name];
  }
}
