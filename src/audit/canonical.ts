/**
 * Canonical JSON (RFC 8785, JCS) for the values audit entries hold: object keys sorted by UTF-16
 * code units, no whitespace, numbers in ECMAScript shortest form, strings escaped as
 * JSON.stringify does. The hash chain is computed over exactly these bytes, so any producer in
 * any language can re-derive it.
 */
export function canonicalize(value: unknown): string {
  switch (typeof value) {
    case "string":
      return quoteJson(value);
    case "boolean":
      return value ? "true" : "false";
    case "number":
      if (!Number.isFinite(value)) throw new TypeError(`canonical JSON cannot hold ${value}`);
      return JSON.stringify(value);
    case "object": {
      if (value === null) return "null";
      // Loops rather than map/filter/join: this runs for every audit line written and verified.
      if (Array.isArray(value)) {
        let out = "";
        for (let i = 0; i < value.length; i++) {
          // Holes and undefined become null, as in JSON.stringify.
          const item: unknown = value[i];
          out += `${i === 0 ? "" : ","}${canonicalize(item === undefined ? null : item)}`;
        }
        return `[${out}]`;
      }
      const record = value as Record<string, unknown>;
      // Default sort compares UTF-16 code units, which is what RFC 8785 prescribes.
      const keys = Object.keys(record).sort();
      let out = "";
      for (const key of keys) {
        const item = record[key];
        if (item === undefined) continue;
        out += `${out === "" ? "" : ","}${quoteJson(key)}:${canonicalize(item)}`;
      }
      return `{${out}}`;
    }
    default:
      throw new TypeError(`canonical JSON cannot hold a ${typeof value}`);
  }
}

/** Strings JSON.stringify leaves unescaped: no quote, backslash, control character or surrogate. */
const PLAIN_STRING = /^[^"\\\u0000-\u001f\ud800-\udfff]*$/;

/** Exactly JSON.stringify(s), skipping the call for the common plain string. */
export function quoteJson(s: string): string {
  return PLAIN_STRING.test(s) ? `"${s}"` : JSON.stringify(s);
}
