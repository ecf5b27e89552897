import { basename } from "node:path";
import { addEntry, createAggregate, type Aggregate } from "./aggregate.js";
import type { AuditEntry } from "./entry.js";
import { compileAuditFilter, type AuditFilterOptions } from "./filters.js";
import { MAX_LINE_BYTES, openDayStream } from "./lines.js";
import { isPlainLine } from "./line-pattern.js";
import { isTornPrefix, parseAuditLine } from "./parse-line.js";
import { createHourBucketer } from "./time-range-zone.js";

/**
 * The report's hot loop over one piece of input: a whole day file, or a byte range of a large
 * plain one (ranges start and end at line boundaries). It classifies lines exactly as the
 * reader does (H4's parseAuditLine: entry, invalid, fragment, corrupt, torn) and filters with the
 * reader's compiled filter; what differs is the loop. Decoding a whole chunk once and slicing
 * lines out of the string is about twice as fast as decoding each line's bytes, and a report
 * reads every line of a day, so this is where its speed comes from.
 */
export interface ScanTask {
  path: string;
  /** Byte range of a plain file (end exclusive); both undefined reads the whole file. */
  start?: number;
  end?: number;
  /** Whether this piece ends the file, so an unterminated last line is a torn final line. */
  fileEnd: boolean;
  /** Whether this piece starts the file (a byte-order mark is only tolerated there). */
  fileStart: boolean;
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

export interface ScanResult {
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

export async function scanTask(task: ScanTask): Promise<ScanResult> {
  const accept = compileAuditFilter(task.filters);
  const bucket = createHourBucketer(task.timeZone);
  const result: ScanResult = { aggregate: createAggregate(), lines: 0, entries: 0, problems: [], problemCount: 0 };
  const problem = (kind: ProblemKind, message: string) => {
    result.problemCount += 1;
    if (result.problems.length < PROBLEM_LIMIT) result.problems.push({ kind, line: result.lines, message });
  };
  const take = (raw: string, terminated: boolean, length = 0) => {
    result.lines += 1;
    let text = raw.charCodeAt(raw.length - 1) === 13 ? raw.slice(0, -1) : raw;
    if (result.lines === 1 && task.fileStart && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    // The same schema as the writer's and verify's (its derived pattern first, the compiled
    // validator for the rest): a line verify calls invalid is never counted here.
    const parsed = parseAuditLine(text, { validate: !isPlainLine(text) });
    switch (parsed.kind) {
      case "blank":
        return;
      case "entry":
      case "invalid": {
        if (parsed.entryOffset > 0) problem("fragment", "fragment of an entry cut short by a crash, glued to the next entry");
        if (parsed.kind === "invalid") return problem("invalid", `not a valid audit entry (${parsed.problems.join("; ")})`);
        const entry = (parsed as { entry: AuditEntry }).entry;
        result.entries += 1;
        if (accept(entry)) addEntry(result.aggregate, entry, bucket(entry.ts));
        return;
      }
      default:
        if (!terminated && isTornPrefix(raw, length)) return problem("torn", "torn final line (a write cut short by a crash)");
        if (!terminated) return problem("corrupt", `final line of ${length} bytes without a newline is not the start of an entry (appended, not torn)`);
        if (parsed.kind === "fragment") return problem("fragment", "fragment of an entry cut short by a crash");
        return problem("corrupt", `not JSON (${parsed.error})`);
    }
  };
  let carry: Buffer = Buffer.alloc(0);
  // Real length of the carried line, which may be longer than the MAX_LINE_BYTES kept of it.
  let carryLength = 0;
  try {
    for await (const piece of openDayStream(task.path, { start: task.start, end: task.end })) {
      const chunk = carry.length > 0 ? Buffer.concat([carry, piece]) : piece;
      const last = chunk.lastIndexOf(0x0a);
      if (last === -1) {
        // One line spans chunks; cap it as the reader does so garbage cannot exhaust memory.
        carryLength += piece.length;
        carry = chunk.length > MAX_LINE_BYTES ? chunk.subarray(0, MAX_LINE_BYTES) : chunk;
        continue;
      }
      carryLength = chunk.length - last - 1;
      // Cutting after a newline never splits a UTF-8 character, so the chunk decodes in one go.
      const text = chunk.toString("utf8", 0, last + 1);
      carry = chunk.subarray(last + 1);
      let from = 0;
      for (let nl = text.indexOf("\n"); nl !== -1; nl = text.indexOf("\n", from)) {
        take(text.slice(from, nl), true);
        from = nl + 1;
      }
    }
  } catch (error) {
    problem("unreadable", `cannot read (${(error as Error).message})`);
    return result;
  }
  if (carry.length > 0) {
    const rest = carry.toString("utf8");
    // A piece that stops mid-file always ends at a line boundary; only the file's end can be torn.
    take(rest, !task.fileEnd, carryLength);
  }
  return result;
}

/** "audit-2025-01-04.log:17: what" for a problem whose absolute line is known. */
export function describeProblem(path: string, line: number, message: string): string {
  return `${basename(path)}:${line}: ${message}`;
}
