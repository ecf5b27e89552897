import type { AuditEntry } from "./entry.js";
import { REPORT_GROUPS as G } from "./line-pattern.js";

/**
 * The small object members of plain lines (actor, target, data) as parsed values, kept by their
 * text: a day repeats the same few (a product and a count, a username, an actor) on thousands of
 * lines, and a look-up by text costs a fraction of JSON.parse. Bounded: past LIMIT distinct texts,
 * new ones are parsed each time. Values are shared between lines, so readers must not change them.
 */
const LIMIT = 1024;

export class ParsedMembers {
  private readonly parsed = new Map<string, unknown>();

  /** The parsed member text (undefined when the member is absent). */
  object(text: string | undefined): unknown {
    if (text === undefined) return undefined;
    let value = this.parsed.get(text);
    if (value === undefined) {
      value = JSON.parse(text);
      if (this.parsed.size < LIMIT) this.parsed.set(text, value);
    }
    return value;
  }

  /** The members listEvent reads, as an entry. */
  listed(m: RegExpExecArray): AuditEntry {
    return {
      ts: m[G.ts], tenant: m[G.tenant], action: m[G.action], outcome: m[G.outcome], ip: m[G.ip], reason: m[G.reason],
      actor: this.object(m[G.actor]), target: this.object(m[G.target]),
    } as AuditEntry;
  }

  /** The members productOf and keyCountOf read, as an entry. */
  licensed(m: RegExpExecArray): AuditEntry {
    return { target: this.object(m[G.target]), data: this.object(m[G.data]) } as AuditEntry;
  }

  /** The members accountOf reads, as an entry. */
  accountable(m: RegExpExecArray): AuditEntry {
    return { actor: this.object(m[G.actor]), target: this.object(m[G.target]), data: this.object(m[G.data]) } as AuditEntry;
  }
}
