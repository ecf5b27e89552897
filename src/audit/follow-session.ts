import { join } from "node:path";
import { ChainChecker } from "./chain-checker.js";
import type { AuditEntry } from "./entry.js";
import { compileAuditFilter, type AuditFilterOptions } from "./filters.js";
import { followAuditDir } from "./follow.js";
import { planHistory } from "./follow-history.js";
import { countLinesBefore } from "./follow-read.js";
import { compileGrep } from "./follow-grep.js";
import { MAX_LINE_BYTES } from "./lines.js";
import { readAuditFile } from "./reader.js";
import { parseAuditLine } from "./parse-line.js";
import type { VerifyIssue } from "./verify-types.js";

/**
 * The core of `mon tail`: history, then following, as one forward stream of items. Every line
 * read (shown or not) goes through the chain check when `verify` is on, because a chain is only
 * whole with every entry in it; only matching entries are yielded for output.
 */
export type TailItem =
  | { type: "entry"; entry: AuditEntry; bytes: Buffer; file: string; line: number | undefined; host?: string }
  /** A line that is not an entry, or (`unreadable`) a day file that could not be read at all. */
  | { type: "problem"; file: string; line: number | undefined; message: string; unreadable?: boolean }
  | { type: "chain"; file: string; issue: VerifyIssue }
  | { type: "key-required"; writer: string }
  | { type: "notice"; message: string }
  /** The end of what one read returned: a good moment to flush output. */
  | { type: "batch" }
  | { type: "idle" };

export interface TailOptions {
  dir: string;
  /** -n: matching entries of history; undefined shows all since `filters.since` (or 10 without it). */
  count: number | undefined;
  filters: AuditFilterOptions;
  /** Substrings, or `/regex/flags`, matched on the raw line; several are OR-ed. */
  grep?: string[];
  follow: boolean;
  /** Check hash chains as lines go by; `key` for HMAC-signed trails. */
  verify?: { key: string | undefined };
  pollMs?: number;
  signal?: AbortSignal;
  /** Wall clock, to stop following once --until has passed. */
  now?: () => Date;
}

export async function* tailAudit(options: TailOptions): AsyncGenerator<TailItem> {
  const filter = compileAuditFilter(options.filters);
  const grep = compileGrep(options.grep ?? []);
  const matches = (entry: AuditEntry, bytes: Buffer) => filter(entry) && grep(bytes);
  const count = options.count ?? (options.filters.since ? undefined : 10);
  const plan = await planHistory({ dir: options.dir, count, since: options.filters.since, until: options.filters.until, matches });
  const checker = options.verify ? new ChainChecker({ key: options.verify.key }) : undefined;
  let keyReported = false;

  function* take(bytes: Buffer, file: string, line: number | undefined, length?: number): Generator<TailItem> {
    // Longer than any entry a writer makes: named with its size, never parsed (only its start was read).
    const oversized = length !== undefined && length > MAX_LINE_BYTES;
    if (oversized) yield { type: "problem", file, line, message: oversizedMessage(length) };
    if (checker) {
      // The checker numbers lines itself; aligning its counter makes its messages name real lines.
      if (line !== undefined) checker.lines = line - 1;
      for (const issue of checker.line(bytes)) if (issue.severity !== "note") yield { type: "chain", file, issue };
      if (checker.keyRequired && !keyReported) {
        keyReported = true;
        yield { type: "key-required", writer: checker.keyRequired.writer };
      }
    }
    if (oversized) return;
    const text = bytes.toString("utf8");
    const parsed = parseAuditLine(text);
    if (parsed.kind === "blank") return;
    if (parsed.kind === "entry") {
      // A crash fragment glued before the entry is not part of it: show the entry's own bytes.
      const own = parsed.entryOffset > 0 ? bytes.subarray(Buffer.byteLength(text.slice(0, parsed.entryOffset))) : bytes;
      if (matches(parsed.entry, own)) yield { type: "entry", entry: parsed.entry, bytes: own, file, line };
      return;
    }
    // With --verify the checker has already reported it; without, say so once here.
    if (checker) return;
    const what = parsed.kind === "invalid" ? `not a valid audit entry (${parsed.problems.join("; ")})` : parsed.kind === "fragment" ? "fragment of an entry cut short by a crash" : `not JSON (${parsed.error})`;
    yield { type: "problem", file, line, message: what };
  }

  for (const { file, start } of plan.replay) {
    const firstLine = start.line ?? (await countLinesBefore(file.path, start.offset ?? 0)) + 1;
    const range = file.compressed ? {} : { start: start.offset, firstLine };
    let previous = 0;
    for await (const record of readAuditFile(file.path, range)) {
      // A crash fragment glued to an entry comes as two records of one line; take the line once.
      if (record.kind === "unreadable") {
        yield { type: "problem", file: file.name, line: undefined, message: record.message.slice(file.name.length + 2), unreadable: true };
        continue;
      }
      if (record.line < firstLine || record.line === previous) continue;
      previous = record.line;
      if (record.kind === "torn") {
        yield { type: "problem", file: file.name, line: record.line, message: "torn final line (a write cut short by a crash)" };
        continue;
      }
      yield* take(Buffer.from(record.raw), file.name, record.line);
    }
  }

  // Line numbers are counted lazily per followed file: only when needed (verify or a problem).
  const lineBase = new Map<string, { offset: number; line: number }>();
  const lineAt = async (file: string, offset: number, needed: boolean): Promise<number | undefined> => {
    let base = lineBase.get(file);
    if (!base && !needed) return undefined;
    if (!base || base.offset !== offset) {
      base = { offset, line: (await countLinesBefore(join(options.dir, file), offset)) + 1 };
      lineBase.set(file, base);
    }
    return base.line;
  };
  const controller = new AbortController();
  const stop = () => controller.abort();
  options.signal?.addEventListener("abort", stop, { once: true });
  try {
    for await (const event of followAuditDir({ dir: options.dir, start: plan.followStart, pollMs: options.pollMs, signal: controller.signal })) {
      if (event.type === "idle") {
        const until = options.filters.until;
        if (!options.follow || (until && (options.now?.() ?? new Date()) >= until)) return;
        yield event;
      } else if (event.type === "truncated") {
        lineBase.set(event.file, { offset: 0, line: 1 });
        yield { type: "notice", message: `${event.file} was truncated or replaced; following it from its start` };
      } else if (event.type === "unreadable") {
        yield { type: "problem", file: event.file, line: undefined, message: event.message, unreadable: true };
      } else if (event.type === "opened") {
        lineBase.set(event.file, { offset: 0, line: 1 });
        yield { type: "notice", message: `following ${event.file}` };
      } else {
        const first = event.lines[0];
        let line = first ? await lineAt(event.file, first.offset, checker !== undefined) : undefined;
        for (const raw of event.lines) {
          for (const item of take(raw.bytes, event.file, line, raw.length)) {
            if (item.type === "problem" && item.line === undefined) item.line = line = await lineAt(event.file, raw.offset, true);
            yield item;
          }
          if (line !== undefined) line += 1;
        }
        const last = event.lines[event.lines.length - 1];
        if (line !== undefined && last) lineBase.set(event.file, { offset: last.offset + (last.length ?? last.bytes.length) + 1, line });
        yield { type: "batch" };
      }
    }
  } finally {
    options.signal?.removeEventListener("abort", stop);
  }
}

/** What tail says about a line longer than MAX_LINE_BYTES. */
export function oversizedMessage(length: number): string {
  return `line of ${length} bytes, longer than the ${MAX_LINE_BYTES}-byte line cap: not an audit entry (its content is not shown)`;
}
