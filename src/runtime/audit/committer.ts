import { GENESIS_HASH } from "../../audit/chain.js";
import type { AuditEntry } from "../../audit/entry.js";
import { MonwireError } from "../../errors.js";
import type { BuiltEntry } from "./build-entry.js";
import { AppendFailure, type DayFiles } from "./day-files.js";
import { chainEntry, type ChainedEntry } from "./serialize.js";

/** An entry waiting for its write, with the settle functions of its record() promise. */
export interface PendingEntry {
  built: BuiltEntry;
  resolve: (entry: AuditEntry) => void;
  reject: (error: Error) => void;
  /** Only opens the chain (writes audit.chain.started when nothing did yet); no entry of its own. */
  startOnly?: boolean;
}

export interface CommitterSettings {
  writer: string;
  key: string | undefined;
  files: DayFiles;
  /**
   * The writer's first entry (audit.chain.started), built when the chain (re)starts at seq 1. It
   * takes the timestamp of the entry it precedes, so timestamps never run backwards in a chain.
   */
  buildStartEntry: (ts: string) => Promise<BuiltEntry>;
  onWritten: (entries: readonly AuditEntry[]) => void;
  onFailed: (rejected: number) => void;
}

/** One write call carries at most this much, so concurrent appenders never wait on a huge batch. */
export const MAX_BATCH_BYTES = 256 * 1024;

interface Slot extends ChainedEntry {
  pending: PendingEntry | undefined;
}

/**
 * Group commit: entries recorded while a write is in flight queue up and go out together in one
 * write call (per day file). The chain (seq, prev) is assigned when a batch is formed, so a failed
 * batch rolls the chain back and the next batch reuses the same positions: no gaps, no duplicates.
 */
export class Committer {
  private queue: PendingEntry[] = [];
  private running = false;
  private seq = 0;
  private prev = GENESIS_HASH;
  private idleWaiters: (() => void)[] = [];
  /** Successful append calls: with concurrent records, far fewer than entries (group commit). */
  writeCalls = 0;

  constructor(private readonly settings: CommitterSettings) {}

  /** The last chained position: seq 0 before the first write. */
  get head(): { seq: number; hash: string } {
    return { seq: this.seq, hash: this.prev };
  }

  push(pending: PendingEntry): void {
    this.queue.push(pending);
    if (this.running) return;
    this.running = true;
    // Start on a microtask, so entries recorded in the same tick share the first write too.
    queueMicrotask(() => void this.drain());
  }

  /** Resolves when everything queued so far has been written or rejected. */
  idle(): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const taken = this.queue;
      this.queue = [];
      try {
        await this.commit(taken);
      } catch (error) {
        // commit() settles every entry itself; this only guards against a bug leaving callers hanging.
        const failure = error instanceof MonwireError ? error : new MonwireError("E_AUDIT_WRITE", `audit batch failed: ${String(error)}`, { cause: error });
        for (const pending of taken) pending.reject(failure);
      }
    }
    this.running = false;
    for (const wake of this.idleWaiters.splice(0)) wake();
  }

  /** Writes `taken` in batches of at most MAX_BATCH_BYTES; what does not fit waits in front of the queue. */
  private async commit(taken: PendingEntry[]): Promise<void> {
    const slots: Slot[] = [];
    if (this.seq === 0) {
      const start = this.chain(await this.settings.buildStartEntry((taken[0] as PendingEntry).built.body.ts));
      slots.push({ entry: start.entry, line: start.line, pending: undefined });
    }
    let bytes = 0;
    let used = 0;
    for (; used < taken.length && bytes < MAX_BATCH_BYTES; used++) {
      const pending = taken[used] as PendingEntry;
      if (pending.startOnly) {
        // The chain is open once its start entry is written: ride along with it, or settle now.
        const start = slots[0];
        if (start && start.pending === undefined && start.line !== "") slots.push({ entry: start.entry, line: "", pending });
        else pending.resolve(start?.entry ?? ({ seq: this.seq, hash: this.prev } as AuditEntry));
        continue;
      }
      const { entry, line } = this.chain(pending.built);
      bytes += line.length;
      slots.push({ entry, line, pending });
    }
    if (used < taken.length) this.queue = taken.slice(used).concat(this.queue);
    await this.writeRuns(slots);
  }

  /** Assigns the next chain position; rolled back by writeRuns when the write fails. */
  private chain(built: BuiltEntry): ChainedEntry {
    const chained = chainEntry(built, { writer: this.settings.writer, seq: this.seq + 1, prev: this.prev }, this.settings.key);
    this.seq = chained.entry.seq;
    this.prev = chained.entry.hash;
    return chained;
  }

  /** Entries of one batch grouped into consecutive runs of the same UTC day: one write per run. */
  private async writeRuns(slots: Slot[]): Promise<void> {
    const written: AuditEntry[] = [];
    let start = 0;
    while (start < slots.length) {
      const day = (slots[start] as Slot).entry.ts.slice(0, 10);
      let end = start + 1;
      while (end < slots.length && (slots[end] as Slot).entry.ts.slice(0, 10) === day) end++;
      const run = slots.slice(start, end);
      try {
        await this.settings.files.append(day, run.map((s) => s.line).join(""));
        this.writeCalls += 1;
        await this.settings.files.retainOnly(day);
      } catch (error) {
        this.settle(written, slots.slice(0, start));
        this.fail(slots.slice(start), run, error);
        return;
      }
      for (const slot of run) if (slot.line !== "") written.push(slot.entry);
      start = end;
    }
    this.settle(written, slots);
  }

  private settle(written: AuditEntry[], slots: Slot[]): void {
    for (const slot of slots) slot.pending?.resolve(slot.entry);
    // Counting must never turn a durable write into a failure or leave callers hanging.
    if (written.length > 0) guard(() => this.settings.onWritten(written));
  }

  /**
   * Rejects the failed run and everything after it. The chain rolls back to the last line that is
   * really in the file: normally the line before the run, since a partial write is truncated away;
   * if truncation was impossible, complete lines that stayed on disk keep their place in the chain.
   */
  private fail(rejected: Slot[], run: Slot[], error: unknown): void {
    const failure = error instanceof AppendFailure ? error.error : new MonwireError("E_AUDIT_WRITE", `audit write failed: ${String(error)}`, { cause: error });
    let persisted = error instanceof AppendFailure ? error.persistedBytes : 0;
    let lastKept: Slot | undefined;
    for (const slot of run) {
      persisted -= Buffer.byteLength(slot.line, "utf8");
      if (persisted < 0) break;
      lastKept = slot;
    }
    const first = run[0] as Slot;
    this.seq = lastKept ? lastKept.entry.seq : first.entry.seq - 1;
    this.prev = lastKept ? lastKept.entry.hash : first.entry.prev;
    const callers = rejected.filter((s) => s.pending !== undefined);
    for (const slot of callers) slot.pending?.reject(failure);
    guard(() => this.settings.onFailed(callers.length));
  }
}

function guard(fn: () => void): void {
  try {
    fn();
  } catch {
    // Bookkeeping (metrics, sealing) is best effort; the entries are already settled.
  }
}
