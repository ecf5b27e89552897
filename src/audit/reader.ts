import { basename } from "node:path";
import { DAY_FILE_PATTERN, utcDay } from "./chain.js";
import type { AuditEntry } from "./entry.js";
import { listDayFiles, type DayRange } from "./files.js";
import { compileAuditFilter, type AuditFilterOptions } from "./filters.js";
import { LineSplitter, MAX_LINE_BYTES, hasByteOrderMark, openDayStream, stripCarriageReturn, type ByteRange } from "./lines.js";
import { isTornPrefix, parseAuditLine } from "./parse-line.js";

/** Where a record came from: the day file, its UTC day and the 1-based line number. */
export interface RecordPlace {
  file: string;
  day: string;
  line: number;
}

/**
 * One line of a day file as the reader saw it. Problems never throw: a torn final line (a crash
 * mid-write), a fragment a crashed writer left mid-file, a corrupt or schema-invalid line and an
 * unreadable file are all yielded with their place, and reading continues.
 */
export type AuditRecord =
  | (RecordPlace & { kind: "entry"; entry: AuditEntry; raw: string })
  | (RecordPlace & { kind: "torn" | "fragment" | "corrupt" | "invalid" | "unreadable"; raw: string; message: string });

export type AuditProblemRecord = Exclude<AuditRecord, { kind: "entry" }>;

export interface ReadFileOptions extends ByteRange {
  /** Line number of the first line read (when starting at a byte offset); default 1. */
  firstLine?: number;
  /** Skip the schema check (faster; the caller trusts the trail or checks it otherwise). */
  validate?: boolean;
}

/**
 * Streams one day file (plain or `.gz`) line by line with bounded memory. A UTF-8 byte-order mark
 * and CRLF line endings are tolerated here (readers want the data); `mon verify` reports them.
 * When a crash fragment is glued to the front of a complete entry, both are yielded (the fragment
 * first), so nothing acknowledged is hidden.
 */
export async function* readAuditFile(path: string, options: ReadFileOptions = {}): AsyncGenerator<AuditRecord> {
  const file = basename(path);
  const day = DAY_FILE_PATTERN.exec(file)?.[1] ?? "";
  const splitter = new LineSplitter();
  let line = (options.firstLine ?? 1) - 1;
  const atFileStart = (options.start ?? 0) === 0;
  const place = () => ({ file: path, day, line });
  const read = (bytes: Buffer, terminated: boolean, length = bytes.length, text = bytes.toString()): AuditRecord[] => {
    line += 1;
    if (length > MAX_LINE_BYTES && terminated) {
      return [{ ...place(), kind: "corrupt", raw: "", message: `${file}:${line}: line of ${length} bytes, longer than the ${MAX_LINE_BYTES}-byte line cap: not an audit entry` }];
    }
    let body = stripCarriageReturn(bytes);
    if (line === 1 && atFileStart && hasByteOrderMark(body)) body = body.subarray(3);
    const raw = text;
    const parsed = parseAuditLine(body === bytes ? text : body.toString("utf8"), { validate: options.validate });
    switch (parsed.kind) {
      case "blank":
        return [];
      case "entry":
      case "invalid": {
        const glued: AuditRecord[] = parsed.entryOffset > 0 ? [fragment(raw, "fragment of an entry cut short by a crash, glued to the next entry")] : [];
        if (parsed.kind === "entry") return [...glued, { ...place(), kind: "entry", entry: parsed.entry, raw }];
        return [...glued, { ...place(), kind: "invalid", raw, message: `${file}:${line}: not a valid audit entry (${parsed.problems.join("; ")})` }];
      }
      case "fragment":
      case "corrupt":
        if (!terminated && isTornPrefix(raw, length)) return [{ ...place(), kind: "torn", raw, message: `${file}:${line}: torn final line (a write cut short by a crash)` }];
        if (!terminated) return [{ ...place(), kind: "corrupt", raw, message: `${file}:${line}: final line of ${length} bytes without a newline is not the start of an entry (appended, not torn)` }];
        if (parsed.kind === "fragment") return [fragment(raw, "fragment of an entry cut short by a crash")];
        return [{ ...place(), kind: "corrupt", raw, message: `${file}:${line}: not JSON (${parsed.error})` }];
    }
  };
  const fragment = (raw: string, what: string): AuditRecord => ({ ...place(), kind: "fragment", raw, message: `${file}:${line}: ${what}` });
  try {
    const records: AuditRecord[] = [];
    for await (const chunk of openDayStream(path, options)) {
      splitter.forEach(chunk, (bytes, length, text) => records.push(...read(bytes, true, length, text)));
      yield* records;
      records.length = 0;
    }
  } catch (error) {
    yield { ...place(), line: line + 1, kind: "unreadable", raw: "", message: `${file}: cannot read (${(error as Error).message})` };
    return;
  }
  const restLength = splitter.unfinishedLength;
  const rest = splitter.end();
  if (rest) yield* read(rest, false, restLength);
}

export interface ReadDirOptions extends DayRange {
  dir: string;
  filters?: AuditFilterOptions;
  /** Yield problem records too (default true); entries that fail the filters are never yielded. */
  problems?: boolean;
  validate?: boolean;
}

/**
 * Reads every day file of `dir` in day order (optionally a day range), applying `filters` to the
 * entries. `since`/`until` also skip whole files whose day lies outside them.
 */
export async function* readAuditDir(options: ReadDirOptions): AsyncGenerator<AuditRecord> {
  const filters = options.filters ?? {};
  const accept = compileAuditFilter(filters);
  const range: DayRange = {
    from: maxDay(options.from, filters.since ? utcDay(filters.since) : undefined),
    to: minDay(options.to, filters.until ? utcDay(filters.until) : undefined),
  };
  for (const file of await listDayFiles(options.dir, range)) {
    for await (const record of readAuditFile(file.path, { validate: options.validate })) {
      if (record.kind === "entry" ? accept(record.entry) : options.problems !== false) yield record;
    }
  }
}

/** Only the entries of `readAuditDir`, with problems passed to `onProblem` (default: dropped). */
export async function* readAuditEntries(options: ReadDirOptions & { onProblem?: (problem: AuditProblemRecord) => void }): AsyncGenerator<AuditEntry> {
  for await (const record of readAuditDir(options)) {
    if (record.kind === "entry") yield record.entry;
    else options.onProblem?.(record);
  }
}

function maxDay(a: string | undefined, b: string | undefined): string | undefined {
  return a === undefined ? b : b === undefined ? a : a > b ? a : b;
}

function minDay(a: string | undefined, b: string | undefined): string | undefined {
  return a === undefined ? b : b === undefined ? a : a < b ? a : b;
}
