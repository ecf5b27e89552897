import { listAuditNames } from "../audit/files.js";
import { forEachLine, openDayStream } from "../audit/lines.js";
import type { SentryReceiver } from "./sentry-receiver.js";

/**
 * What the demo shows besides the CLI's own reports: the Sentry events that reached the loopback
 * receiver (with their tags), and proof that no secret the traffic used — passwords, full license
 * keys — ended up in the audit trail or in anything sent to Sentry.
 */
export interface SentryEventSummary {
  transaction: string;
  exception: string;
  tags: Record<string, string>;
}

export interface SentrySummary {
  /** The DSN the shop sent to (loopback, no secret in it). */
  dsn: string;
  envelopes: number;
  events: SentryEventSummary[];
  /** How many events carried each tag value, e.g. { "tenant=EUR": 1, "error_category=system": 2 }. */
  tagCounts: Record<string, number>;
}

export interface LeakCheck {
  secretsChecked: number;
  /** Audit lines containing a secret (should be 0). */
  auditLines: number;
  /** Sentry envelopes containing a secret (should be 0). */
  sentryEnvelopes: number;
}

/** Tags that are the same on every event or unique per request: not worth grouping by. */
const UNGROUPED_TAGS = new Set(["request_id", "tx_id", "environment", "release", "server_name"]);

function eventOf(payload: Record<string, unknown>): SentryEventSummary {
  const tags = (payload.tags ?? {}) as Record<string, unknown>;
  const exception = (payload.exception as { values?: Array<{ type?: string; value?: string }> } | undefined)?.values?.[0];
  return {
    transaction: String(payload.transaction ?? ""),
    exception: exception ? `${exception.type ?? "Error"}: ${exception.value ?? ""}` : String(payload.message ?? ""),
    tags: Object.fromEntries(Object.entries(tags).map(([k, v]): [string, string] => [k, String(v)]).sort(([a], [b]) => a.localeCompare(b))),
  };
}

export function summarizeSentry(receiver: SentryReceiver, dsn: string): SentrySummary {
  const events = receiver.items("event").map(eventOf);
  const tagCounts: Record<string, number> = {};
  for (const event of events) {
    for (const [key, value] of Object.entries(event.tags)) {
      if (UNGROUPED_TAGS.has(key)) continue;
      tagCounts[`${key}=${value}`] = (tagCounts[`${key}=${value}`] ?? 0) + 1;
    }
  }
  const sorted = Object.fromEntries(Object.entries(tagCounts).sort(([a], [b]) => a.localeCompare(b)));
  return { dsn, envelopes: receiver.envelopes.length, events, tagCounts: sorted };
}

/** Waits (bounded) until at least `count` error events arrived; resolves with how many did. */
export async function waitForEvents(receiver: SentryReceiver, count: number, timeoutMs: number): Promise<number> {
  const until = Date.now() + timeoutMs;
  while (receiver.items("event").length < count && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 100));
  return receiver.items("event").length;
}

export async function checkLeaks(secrets: readonly string[], auditDir: string, receiver: SentryReceiver): Promise<LeakCheck> {
  const unique = [...new Set(secrets.filter((s) => s.length >= 8))];
  const contains = (text: string) => unique.some((secret) => text.includes(secret));
  let auditLines = 0;
  const dayFiles = await listAuditNames(auditDir).then((names) => names.dayFiles, () => []);
  for (const file of dayFiles) {
    await forEachLine(openDayStream(file.path), (_bytes, _length, line) => {
      if (line && contains(line)) auditLines += 1;
    });
  }
  const sentryEnvelopes = receiver.envelopes.filter((e) => contains(`${e.body.toString("utf8")}\n${e.rawBody.toString("latin1")}`)).length;
  return { secretsChecked: unique.length, auditLines, sentryEnvelopes };
}
