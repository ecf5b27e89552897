import { appendFile, mkdir, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { sealThrough, type Anchor } from "../../src/audit/anchor.js";
import { CHAIN_STARTED_ACTION, GENESIS_HASH, computeEntryHash, dayFileName, formatAuditLine, hashAlgorithm, keyId, utcDay } from "../../src/audit/chain.js";
import type { AuditEntry } from "../../src/audit/entry.js";

/**
 * Builds audit trails for tests without the runtime writer: entries are chained exactly as
 * Contract 2 says (computeEntryHash over the canonical entry), so a trail written here must verify.
 * Entries keep the order they were recorded in, which is how several writers interleave in a file.
 */
export type TestEvent = Partial<Omit<AuditEntry, "v" | "writer" | "seq" | "prev" | "hash">>;

export interface TestTrailOptions {
  /** HMAC key; without it the chain uses plain SHA-256. */
  key?: string;
  /** Time of the first entry (ISO, UTC); default 2025-03-10T08:00:00.000Z. */
  start?: string;
  /** How far the shared clock moves per entry; default 1 s. */
  stepMs?: number;
}

export class TestWriter {
  seq = 0;
  hash = GENESIS_HASH;

  constructor(readonly id: string, private readonly trail: TestTrail) {}

  /** Appends one chained entry; defaults make a valid wallet deposit. */
  record(event: TestEvent = {}): AuditEntry {
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
    const entry = { ...body, hash: computeEntryHash(body, this.trail.key) } as AuditEntry;
    this.seq = entry.seq;
    this.hash = entry.hash;
    this.trail.entries.push(entry);
    return entry;
  }
}

let writerCounter = 0;

export class TestTrail {
  readonly entries: AuditEntry[] = [];
  readonly key: string | undefined;
  private now: number;
  private readonly stepMs: number;

  constructor(options: TestTrailOptions = {}) {
    this.key = options.key;
    this.now = Date.parse(options.start ?? "2025-03-10T08:00:00.000Z");
    this.stepMs = options.stepMs ?? 1000;
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
   * entry recorded so far by another writer, like the runtime does.
   */
  writer(options: { id?: string; chainStarted?: boolean } = {}): TestWriter {
    writerCounter += 1;
    const writer = new TestWriter(options.id ?? `w${writerCounter.toString(16).padStart(11, "0")}`, this);
    if (options.chainStarted !== false) {
      const last = this.entries[this.entries.length - 1];
      writer.record({
        category: "admin",
        action: CHAIN_STARTED_ACTION,
        actor: { id: "monwire", type: "system" },
        tenant: "none",
        data: {
          alg: hashAlgorithm(this.key), pid: 4242, hostname: "test-host", prev_writer: last ? { writer: last.writer, seq: last.seq, hash: last.hash } : null,
          // As the runtime writer: a keyed trail names its key id, and its first writer says signing began.
          ...(this.key ? { key_id: keyId(this.key), ...(last ? {} : { signing_began: true }) } : {}),
        },
      });
    }
    return writer;
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

  /** Seals every day from the first recorded one through `throughDay` with the trail's key. */
  async seal(dir: string, throughDay: string): Promise<Anchor[]> {
    const first = this.entries[0];
    return sealThrough({ dir, throughDay, firstDay: first ? utcDay(first.ts) : throughDay, key: this.key, now: new Date(Date.parse(`${throughDay}T00:00:00.000Z`) + 2 * 86_400_000) });
  }
}

/** A file's lines without their "\n" (a final unterminated line is included as is). */
export async function readLines(path: string): Promise<string[]> {
  const text = await readFile(path, "utf8");
  const lines = text.split("\n");
  if (text.endsWith("\n")) lines.pop();
  return lines;
}

/** Writes lines back, each with "\n" unless `terminated` is false for the last one. */
export async function writeLines(path: string, lines: string[], options: { terminated?: boolean } = {}): Promise<void> {
  const text = lines.join("\n") + (options.terminated === false || lines.length === 0 ? "" : "\n");
  await writeFile(path, text);
}

/** Appends raw text to a file (e.g. a torn fragment). */
export async function appendRaw(path: string, text: string): Promise<void> {
  await appendFile(path, text);
}

/** The entry's line (no "\n") after changing fields and recomputing its hash, as a forger would. */
export function reforgeLine(line: string, change: Partial<AuditEntry>, key?: string): string {
  const entry = { ...(JSON.parse(line) as AuditEntry), ...change };
  const { hash: _old, ...body } = entry;
  return formatAuditLine({ ...entry, hash: computeEntryHash(body, key) }).slice(0, -1);
}

/**
 * A forger without the key: rewrites every day file of `dir` with plain SHA-256 (chain.started
 * entries declaring sha256 and no key id), deletes every anchor and seals the days before
 * `today` again without a key. Returns the rewritten days.
 */
export async function downgradeTrail(dir: string, today: string): Promise<string[]> {
  const names = (await readdir(dir)).sort();
  for (const name of names.filter((n) => n.endsWith(".anchor.json"))) await rm(join(dir, name));
  const days = names.flatMap((n) => /^audit-(\d{4}-\d{2}-\d{2})\.log$/.exec(n)?.[1] ?? []);
  const heads = new Map<string, string>();
  const renamed = new Map<string, string>();
  for (const day of days) {
    const out: string[] = [];
    for (const line of await readLines(join(dir, dayFileName(day)))) {
      const entry = JSON.parse(line) as AuditEntry;
      if (entry.action === CHAIN_STARTED_ACTION) {
        const { key_id: _k, signing_began: _s, ...data } = entry.data as Record<string, unknown>;
        const link = data.prev_writer as { hash: string } | null;
        entry.data = { ...data, alg: "sha256", prev_writer: link ? { ...link, hash: renamed.get(link.hash) ?? link.hash } : null };
      }
      const { hash: old, ...body } = { ...entry, prev: heads.get(entry.writer) ?? entry.prev };
      const hash = computeEntryHash(body, undefined);
      renamed.set(old, hash);
      heads.set(entry.writer, hash);
      out.push(formatAuditLine({ ...body, hash } as AuditEntry));
    }
    await writeFile(join(dir, dayFileName(day)), out.join(""));
  }
  const first = days[0];
  const through = new Date(Date.parse(`${today}T00:00:00.000Z`) - 86_400_000).toISOString().slice(0, 10);
  if (first && first <= through) await sealThrough({ dir, throughDay: through, firstDay: first, key: undefined, now: new Date(`${today}T12:00:00.000Z`) });
  return days;
}
