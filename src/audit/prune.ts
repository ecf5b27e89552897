import { stat, unlink } from "node:fs/promises";
import { join } from "node:path";
import { COMPLIANCE_MIN_RETENTION_DAYS } from "../config/schema.js";
import { MonwireError } from "../errors.js";
import { readAnchor } from "./anchor.js";
import { GENESIS_HASH, addDays, anchorFileName, hashAlgorithm } from "./chain.js";
import { computeCheckpointHash, readCheckpoint, writeCheckpoint, type CheckpointWriter, type PruneCheckpoint } from "./checkpoint.js";
import type { AuditEntry, AuditEvent } from "./entry.js";
import { assertAuditDir, listAuditNames, todayUtc } from "./files.js";
import { sealAuditDir } from "./seal.js";
import { verifyAuditDir } from "./verify.js";

export interface PruneOptions {
  dir: string;
  retentionDays: number;
  /** audit.retentionDays from the config: pruning inside it is refused. */
  configuredRetentionDays: number;
  /** Delete for real; without it the plan is returned and nothing changes (dry run). */
  yes: boolean;
  key: string | undefined;
  keyEnv?: string;
  now?: Date;
  /** Appends the `audit.pruned` admin entry to the trail (the CLI passes the runtime writer). */
  record?: (event: AuditEvent) => Promise<AuditEntry>;
}

export interface PruneDay {
  day: string;
  files: { name: string; bytes: number }[];
}

export interface PruneResult {
  dryRun: boolean;
  retentionDays: number;
  /** Days before this one are deleted; it and later days are kept. */
  keepFrom: string;
  days: PruneDay[];
  files: number;
  bytes: number;
  warnings: string[];
  checkpoint?: PruneCheckpoint;
  entry?: AuditEntry;
}

/**
 * Deletes whole UTC days (log, .gz and anchor) older than the retention, by the day in the file
 * name. A dry run (the default) returns the same plan without touching anything. For real, it
 * first seals every day it will delete plus the first day it keeps, checks that the range to
 * delete verifies, writes `audit-pruned.json` (so the kept trail still verifies from there),
 * deletes, and records an `admin` / `audit.pruned` entry.
 */
export async function pruneAuditDir(options: PruneOptions): Promise<PruneResult> {
  const { dir, retentionDays } = options;
  if (!Number.isSafeInteger(retentionDays) || retentionDays < 1) {
    throw new MonwireError("E_OPTION_INVALID", `--retention-days must be a whole number of days from 1 to ${Number.MAX_SAFE_INTEGER}, got ${retentionDays}`, { hint: "Pass the number of days to keep, e.g. --retention-days 2555 (seven years)." });
  }
  if (retentionDays < options.configuredRetentionDays) {
    throw new MonwireError("E_OPTION_INVALID", `--retention-days ${retentionDays} is inside the configured retention (audit.retentionDays = ${options.configuredRetentionDays})`, {
      hint: `Prune with --retention-days ${options.configuredRetentionDays} or more, or lower audit.retentionDays in mon.config.json if your retention rules allow it.`,
    });
  }
  assertAuditDir(dir);
  const now = options.now ?? new Date();
  const keepFrom = keepFromDay(todayUtc(now), retentionDays);
  const warnings = retentionDays < COMPLIANCE_MIN_RETENTION_DAYS
    ? [`retention of ${retentionDays} days is below the ${COMPLIANCE_MIN_RETENTION_DAYS}-day (seven-year) minimum usual for financial records`]
    : [];
  const plan = await planPrune(dir, keepFrom, { dryRun: !options.yes, retentionDays, warnings });
  if (plan.dryRun || plan.days.length === 0) return plan;

  // Seal what will be deleted (and the first kept day, whose anchor then links the deleted
  // range), then plan again so the new anchors are part of what goes.
  await sealAuditDir({ dir, through: keepFrom, key: options.key, keyEnv: options.keyEnv, now });
  const final = await planPrune(dir, keepFrom, { dryRun: false, retentionDays, warnings });
  const { days } = final;
  const last = days[days.length - 1] as PruneDay;
  const check = await verifyAuditDir({ dir, to: last.day, key: options.key, keyEnv: options.keyEnv });
  if (check.status === "tampered") {
    throw new MonwireError("E_AUDIT_INVALID", `refusing to prune: the days through ${last.day} do not verify (run mon verify --to ${last.day})`, {
      exitCode: 1,
      hint: "Investigate the tampering first: pruning would delete the evidence.",
    });
  }
  const checkpoint = await buildCheckpoint(dir, days, final, options.key, now);
  await writeCheckpoint(dir, checkpoint);
  for (const day of days) for (const file of day.files) await unlink(join(dir, file.name)).catch(ignoreMissing);
  const entry = await options.record?.({
    category: "admin",
    action: "audit.pruned",
    outcome: "success",
    data: {
      retention_days: retentionDays, from: days[0]?.day, through: last.day, days: days.length, files: final.files, bytes: final.bytes,
      last_anchor_hash: checkpoint.last_anchor?.hash ?? null, checkpoint_hash: checkpoint.hash,
    },
  });
  return { ...final, checkpoint, entry };
}

async function planPrune(dir: string, keepFrom: string, base: Pick<PruneResult, "dryRun" | "retentionDays" | "warnings">): Promise<PruneResult> {
  const days = await planDays(dir, keepFrom);
  return {
    ...base, keepFrom, days,
    files: days.reduce((n, d) => n + d.files.length, 0),
    bytes: days.reduce((n, d) => n + d.files.reduce((m, f) => m + f.bytes, 0), 0),
  };
}

/** Day files and anchors dated before `keepFrom`, grouped by day, oldest first. */
async function planDays(dir: string, keepFrom: string): Promise<PruneDay[]> {
  const byDay = new Map<string, PruneDay>();
  const listing = await listAuditNames(dir);
  const named = [...listing.dayFiles, ...listing.anchorDays.map((day) => ({ day, name: anchorFileName(day) }))].sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const { day, name } of named) {
    if (day >= keepFrom) continue;
    const entry = byDay.get(day) ?? { day, files: [] };
    entry.files.push({ name, bytes: (await stat(join(dir, name))).size });
    byDay.set(day, entry);
  }
  return [...byDay.values()].sort((a, b) => (a.day < b.day ? -1 : 1));
}

/** The checkpoint after this prune: newest deleted anchor, every writer's head, running totals. */
async function buildCheckpoint(dir: string, days: PruneDay[], plan: PruneResult, key: string | undefined, now: Date): Promise<PruneCheckpoint> {
  const previous = await readCheckpoint(dir);
  const writers = new Map<string, CheckpointWriter>((previous?.writers ?? []).map((w) => [w.writer, w]));
  let lastAnchor = previous?.last_anchor ?? null;
  for (const { day } of days) {
    const anchor = await readAnchor(dir, day);
    if (!anchor) continue;
    lastAnchor = { day, hash: anchor.hash };
    for (const w of anchor.writers) writers.set(w.writer, { writer: w.writer, last_seq: w.last_seq, last_hash: w.last_hash });
  }
  const body: Omit<PruneCheckpoint, "hash"> = {
    v: 1,
    pruned_through: days[days.length - 1]?.day ?? plan.keepFrom,
    pruned_at: now.toISOString(),
    last_anchor: lastAnchor,
    writers: [...writers.values()],
    deleted: {
      days: (previous?.deleted.days ?? 0) + days.length,
      files: (previous?.deleted.files ?? 0) + plan.files,
      bytes: (previous?.deleted.bytes ?? 0) + plan.bytes,
    },
    prev_checkpoint: previous?.hash ?? GENESIS_HASH,
    alg: hashAlgorithm(key),
  };
  return { ...body, hash: computeCheckpointHash(body, key) };
}

function ignoreMissing(error: NodeJS.ErrnoException): void {
  if (error.code !== "ENOENT") throw error;
}

/** No day file can be older than year 1; a longer retention keeps everything (and date math stays finite). */
const FIRST_DAY = "0001-01-01";

/** The first day kept: `retentionDays` before today, or FIRST_DAY when that lies before it. */
export function keepFromDay(today: string, retentionDays: number): string {
  const span = (Date.parse(`${today}T00:00:00.000Z`) - Date.parse(`${FIRST_DAY}T00:00:00.000Z`)) / 86_400_000;
  return retentionDays >= span ? FIRST_DAY : addDays(today, -retentionDays);
}
