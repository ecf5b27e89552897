import { closeSync, mkdirSync, openSync, writeSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { sealThrough, type Anchor } from "./anchor.js";
import { canonicalize } from "./canonical.js";
import { CHAIN_STARTED_ACTION, GENESIS_HASH, dayFileName, digest, formatAuditLine, hashAlgorithm, keyId, utcDay } from "./chain.js";
import type { AuditEntry } from "./entry.js";

/**
 * The one generator of synthetic audit trails, for the tests and the benchmarks alike. Entries
 * are chained by the contract's own code (computeEntryHash over the canonical entry, formatAuditLine
 * for the bytes), and each writer opens with `audit.chain.started` linking the previous head as
 * the runtime writer does, so whatever is built here verifies intact. Entries keep the order they
 * were recorded in, which is how several writers interleave in a file.
 */
export type SyntheticEvent = Partial<Omit<AuditEntry, "v" | "writer" | "seq" | "prev" | "hash">>;

export interface SyntheticTrailOptions {
  /** HMAC key; without it the chain uses plain SHA-256. */
  key?: string;
  /** Time of the first entry (ISO, UTC); default 2025-03-10T08:00:00.000Z. */
  start?: string;
  /** How far the shared clock moves per entry (fractions of a millisecond are dropped from `ts`); default 1 s. */
  stepMs?: number;
  /** What audit.chain.started says about the process; default pid 4242 on "test-host". */
  process?: { pid: number; hostname: string };
  /**
   * Stream the lines into `audit-DAY.log` files in this directory instead of keeping the entries
   * in memory (benchmarks build hundreds of MB); call close() at the end.
   */
  streamTo?: string;
}

export class SyntheticWriter {
  seq = 0;
  hash = GENESIS_HASH;

  constructor(readonly id: string, private readonly trail: SyntheticTrail) {}

  /** Appends one chained entry; defaults make a valid wallet deposit. */
  record(event: SyntheticEvent = {}): AuditEntry {
    const body: Omit<AuditEntry, "hash"> = {
      v: 1,
      ts: event.ts ?? this.trail.tick(),
      category: "financial",
      action: "wallet.deposit",
      outcome: "success",
      tenant: "EUR",
      actor: { id: "user-1", role: "cashier", type: "user" },
      ...event,
      writer: this.id,
      seq: this.seq + 1,
      prev: this.hash,
    };
    const { hash, line } = chainedText(body, this.trail.key);
    const entry = { ...body, hash } as AuditEntry;
    this.seq = entry.seq;
    this.hash = entry.hash;
    this.trail.add(entry, line);
    return entry;
  }
}

/**
 * The hash (digest of the canonical entry without `hash`, as computeEntryHash) and the line (the
 * canonical entry with it, as formatAuditLine), canonicalizing once: canonical JSON sorts keys,
 * so the `hash` member goes between the members sorting before it and those sorting after.
 * Benchmarks generate hundreds of MB, where canonicalizing twice doubled the time.
 */
function chainedText(body: Omit<AuditEntry, "hash">, key: string | undefined): { hash: string; line: string } {
  const low: Record<string, unknown> = {};
  const high: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(body)) (name < "hash" ? low : high)[name] = value;
  const before = canonicalize(low).slice(1, -1);
  const after = canonicalize(high).slice(1, -1);
  const object = (...members: string[]) => `{${members.filter((m) => m !== "").join(",")}}`;
  const hash = digest(object(before, after), key);
  return { hash, line: `${object(before, `"hash":"${hash}"`, after)}\n` };
}

let writerCounter = 0;

export class SyntheticTrail {
  /** Every entry recorded, in order (empty when streaming to files). */
  readonly entries: AuditEntry[] = [];
  readonly key: string | undefined;
  private now: number;
  private readonly stepMs: number;
  private readonly process: { pid: number; hostname: string };
  private readonly out: DayFileStream | undefined;
  private last: AuditEntry | undefined;
  /** Characters of the lines streamed so far (bytes, for ASCII entries). */
  streamed = 0;
  private firstDay: string | undefined;

  constructor(options: SyntheticTrailOptions = {}) {
    this.key = options.key;
    this.now = Date.parse(options.start ?? "2025-03-10T08:00:00.000Z");
    this.stepMs = options.stepMs ?? 1000;
    this.process = options.process ?? { pid: 4242, hostname: "test-host" };
    this.out = options.streamTo === undefined ? undefined : new DayFileStream(options.streamTo);
  }

  /** The shared clock: returns the current time and moves it on by one step. */
  tick(): string {
    const ts = new Date(this.now).toISOString();
    this.now += this.stepMs;
    return ts;
  }

  /** Moves the shared clock to `iso` (e.g. across midnight). */
  at(iso: string): this {
    this.now = Date.parse(iso);
    return this;
  }

  /**
   * A new writer (a process start): its first entry is `audit.chain.started`, linking the last
   * entry recorded so far by another writer like the runtime does, or the head of `link` when
   * given (null: no previous writer).
   */
  writer(options: { id?: string; chainStarted?: boolean; link?: SyntheticWriter | null; ts?: string } = {}): SyntheticWriter {
    writerCounter += 1;
    const writer = new SyntheticWriter(options.id ?? `w${writerCounter.toString(16).padStart(11, "0")}`, this);
    if (options.chainStarted === false) return writer;
    const last = options.link === undefined ? this.last : options.link && options.link.seq > 0 ? { writer: options.link.id, seq: options.link.seq, hash: options.link.hash } : undefined;
    writer.record({
      ...(options.ts ? { ts: options.ts } : {}),
      category: "admin",
      action: CHAIN_STARTED_ACTION,
      actor: { id: "monwire", type: "system" },
      tenant: "none",
      data: {
        alg: hashAlgorithm(this.key), pid: this.process.pid, hostname: this.process.hostname, prev_writer: last ? { writer: last.writer, seq: last.seq, hash: last.hash } : null,
        // As the runtime writer: a keyed trail names its key id, and its first writer says signing began.
        ...(this.key ? { key_id: keyId(this.key), ...(last ? {} : { signing_began: true }) } : {}),
      },
    });
    return writer;
  }

  /** Called by writers for each entry they record, with its line. */
  add(entry: AuditEntry, line: string): void {
    this.last = entry;
    this.firstDay ??= utcDay(entry.ts);
    if (!this.out) {
      this.entries.push(entry);
      return;
    }
    this.streamed += line.length;
    this.out.append(utcDay(entry.ts), line);
  }

  /** The trail's lines grouped by UTC day file, each line with its "\n". */
  linesByDay(): Map<string, string[]> {
    const days = new Map<string, string[]>();
    for (const entry of this.entries) {
      const day = utcDay(entry.ts);
      const lines = days.get(day) ?? [];
      lines.push(formatAuditLine(entry));
      days.set(day, lines);
    }
    return days;
  }

  /** Writes one `audit-DAY.log` per day into `dir` (created if needed); returns the paths. */
  async write(dir: string): Promise<string[]> {
    await mkdir(dir, { recursive: true });
    const paths: string[] = [];
    for (const [day, lines] of this.linesByDay()) {
      const path = join(dir, dayFileName(day));
      await writeFile(path, lines.join(""));
      paths.push(path);
    }
    return paths;
  }

  /** Flushes and closes the day files of a streamed trail. */
  close(): void {
    this.out?.close();
  }

  /** Seals every day from the first recorded one through `throughDay` with the trail's key. */
  async seal(dir: string, throughDay: string): Promise<Anchor[]> {
    return sealThrough({ dir, throughDay, firstDay: this.firstDay ?? throughDay, key: this.key, now: new Date(Date.parse(`${throughDay}T00:00:00.000Z`) + 2 * 86_400_000) });
  }
}

/** Appends lines to day files through a few large writes: one open file at a time, in day order. */
class DayFileStream {
  private day: string | undefined;
  private fd: number | undefined;
  private pending: string[] = [];
  private pendingLength = 0;

  constructor(private readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  append(day: string, line: string): void {
    if (day !== this.day) {
      this.close();
      this.day = day;
      this.fd = openSync(join(this.dir, dayFileName(day)), "a");
    }
    this.pending.push(line);
    this.pendingLength += line.length;
    if (this.pendingLength > 4 << 20) this.flush();
  }

  close(): void {
    this.flush();
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    this.day = undefined;
  }

  private flush(): void {
    if (this.fd !== undefined && this.pending.length > 0) writeSync(this.fd, this.pending.join(""));
    this.pending = [];
    this.pendingLength = 0;
  }
}
