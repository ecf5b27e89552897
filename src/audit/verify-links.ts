import { loadAnchor, type LoadedAnchor } from "./verify-anchor.js";
import type { SegmentResult, VerifyIssue } from "./verify-types.js";

/**
 * Checks every anchor an entry names (the newest anchor a writer found when it started, the
 * anchor a writer just sealed) against the directory: it must exist with that hash. Entries are
 * chained (and signed, with a key), so this binds the anchors into the entry chains: deleting or
 * replacing an anchor that any later entry names is a finding even when nothing else refers to it.
 * Returns the issues per day file, with file-wide line numbers.
 */
export async function checkAnchorLinks(options: {
  dir: string;
  /** Segment indexes per day, in file order. */
  segmentsByDay: Map<string, number[]>;
  results: (SegmentResult | undefined)[];
  anchors: Map<string, LoadedAnchor>;
  /** Days through this one were pruned with their anchors (audit-pruned.json). */
  prunedThrough: string | undefined;
}): Promise<Map<string, VerifyIssue[]>> {
  const byDay = new Map<string, VerifyIssue[]>();
  const known = new Map(options.anchors);
  for (const [day, indexes] of options.segmentsByDay) {
    let offset = 0;
    for (const index of indexes) {
      const result = options.results[index];
      for (const link of result?.anchorLinks ?? []) {
        if (options.prunedThrough !== undefined && link.day <= options.prunedThrough) continue;
        if (!known.has(link.day)) known.set(link.day, (await loadAnchor(options.dir, link.day)) ?? { day: link.day, name: "", problem: "missing" });
        const loaded = known.get(link.day) as LoadedAnchor;
        const line = offset + link.line;
        const where = `line ${line} (writer ${link.writer}) names the anchor of ${link.day}`;
        let message: string | undefined;
        if (loaded.problem === "missing") message = `${where}, which is gone: the anchor was deleted`;
        else if (loaded.anchor && loaded.anchor.hash !== link.hash) message = `${where}, whose hash differs: the anchor was replaced`;
        if (!message) continue;
        const issues = byDay.get(day) ?? [];
        issues.push({ kind: "anchor_link", severity: "tamper", line, writer: link.writer, message });
        byDay.set(day, issues);
      }
      offset += result?.lines ?? 0;
    }
  }
  return byDay;
}
