import { EACH, type PathStep, type ValueRoot, type ValueSource } from "../../config/event-rules.js";
import { minorUnitDigits } from "../../audit/money.js";

/** Where a rule's paths read from, for one request. */
export type ValueSources = { readonly [R in ValueRoot]: unknown };

/** A `[]` path never yields more than this many values (a rule counts keys, it does not copy a catalog). */
export const MAX_LIST_ITEMS = 1000;
const NO_LIST: unknown[] = Object.freeze([]) as unknown as unknown[];
/** Names that would read the prototype chain rather than the data. */
const FORBIDDEN = new Set(["__proto__", "constructor", "prototype"]);

function step(value: unknown, key: string): unknown {
  if (typeof value !== "object" || value === null || FORBIDDEN.has(key)) return undefined;
  return Object.hasOwn(value, key) ? (value as Record<string, unknown>)[key] : undefined;
}

function walk(value: unknown, steps: readonly PathStep[], from: number, out: unknown[]): unknown {
  let current = value;
  for (let i = from; i < steps.length; i++) {
    const s = steps[i] as PathStep;
    if (s !== EACH) {
      current = step(current, s);
      if (current === undefined) return undefined;
      continue;
    }
    if (!Array.isArray(current)) return undefined;
    for (const item of current) {
      if (out.length >= MAX_LIST_ITEMS) break;
      const found = walk(item, steps, i + 1, out);
      if (found !== undefined && found !== out) out.push(found);
    }
    return out;
  }
  return current;
}

/**
 * Reads one value source: a literal as written, a path from the request's sources. A path with
 * `[]` yields a list (missing elements skipped, at most MAX_LIST_ITEMS); undefined when absent.
 */
export function readValue(source: ValueSource, from: ValueSources): unknown {
  if (source.kind === "literal") return source.value;
  const root = from[source.root];
  // Without `[]` walk never adds to the list: one shared, frozen one instead of an array per read.
  if (!source.many) return walk(root, source.steps, 0, NO_LIST);
  const list: unknown[] = [];
  return walk(root, source.steps, 0, list) === undefined ? undefined : list;
}

/** A value as an id or name: strings as they are, finite numbers and booleans as text. */
export function asText(value: unknown): string | undefined {
  if (typeof value === "string") return value === "" ? undefined : value;
  if ((typeof value === "number" && Number.isFinite(value)) || typeof value === "boolean" || typeof value === "bigint") return String(value);
  return undefined;
}

const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?$/;
const INTEGER = /^-?\d+$/;

/**
 * An amount in integer minor units. "minor" takes an integer as is. "major" moves the decimal
 * point by the currency's minor-unit digits (ISO 4217: EUR and BAM 2, JPY 0, KWD 3): a JSON
 * number is rounded to the nearest minor unit (10.15 is 1014.999… in binary), a decimal string is
 * converted exactly and refused when it has more digits than the currency has.
 */
export function toMinorUnits(value: unknown, unit: "major" | "minor", currency: string | undefined): number | undefined {
  if (unit === "minor") {
    const n = typeof value === "string" && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
    return Number.isSafeInteger(n) ? (n as number) : undefined;
  }
  const digits = minorUnitDigits(currency ?? "XXX");
  if (typeof value === "number") {
    if (!Number.isFinite(value)) return undefined;
    const minor = Math.round(value * 10 ** digits);
    return Number.isSafeInteger(minor) ? minor : undefined;
  }
  if (typeof value !== "string") return undefined;
  const text = value.trim();
  // A whole number (an id-like "17", the common case) needs no match array or string rebuilding:
  // an integer times a power of ten is exact while it stays a safe integer.
  if (INTEGER.test(text)) {
    const minor = Number(text) * 10 ** digits;
    return Number.isSafeInteger(minor) ? minor : undefined;
  }
  const match = DECIMAL.exec(text);
  if (!match) return undefined;
  const [, sign, whole, fraction = ""] = match;
  if (fraction.length > digits && /[^0]/.test(fraction.slice(digits))) return undefined;
  const minor = Number(`${sign}${whole}${fraction.slice(0, digits).padEnd(digits, "0")}`);
  return Number.isSafeInteger(minor) ? minor : undefined;
}

export interface Outcome {
  outcome: "success" | "failure";
  reason?: string;
}

/** Every 2xx answers this one object (read-only), not a new one per request. */
const SUCCESS: Outcome = Object.freeze({ outcome: "success" });

/**
 * Outcome from the response: 2xx is success, anything else failure. The reason is the rule's for
 * the exact status, else for its class ("4xx"), else a default: "aborted" when the client went
 * away first, "exception" for a thrown error, "denied" for 401/403, else "http_<status>".
 */
export function outcomeOf(status: number, reasons: ReadonlyMap<string, string>, flags: { aborted: boolean; exception: boolean }): Outcome {
  if (flags.aborted) return { outcome: "failure", reason: reasons.get("499") ?? "aborted" };
  if (status >= 200 && status < 300) return SUCCESS;
  const reason = reasons.get(String(status)) ?? reasons.get(`${Math.floor(status / 100)}xx`);
  if (reason) return { outcome: "failure", reason };
  if (flags.exception) return { outcome: "failure", reason: "exception" };
  return { outcome: "failure", reason: status === 401 || status === 403 ? "denied" : `http_${status}` };
}
