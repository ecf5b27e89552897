import { isSensitiveKey } from "./redact-keys.js";
import { maskLicenseKey, redactString, REDACTED } from "./redact-text.js";

/**
 * One scrubber for everything monwire writes or sends: audit entries and Sentry events use the
 * same rules (keys in redact-keys.ts, free text in redact-text.ts, object walking here).
 */
export { isSensitiveKey, normalizeKey, SENSITIVE_KEY_PARTS, SENSITIVE_KEY_WORDS } from "./redact-keys.js";
export {
  ibanValid, isCardNumber, keepsEmail, keepsIp, LICENSE_KEY_PATTERN, luhnValid, maskLicenseKey, redactPii, redactString, REDACTED,
  type PiiPolicy,
} from "./redact-text.js";

/** Bounds on what one redact() call walks, so a runaway object cannot stall the event loop. */
export const REDACT_LIMITS = {
  /** Nesting below this depth becomes "[Truncated: too deep]". */
  depth: 8,
  /** Keys of one object (Map entries too) beyond this are left out and counted in a "[truncated]" member. */
  keys: 256,
  /** Items of one array (Set members too) beyond this are left out and counted in a last item. */
  items: 256,
  /** Values visited in all; past it, values become "[Truncated: too many values]". */
  values: 10_000,
} as const;

/** The member that says how many keys of an object were left out. */
export const TRUNCATED_KEY = "[truncated]";

interface Walk {
  /** The objects on the path from the root to the current value: only these make a cycle. */
  ancestors: Set<object>;
  budget: number;
  /** Told the path of each cut (the audit writer lists them in the entry's `truncated`). */
  onCut: ((path: string) => void) | undefined;
  text: (value: string) => string;
}

export interface RedactOptions {
  /** Path of the value, for onCut ("data"). */
  path?: string;
  onCut?: (path: string) => void;
  /** Scrubs each string; redactString by default (Sentry adds its personal-data policy on top). */
  text?: (value: string) => string;
}

/**
 * Returns a redacted deep copy: sensitive keys → "[REDACTED]", license keys masked, secrets
 * removed from strings (see redactString). Never mutates its input. An object referenced twice is
 * copied twice; only a reference back to an ancestor is "[Circular]". A Map becomes an object of
 * its entries (keys as strings), a Set an array, a Date its ISO string, an Error {name, message}.
 * Sizes are capped by REDACT_LIMITS with visible markers, never silently.
 */
export function redact<T>(value: T, options: RedactOptions = {}): T {
  const walk: Walk = { ancestors: new Set(), budget: REDACT_LIMITS.values, onCut: options.onCut, text: options.text ?? redactString };
  return redactValue(value, options.path ?? "", 0, walk) as T;
}

/** Paths are only built when someone listens for cuts: the common call pays nothing for them. */
function child(path: string, key: string | number, walk: Walk): string {
  return walk.onCut ? `${path}.${key}` : path;
}

function cut(walk: Walk, path: string, marker: string): string {
  walk.onCut?.(path);
  return marker;
}

function redactValue(value: unknown, path: string, depth: number, walk: Walk): unknown {
  if (walk.budget-- <= 0) return cut(walk, path, "[Truncated: too many values]");
  if (typeof value === "string") return walk.text(value);
  if (typeof value !== "object" || value === null) return value;
  if (walk.ancestors.has(value)) return "[Circular]";
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (depth >= REDACT_LIMITS.depth) return cut(walk, path, "[Truncated: too deep]");
  walk.ancestors.add(value);
  try {
    if (Array.isArray(value)) return redactItems(value, path, depth, walk);
    if (value instanceof Set) return redactItems(first(value, REDACT_LIMITS.items), path, depth, walk, value.size);
    if (value instanceof Map) {
      const entries = first(value, REDACT_LIMITS.keys).map(([k, v]) => [String(k), v] as const);
      return redactEntries(entries, path, depth, walk, value.size - entries.length);
    }
    if (value instanceof Error) return redactEntries([["name", value.name], ["message", value.message]], path, depth, walk);
    // Keys only, then values for the kept ones: a huge object costs one array of names, not pairs.
    const keys = Object.keys(value);
    const kept = keys.length > REDACT_LIMITS.keys ? keys.slice(0, REDACT_LIMITS.keys) : keys;
    const record = value as Record<string, unknown>;
    return redactEntries(kept.map((key) => [key, record[key]] as const), path, depth, walk, keys.length - kept.length);
  } finally {
    walk.ancestors.delete(value);
  }
}

/** The first `limit` members of a Set or Map, without copying the rest. */
function first<T>(iterable: Iterable<T>, limit: number): T[] {
  const out: T[] = [];
  for (const item of iterable) {
    if (out.length >= limit) break;
    out.push(item);
  }
  return out;
}

function redactItems(items: readonly unknown[], path: string, depth: number, walk: Walk, total = items.length): unknown[] {
  const kept = Math.min(items.length, REDACT_LIMITS.items);
  const out: unknown[] = new Array(kept);
  for (let i = 0; i < kept; i++) out[i] = redactValue(items[i], child(path, i, walk), depth + 1, walk);
  if (total > kept) out.push(cut(walk, path, `[Truncated: ${total - kept} items]`));
  return out;
}

function redactEntries(entries: readonly (readonly [string, unknown])[], path: string, depth: number, walk: Walk, alreadyLeftOut = 0): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const kept = Math.min(entries.length, REDACT_LIMITS.keys);
  for (let i = 0; i < kept; i++) {
    const [key, v] = entries[i] as readonly [string, unknown];
    if (isSensitiveKey(key)) out[key] = v === undefined || v === null || v === "" ? v : REDACTED;
    else if (/^licen[cs]e_?key$/i.test(key) && typeof v === "string") out[key] = maskLicenseKey(v);
    else out[key] = redactValue(v, child(path, key, walk), depth + 1, walk);
  }
  const leftOut = entries.length - kept + alreadyLeftOut;
  if (leftOut > 0) out[TRUNCATED_KEY] = cut(walk, path, `[Truncated: ${leftOut} keys]`);
  return out;
}
