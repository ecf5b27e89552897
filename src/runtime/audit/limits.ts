import { canonicalize } from "../../audit/canonical.js";

/**
 * Size caps that keep one audit line bounded: a client-controlled user agent or a runaway `data`
 * object must never produce a multi-megabyte line that stalls every writer appending to the file.
 * Whatever is cut is named in the entry's `truncated` list, so the cut is visible, not silent.
 */
export const MAX_STRING_BYTES = 1024;
export const MAX_DATA_BYTES = 8192;
/** The `truncated` list is itself bounded: it names at most this many paths, each at most PATH_MAX long. */
const MAX_TRUNCATED_PATHS = 20;
const PATH_MAX = 200;

/** Collects the paths cut while one entry is built. */
export class Truncations {
  readonly paths: string[] = [];
  private dropped = 0;

  add(path: string): void {
    if (this.paths.length < MAX_TRUNCATED_PATHS) this.paths.push(path.length > PATH_MAX ? `${path.slice(0, PATH_MAX)}…` : path);
    else this.dropped += 1;
  }

  /** The list for the entry, or undefined when nothing was cut. */
  list(): string[] | undefined {
    if (this.paths.length === 0) return undefined;
    return this.dropped > 0 ? [...this.paths, `(+${this.dropped} more)`] : this.paths;
  }
}

/** Cuts `value` to at most `maxBytes` UTF-8 bytes on a character boundary. */
export function cutUtf8(value: string, maxBytes: number): string {
  const bytes = Buffer.from(value, "utf8").subarray(0, maxBytes);
  // A cut inside a multi-byte character decodes to U+FFFD; drop that partial character.
  return bytes.toString("utf8").replace(/\uFFFD+$/, "");
}

/** Returns `value` capped to MAX_STRING_BYTES, recording `path` when it had to be cut. */
export function capString(value: string, path: string, truncations: Truncations): string {
  // A UTF-16 unit is at most 3 UTF-8 bytes, so short strings skip the byte count.
  if (value.length * 3 <= MAX_STRING_BYTES || Buffer.byteLength(value, "utf8") <= MAX_STRING_BYTES) return value;
  truncations.add(path);
  return cutUtf8(value, MAX_STRING_BYTES);
}

function capStringsDeep(value: unknown, path: string, truncations: Truncations): unknown {
  if (typeof value === "string") return capString(value, path, truncations);
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) return value.map((item, i) => capStringsDeep(item, `${path}.${i}`, truncations));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[key] = capStringsDeep(item, `${path}.${key}`, truncations);
  return out;
}

/**
 * Caps `data` (already redacted) to MAX_DATA_BYTES of canonical JSON. Long strings inside are cut
 * first; if it is still too large, top-level keys are kept in canonical (sorted) order while they
 * fit and the rest are dropped. Returns the data and its canonical JSON (the writer reuses it
 * rather than canonicalizing again). Throws a TypeError when `data` holds something JSON cannot.
 */
export function capData(data: Record<string, unknown>, truncations: Truncations): { data: Record<string, unknown>; json: string } {
  const json = canonicalize(data);
  if (json.length <= MAX_DATA_BYTES / 3 || Buffer.byteLength(json, "utf8") <= MAX_DATA_BYTES) return { data, json };
  const shortened = capStringsDeep(data, "data", truncations) as Record<string, unknown>;
  const shortJson = canonicalize(shortened);
  if (Buffer.byteLength(shortJson, "utf8") <= MAX_DATA_BYTES) return { data: shortened, json: shortJson };
  const kept: Record<string, unknown> = {};
  let size = 2; // the braces
  for (const key of Object.keys(shortened).sort()) {
    if (shortened[key] === undefined) continue;
    const member = Buffer.byteLength(`${JSON.stringify(key)}:${canonicalize(shortened[key])}`, "utf8") + 1;
    if (size + member <= MAX_DATA_BYTES) {
      kept[key] = shortened[key];
      size += member;
    } else truncations.add(`data.${key}`);
  }
  return { data: kept, json: canonicalize(kept) };
}
