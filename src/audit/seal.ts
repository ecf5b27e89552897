import { readAnchor, sealThrough, type Anchor } from "./anchor.js";
import { addDays, isValidDay } from "./chain.js";
import { readCheckpoint } from "./checkpoint.js";
import { assertAuditDir, listAnchoredDays, listDayFiles, todayUtc } from "./files.js";
import { MonwireError } from "../errors.js";
import { DEFAULT_SEAL_GRACE_SECONDS } from "../config/schema.js";
import { DEFAULT_KEY_ENV, findSignedStart, keyMissingError } from "./trail-key.js";

export interface SealOptions {
  dir: string;
  /** Last day to seal; default yesterday (UTC). Today and later are refused. */
  through?: string;
  key: string | undefined;
  keyEnv?: string;
  now?: Date;
  /** audit.sealGraceSeconds: a day is sealed only this long after it closed (default 600). */
  graceSeconds?: number;
}

export interface SealResult {
  through: string;
  /** Anchors written by this run, oldest first (days with no events included). */
  sealed: Anchor[];
  /** The newest day that was already sealed before this run, if any. */
  previouslySealedThrough: string | undefined;
}

/**
 * Seals every closed UTC day through `through` that has no anchor yet, chained to the newest
 * existing anchor. Refuses today and future days (they can still receive entries) and refuses
 * to sign a keyed trail without its key, which would leave unsigned anchors in a signed chain.
 */
export async function sealAuditDir(options: SealOptions): Promise<SealResult> {
  const now = options.now ?? new Date();
  const today = todayUtc(now);
  const grace = options.graceSeconds ?? DEFAULT_SEAL_GRACE_SECONDS;
  // The newest day that closed at least `grace` ago: writers whose clocks lag may still be
  // writing into a day that closed more recently, and an anchor is never replaced.
  const newestClosed = addDays(todayUtc(new Date(now.getTime() - grace * 1000)), -1);
  const through = options.through ?? newestClosed;
  if (!isValidDay(through)) {
    throw new MonwireError("E_OPTION_INVALID", `--through ${JSON.stringify(through)} is not a day`, { hint: "Pass a UTC day in the form YYYY-MM-DD." });
  }
  if (through >= today) {
    throw new MonwireError("E_OPTION_INVALID", `cannot seal ${through}: only closed days (before today, ${today} UTC) can be sealed`, {
      hint: `Pass --through ${addDays(today, -1)} or earlier; today's file is still being written.`,
    });
  }
  if (through > newestClosed) {
    throw new MonwireError("E_OPTION_INVALID", `cannot seal ${through} yet: it closed less than ${grace} s ago (audit.sealGraceSeconds), and writers whose clocks lag may still write into it`, {
      hint: `Run mon seal again after ${new Date(Date.parse(`${today}T00:00:00.000Z`) + grace * 1000).toISOString()}, or pass --through ${newestClosed}.`,
    });
  }
  assertAuditDir(options.dir);
  const anchorDays = await listAnchoredDays(options.dir);
  const newest = anchorDays[anchorDays.length - 1];
  if (options.key === undefined) {
    const newestAnchor = newest ? await readAnchor(options.dir, newest) : undefined;
    const checkpoint = await readCheckpoint(options.dir).catch(() => undefined);
    const signed = newestAnchor?.alg === "hmac-sha256" ? `audit-${newest}.anchor.json`
      : checkpoint?.alg === "hmac-sha256" ? "audit-pruned.json"
      : await findSignedStart(await listDayFiles(options.dir, { to: through }));
    if (signed) throw keyMissingError(options.keyEnv ?? DEFAULT_KEY_ENV, signed);
  }
  const pruned = (await readCheckpoint(options.dir).catch(() => undefined))?.pruned_through;
  const files = (await listDayFiles(options.dir, { to: through })).filter((f) => pruned === undefined || f.day > pruned);
  const firstDay = files[0]?.day;
  if (firstDay === undefined && newest === undefined) return { through, sealed: [], previouslySealedThrough: undefined };
  const sealed = await sealThrough({ dir: options.dir, throughDay: through, firstDay: firstDay ?? through, key: options.key, now });
  return { through, sealed, previouslySealedThrough: newest };
}
