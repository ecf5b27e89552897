import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { access } from "node:fs/promises";
import { join, resolve } from "node:path";
import { newestAnchorLink, type Anchor } from "../../audit/anchor.js";
import { CHAIN_STARTED_ACTION, DAY_SEALED_ACTION, anchorFileName, hashAlgorithm, keyId, type HashAlgorithm } from "../../audit/chain.js";
import { AUDIT_FORMAT_VERSION, type AuditEntry } from "../../audit/entry.js";
import { keyFromEnv } from "../../audit/trail-key.js";
import { MonwireError } from "../../errors.js";
import { DEFAULT_SEAL_GRACE_SECONDS } from "../../config/schema.js";
import { TENANT_NONE, TENANT_UNKNOWN } from "../../metrics/catalog.js";
import { getMetrics } from "../metrics.js";
import { buildEntry, type AuditRecordInput, type BuiltEntry } from "./build-entry.js";
import { Committer } from "./committer.js";
import { DayFiles, DEFAULT_MODES } from "./day-files.js";
import { markAuditedByApp } from "./direct-calls.js";
import { createCategoryHelpers, type CategoryHelpers } from "./helpers.js";
import { findPreviousHead, previousHeadSigned } from "./previous-head.js";
import { Sealer } from "./sealer.js";

export interface AuditTrailOptions {
  /** Directory of the day files; created (0750) on the first write when missing. */
  dir: string;
  /** "write": resolve once the kernel has the line (survives a killed process); "fsync": once it is on disk (survives power loss). */
  durability?: "write" | "fsync";
  /** HMAC key for the chain. Prefer `keyEnv`; the key is never written anywhere. */
  key?: string;
  /** Name of the environment variable holding the HMAC key; unset or empty means an unkeyed (SHA-256) chain. */
  keyEnv?: string;
  /** Configured tenants and their currencies (amounts default to the tenant's currency). */
  tenants?: { values?: readonly string[]; currency?: Readonly<Record<string, string>> };
  /** Source of entry timestamps and of the UTC day; injectable for tests. */
  clock?: () => Date;
  /**
   * Milliseconds after UTC midnight before the previous day is sealed with an anchor (default
   * 600000, audit.sealGraceSeconds): writers whose clocks lag by less land their entries first.
   */
  sealGraceMs?: number;
  /** Permissions of new day files (default 0o640) and of the directory when created (default 0o750); the umask may only remove bits. */
  fileMode?: number;
  dirMode?: number;
  /** Receives background problems (anchor sealing failures); defaults to process.emitWarning. */
  onWarning?: (message: string, error: unknown) => void;
  /**
   * Also hands each batch of entries, once written, to the host: e.g. to its own winston logger
   * for a transport monwire does not have. Called after the write, never on the record() path;
   * a throw is reported through onWarning and changes nothing on disk. Do not mutate the entries.
   */
  onWritten?: (entries: readonly AuditEntry[]) => void;
}

/** record() for the audit sink: business events, which route rules already account for. */
export const RECORD_EVENT = Symbol.for("monwire.audit.recordEvent");

/** A durable, hash-chained audit trail. Create one per process with createAuditTrail(). */
export interface AuditTrail extends CategoryHelpers {
  /** The sink's record(): like `record`, without marking the request's rule event as written by the app. */
  readonly [RECORD_EVENT]?: (event: AuditRecordInput) => Promise<AuditEntry>;
  readonly dir: string;
  /** This process's random writer id. */
  readonly writer: string;
  readonly algorithm: HashAlgorithm;
  readonly durability: "write" | "fsync";
  /**
   * Validates, redacts and writes one entry. Resolves with the written entry only after it is in
   * the file (`write`) or on disk (`fsync`); rejects with MonwireError E_AUDIT_INVALID for a bad
   * event and E_AUDIT_WRITE when the write failed (nothing of it stays in the chain).
   */
  record(event: AuditRecordInput): Promise<AuditEntry>;
  /**
   * Opens the chain now: the day file and this writer's audit.chain.started entry exist before the
   * first business event. Rejects (E_AUDIT_WRITE) when the directory cannot be written.
   */
  open(): Promise<void>;
  /** Resolves when every entry recorded so far has been written or rejected (and sealing they triggered is done). */
  flush(): Promise<void>;
  /** Flushes, waits for a seal in progress, and closes the files; later records reject with E_AUDIT_CLOSED. */
  close(): Promise<void>;
  /** Counters for health checks and tests. */
  stats(): AuditTrailStats;
}

export interface AuditTrailStats {
  /** The last chained position: seq 0 before the first write. */
  seq: number;
  hash: string;
  /** Entries written (this process's chain.started included) and entries rejected by a failed write. */
  written: number;
  failed: number;
  /** Append calls that succeeded; fewer than `written` whenever group commit batched entries. */
  writeCalls: number;
  /** Background anchor sealing failures (each also reported through onWarning). */
  sealFailures: number;
}

function checkOptions(options: AuditTrailOptions): void {
  if (typeof options !== "object" || options === null || typeof options.dir !== "string" || options.dir.length === 0) {
    throw new MonwireError("E_OPTION_INVALID", "createAuditTrail: options.dir must be a directory path", { hint: 'Pass {dir: "logs"} (relative paths resolve against the working directory).' });
  }
  if (options.durability !== undefined && options.durability !== "write" && options.durability !== "fsync") {
    throw new MonwireError("E_OPTION_INVALID", `createAuditTrail: options.durability must be "write" or "fsync", got ${JSON.stringify(options.durability)}`, { hint: 'Use "write" (survives a crash) or "fsync" (survives power loss).' });
  }
  for (const field of ["fileMode", "dirMode"] as const) {
    const mode = options[field];
    if (mode !== undefined && !(Number.isInteger(mode) && mode >= 0 && mode <= 0o777)) {
      throw new MonwireError("E_OPTION_INVALID", `createAuditTrail: options.${field} must be a permission number like 0o640`, { hint: "Leave it unset for 0o640 (files) and 0o750 (directory)." });
    }
  }
  if (options.onWritten !== undefined && typeof options.onWritten !== "function") {
    throw new MonwireError("E_OPTION_INVALID", "createAuditTrail: options.onWritten must be a function", { hint: "Pass (entries) => { … } or leave it unset." });
  }
  if (options.sealGraceMs !== undefined && !(Number.isInteger(options.sealGraceMs) && options.sealGraceMs >= 0)) {
    throw new MonwireError("E_OPTION_INVALID", "createAuditTrail: options.sealGraceMs must be an integer ≥ 0", { hint: "Leave it unset for the default 600000 ms (10 minutes)." });
  }
  const tenants = options.tenants;
  if (tenants !== undefined && (typeof tenants !== "object" || tenants === null || Array.isArray(tenants) || (tenants.values !== undefined && !Array.isArray(tenants.values)))) {
    throw new MonwireError("E_OPTION_INVALID", "createAuditTrail: options.tenants must be an object like { values: [\"EUR\", \"KM\"] }", { hint: 'Pass {tenants: {values: ["EUR", "KM"], currency: {EUR: "EUR"}}} or leave it unset.' });
  }
}

/** Bounded tenant label for audit_events_total: a configured tenant, "none", else "unknown". */
function tenantLabel(tenant: string, values: ReadonlySet<string>): string {
  return values.has(tenant) || tenant === TENANT_NONE ? tenant : TENANT_UNKNOWN;
}

/**
 * Creates the process's audit trail writer (Contract 2): canonical JSON lines in UTC day files,
 * a per-writer hash chain (HMAC when keyed), group-committed appends, anchors for closed days.
 * Options are checked here, once; the hot path only builds, queues and awaits.
 */
export function createAuditTrail(options: AuditTrailOptions): AuditTrail {
  checkOptions(options);
  const dir = resolve(options.dir);
  const durability = options.durability ?? "write";
  const key = options.key || (options.keyEnv ? keyFromEnv(options.keyEnv) : undefined);
  const clock = options.clock ?? (() => new Date());
  const writer = randomBytes(6).toString("hex");
  const tenantValues = new Set(options.tenants?.values ?? []);
  const settings = { currency: { ...options.tenants?.currency }, clock };
  const warn = options.onWarning ?? ((message: string) => process.emitWarning(message, { code: "MONWIRE_AUDIT" }));
  const metrics = getMetrics();
  const counts = { written: 0, failed: 0 };
  const forward = options.onWritten;

  const startEntry = async (ts: string): Promise<BuiltEntry> => ({
    body: {
      v: AUDIT_FORMAT_VERSION,
      ts,
      category: "admin",
      action: CHAIN_STARTED_ACTION,
      outcome: "success",
      tenant: TENANT_NONE,
      actor: { id: "monwire", type: "system" },
      data: {
        alg: hashAlgorithm(key), pid: process.pid, hostname: hostname(), prev_writer: await findPreviousHead(dir, writer),
        // The newest anchor, bound into this chain: deleting or replacing it later breaks the link.
        prev_anchor: await newestAnchorLink(dir),
        // Signed, so verify knows where signing with this key began: unsigned entries before
        // this one are history, unsigned entries after it are a key downgrade.
        ...(key ? { key_id: keyId(key), ...((await previousHeadSigned(dir, writer, key)) ? {} : { signing_began: true }) } : {}),
      },
    },
  });
  const sealer = new Sealer({
    dir, key, clock, graceMs: options.sealGraceMs ?? DEFAULT_SEAL_GRACE_SECONDS * 1000,
    onError: (error) => warn(`monwire audit: sealing closed days in ${dir} failed: ${(error as Error).message}`, error),
    onSealed(anchors) {
      // The newest anchor this process wrote, recorded in its chain (each anchor links the one
      // before): deleting or replacing any sealed anchor afterwards is a finding for verify.
      const anchor = anchors[anchors.length - 1] as Anchor;
      append({ category: "admin", action: DAY_SEALED_ACTION, tenant: TENANT_NONE, actor: { id: "monwire", type: "system" }, data: { anchor: { day: anchor.day, hash: anchor.hash } } })
        .catch((error: unknown) => warn(`monwire audit: recording the anchor of ${anchor.day} in the chain failed: ${(error as Error).message}`, error));
    },
  });
  const files = new DayFiles(dir, durability === "fsync", { file: options.fileMode ?? DEFAULT_MODES.file, dir: options.dirMode ?? DEFAULT_MODES.dir });
  const committer = new Committer({
    writer, key, files, buildStartEntry: startEntry,
    isSealed: (day) => access(join(dir, anchorFileName(day))).then(() => true, () => false),
    onWritten(entries) {
      counts.written += entries.length;
      // One increment per label set per batch rather than per entry.
      const series = new Map<string, { category: string; outcome: string; tenant: string; n: number }>();
      for (const e of entries) {
        const tenant = tenantLabel(e.tenant, tenantValues);
        const id = `${e.category}\u0000${e.outcome}\u0000${tenant}`;
        const one = series.get(id);
        if (one) one.n += 1;
        else series.set(id, { category: e.category, outcome: e.outcome, tenant, n: 1 });
      }
      for (const { n, ...labels } of series.values()) metrics.auditEvents.inc(labels, n);
      metrics.auditChainHead.set({ writer }, (entries[entries.length - 1] as AuditEntry).seq);
      sealer.afterWrite();
      if (forward) {
        try {
          forward(entries);
        } catch (error) {
          warn(`monwire audit: onWritten threw (the entries are written): ${(error as Error)?.message ?? String(error)}`, error);
        }
      }
    },
    onFailed: (rejected) => {
      counts.failed += rejected;
      if (rejected > 0) metrics.auditWriteErrors.inc(rejected);
    },
  });
  let closed = false;

  const record = (event: AuditRecordInput): Promise<AuditEntry> => {
    if (closed) return Promise.reject(new MonwireError("E_AUDIT_CLOSED", "audit trail is closed", { hint: "Record entries before monitoring.close() / audit.close()." }));
    return append(event);
  };
  /** record() without the closed check: the sealer's own entry may still land while closing. */
  const append = (event: AuditRecordInput): Promise<AuditEntry> => {
    let built: BuiltEntry;
    try {
      built = buildEntry(event, settings);
    } catch (error) {
      return Promise.reject(error);
    }
    // Straight to the group-commit queue, synchronously: flush() covers every entry recorded
    // before it, and no logging library sits between record() and the write (see docs/install.md).
    return new Promise<AuditEntry>((resolveEntry, rejectEntry) => committer.push({ built, resolve: resolveEntry, reject: rejectEntry }));
  };

  // What the app calls directly also tells a route rule for the same event in this request that
  // its entry is written; entries of business events (the audit sink) go through `record` itself.
  const recordDirect = (event: AuditRecordInput): Promise<AuditEntry> => {
    markAuditedByApp(event);
    return record(event);
  };

  return {
    dir, writer, durability,
    algorithm: hashAlgorithm(key),
    record: recordDirect,
    [RECORD_EVENT]: record,
    ...createCategoryHelpers(recordDirect),
    open() {
      if (closed) return Promise.reject(new MonwireError("E_AUDIT_CLOSED", "audit trail is closed", { hint: "Open the trail before monitoring.close() / audit.close()." }));
      return new Promise<void>((resolveOpen, rejectOpen) => {
        const built = { body: { ts: clock().toISOString() } } as BuiltEntry;
        committer.push({ built, resolve: () => resolveOpen(), reject: rejectOpen, startOnly: true });
      });
    },
    async flush() {
      await committer.idle();
      // Sealing that these writes triggered, and the entry that links its anchor.
      await sealer.idle();
      await committer.idle();
    },
    stats: () => ({ ...committer.head, ...counts, writeCalls: committer.writeCalls, sealFailures: sealer.failures }),
    async close() {
      if (closed) return;
      closed = true;
      await committer.idle();
      await sealer.idle();
      await committer.idle();
      await files.closeAll();
    },
  };
}
