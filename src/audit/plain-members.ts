import type { AuditEntry } from "./entry.js";
import { REPORT_GROUPS as G } from "./line-pattern.js";
import { ownString } from "./own-string.js";

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
      // JSON.parse's strings are its own; the key is copied (the text may be a view of a window).
      if (this.parsed.size < LIMIT) this.parsed.set(ownString(text), value);
    }
    return value;
  }

  /** The members listEvent reads, as an entry whose strings are copies (listEvent keeps them). */
  listed(m: RegExpExecArray): AuditEntry {
    return {
      ts: ownString(m[G.ts] as string), tenant: ownString(m[G.tenant] as string), action: ownString(m[G.action] as string), outcome: m[G.outcome],
      ip: owned(m[G.ip]), reason: owned(m[G.reason]),
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

function owned(text: string | undefined): string | undefined {
  return text === undefined ? undefined : ownString(text);
}
