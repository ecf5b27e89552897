import { MonwireError } from "../errors.js";
import type { TrailHead, WitnessWriter } from "./witness.js";
import type { VerifyIssue, WitnessVerdict } from "./verify-types.js";

/** What verify knows of a writer at the end of the trail. */
export interface TrailWriterHead {
  seq: number;
  hash: string;
  /** seq → hash of its last few entries. */
  recent: ReadonlyMap<number, string>;
}

/**
 * Compares the trail with a witness of its head: every writer the witness saw must reach at
 * least the seq it saw (with the same hash where both know it), and the newest anchor the
 * witness saw must still be there. `strictWriters`: a writer the witness saw that has no entries
 * in the trail is tampering (a file witness, or Prometheus narrowed to this trail by a selector);
 * otherwise it is only noted (Prometheus may also scrape other instances with their own trails).
 */
export async function checkWitness(input: {
  source: string;
  head: Pick<TrailHead, "last_anchor" | "writers">;
  problem?: string;
  headOf: (writer: string) => TrailWriterHead | undefined;
  anchorHash: (day: string) => Promise<string | undefined>;
  strictWriters: boolean;
  trailEmpty: boolean;
}): Promise<WitnessVerdict> {
  const issues: VerifyIssue[] = [];
  const tamper = (message: string, writer?: string) => issues.push({ kind: "witness", severity: "tamper", message, ...(writer ? { writer } : {}) });
  if (input.problem) tamper(input.problem);
  const anchor = input.head.last_anchor;
  if (anchor) {
    const hash = await input.anchorHash(anchor.day);
    if (hash === undefined) tamper(`the witness saw the anchor of ${anchor.day}, which is gone: the newest days were deleted`);
    else if (hash !== anchor.hash) tamper(`the witness saw another anchor of ${anchor.day} (hash ${anchor.hash.slice(0, 12)}…): the anchor was replaced`);
  }
  for (const seen of input.head.writers) checkWriter(seen, input, tamper, issues);
  const first = issues.find((i) => i.severity === "tamper");
  const more = issues.filter((i) => i.severity === "tamper").length - 1;
  return {
    source: input.source, status: first ? "invalid" : "valid", issues,
    verdict: first ? `INVALID: ${first.message}${more > 0 ? ` (+${more} more)` : ""}` : `valid — the trail reaches the head the witness saw (${input.head.writers.length} writer(s))`,
  };
}

function checkWriter(seen: WitnessWriter, input: Parameters<typeof checkWitness>[0], tamper: (message: string, writer?: string) => void, issues: VerifyIssue[]): void {
  const head = input.headOf(seen.writer);
  if (!head) {
    const message = `the witness saw writer ${seen.writer} at seq ${seen.seq}, but the trail has no entries of it`;
    if (input.strictWriters || input.trailEmpty) tamper(`${message}: they were deleted`, seen.writer);
    else issues.push({ kind: "witness", severity: "note", writer: seen.writer, message: `${message} (another instance's writer? narrow the query with --witness-selector)` });
    return;
  }
  if (head.seq < seen.seq) {
    tamper(`writer ${seen.writer} ends at seq ${head.seq}, but the witness saw seq ${seen.seq}: its newest ${seen.seq - head.seq} entries were deleted`, seen.writer);
    return;
  }
  const hash = head.seq === seen.seq ? head.hash : head.recent.get(seen.seq);
  if (seen.hash !== undefined && hash !== undefined && hash !== seen.hash) {
    tamper(`seq ${seen.seq} of writer ${seen.writer} differs from the one the witness saw: the entries were rewritten`, seen.writer);
  }
}

/**
 * The writers' heads Prometheus recorded from the runtime's audit_chain_head_seq gauge: the
 * highest seq each writer reached within `rangeDays` days (its history is the witness).
 */
export async function queryPrometheusHeads(url: string, options: { rangeDays: number; selector?: string; timeoutMs?: number }): Promise<WitnessWriter[]> {
  const selector = options.selector ?? "";
  const query = `max by (writer) (max_over_time(audit_chain_head_seq${selector}[${Math.max(1, Math.ceil(options.rangeDays))}d]))`;
  const endpoint = `${url.replace(/\/+$/, "")}/api/v1/query?${new URLSearchParams({ query })}`;
  let body: { status?: string; error?: string; data?: { result?: { metric?: { writer?: string }; value?: [number, string] }[] } };
  try {
    const response = await fetch(endpoint, { signal: AbortSignal.timeout(options.timeoutMs ?? 15_000) });
    body = (await response.json()) as typeof body;
    if (!response.ok || body.status !== "success") throw new Error(`HTTP ${response.status}${body.error ? `: ${body.error}` : ""}`);
  } catch (cause) {
    throw new MonwireError("E_WITNESS", `Prometheus at ${url} did not answer the witness query (${(cause as Error).message})`, {
      cause, hint: "Pass --witness prometheus=http://HOST:9090 (the server that scrapes the app's /metrics), and check --witness-selector.",
    });
  }
  return (body.data?.result ?? []).flatMap((r) => {
    const seq = Number(r.value?.[1]);
    return typeof r.metric?.writer === "string" && Number.isSafeInteger(seq) ? [{ writer: r.metric.writer, seq }] : [];
  });
}
