import { appendFile, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { sealThrough } from "../../src/audit/anchor.js";
import { CHAIN_STARTED_ACTION, anchorFileName, computeEntryHash, dayFileName, formatAuditLine } from "../../src/audit/chain.js";
import { listAuditNames } from "../../src/audit/files.js";
import type { AuditEntry } from "../../src/audit/entry.js";

/**
 * Audit trails for tests come from the one synthetic-trail generator the benchmarks use too
 * (src/audit/synthetic-trail.ts): chained exactly as Contract 2 says, so a trail written here must
 * verify. This file adds what only tests do with a trail: read it back, edit it, forge it.
 */
export { SyntheticTrail as TestTrail, SyntheticWriter as TestWriter, type SyntheticEvent as TestEvent, type SyntheticTrailOptions as TestTrailOptions } from "../../src/audit/synthetic-trail.js";

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
  const { dayFiles, anchorDays } = await listAuditNames(dir);
  for (const day of anchorDays) await rm(join(dir, anchorFileName(day)));
  const days = dayFiles.flatMap((f) => (f.compressed ? [] : [f.day]));
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
