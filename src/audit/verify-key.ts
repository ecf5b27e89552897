import { addDays, keyId } from "./chain.js";
import type { DayFile } from "./files.js";
import type { LoadedAnchor } from "./verify-anchor.js";
import { summarizeReport } from "./verify-summary.js";
import type { SegmentResult, VerifyReport } from "./verify-types.js";

// The key checks of a verification: where signing with the key began, and whether the key given
// is the trail's at all.

/** A day file and the indexes of its segment tasks, in file order. */
interface PlannedFile {
  file: DayFile;
  tasks: number[];
}

/**
 * Where the trail records that signing with the key began: the first audit.chain.started,
 * verified with the key, that says so — as the ordinal of its segment in trail order (the order
 * TrailChain joins them in), its line, and its day.
 */
export function findSigningBegan(from: string, to: string, byDay: Map<string, PlannedFile>, results: (SegmentResult | undefined)[]) {
  let ordinal = 0;
  for (let day = from; day <= to; day = addDays(day, 1)) {
    const plan = byDay.get(day);
    if (!plan) continue;
    for (const index of plan.tasks) {
      const line = results[index]?.signingBegan;
      if (line !== undefined) return { segment: ordinal, line, day, where: `${plan.file.name}, in audit.chain.started at segment line ${line}` };
      ordinal += 1;
    }
  }
  return undefined;
}

/** The key ids the trail names when none of them is the given key's; undefined otherwise. */
export function wrongKey(key: string, results: (SegmentResult | undefined)[], anchors: Map<string, LoadedAnchor>): { given: string; trail: string[] } | undefined {
  const ids = new Set<string>();
  for (const result of results) for (const id of result?.keyIds ?? []) ids.add(id);
  for (const loaded of anchors.values()) if (loaded.anchor?.alg === "hmac-sha256" && typeof loaded.anchor.key_id === "string") ids.add(loaded.anchor.key_id);
  const given = keyId(key);
  return ids.size > 0 && !ids.has(given) ? { given, trail: [...ids].sort() } : undefined;
}

/**
 * The report for a key that signed nothing in the trail: one finding instead of every line and
 * anchor reported as tampered. Exit 1 like tampering: the verifier cannot tell a mistyped key from
 * a trail re-signed with another key, and a trail is never taken as proven on a key's say-so.
 */
export function wrongKeyReport(parts: { dir: string; from: string; to: string; wrong: { given: string; trail: string[] }; keyEnv: string }): VerifyReport {
  const report = summarizeReport({ dir: parts.dir, from: parts.from, to: parts.to, keyed: true, days: [], writers: 0, checkpoint: undefined, notes: [] });
  return {
    ...report, status: "tampered", wrongKey: parts.wrong,
    hint: `${parts.keyEnv} has key id ${parts.wrong.given}, the trail was signed with key id ${parts.wrong.trail.join(", ")}: set ${parts.keyEnv} to the key the trail was written with. If it is that key, the trail was re-signed with another key: treat it as tampered.`,
  };
}
