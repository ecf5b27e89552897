import { createHash } from "node:crypto";

/**
 * One deny-list for everything monwire writes or sends: audit entries and Sentry events use the
 * same rules. Keys are compared after lower-casing and dropping `_`, `-` and `.`, so
 * `api_key`, `apiKey` and `API-KEY` all match.
 */
export const REDACTED = "[REDACTED]";

export const SENSITIVE_KEY_PARTS = [
  "password", "passwd", "pwd", "passphrase", "secret", "token", "authorization", "auth",
  "cookie", "apikey", "privatekey", "credential", "session", "card", "cvv", "cvc", "iban",
  "pan", "pin", "ssn", "otp", "signature", "dsn",
] as const;

/** Key parts that look sensitive but name harmless, wanted fields. */
const SAFE_KEYS = new Set(["author", "authorid", "authmethod", "authenticationmethod", "sessioncount", "pages", "panel", "spinner", "cardinality", "discard"]);

function normalizeKey(key: string): string {
  return key.toLowerCase().replace(/[-_.\s]/g, "");
}

/** Keys repeat across entries, so answers are memoized (bounded: keys can be client-controlled). */
const sensitiveKeyCache = new Map<string, boolean>();
const KEY_CACHE_MAX = 2048;

export function isSensitiveKey(key: string): boolean {
  const cached = sensitiveKeyCache.get(key);
  if (cached !== undefined) return cached;
  const sensitive = classifyKey(key);
  if (sensitiveKeyCache.size < KEY_CACHE_MAX) sensitiveKeyCache.set(key, sensitive);
  return sensitive;
}

function classifyKey(key: string): boolean {
  const normalized = normalizeKey(key);
  if (SAFE_KEYS.has(normalized)) return false;
  return SENSITIVE_KEY_PARTS.some((part) =>
    // Short parts only match whole keys or clear suffixes/prefixes, so "pin" never hits "shipping".
    part.length <= 3 ? normalized === part || normalized.endsWith(part) && normalized.length <= part.length + 6 : normalized.includes(part),
  );
}

/** A license key: 4–6 groups of 4–6 upper-case letters/digits joined by dashes. */
export const LICENSE_KEY_PATTERN = /\b[A-Z0-9]{4,6}(?:-[A-Z0-9]{4,6}){3,5}\b/g;

/** Last group kept, the rest starred, plus a short SHA-256 fingerprint to correlate without revealing. */
export function maskLicenseKey(key: string): string {
  const groups = key.split("-");
  const last = groups[groups.length - 1] ?? "";
  const fingerprint = createHash("sha256").update(key).digest("hex").slice(0, 8);
  return `${groups.slice(0, -1).map((g) => "*".repeat(g.length)).join("-")}-${last} (sha256:${fingerprint})`;
}

const CARD_CANDIDATE = /\b(?:\d[ -]?){12,18}\d\b/g;
const BEARER = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi;

function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** Scrubs secrets that hide inside free text: card numbers, bearer credentials, license keys. */
export function redactString(value: string): string {
  // The shortest match of any pattern below is 13 characters (a 13-digit card number).
  if (value.length < 13) return value;
  let out = value.replace(BEARER, (_m, scheme: string) => `${scheme} ${REDACTED}`);
  out = out.replace(CARD_CANDIDATE, (match) => {
    const digits = match.replace(/[ -]/g, "");
    return digits.length >= 13 && digits.length <= 19 && luhnValid(digits) ? REDACTED : match;
  });
  return out.replace(LICENSE_KEY_PATTERN, (key) => maskLicenseKey(key));
}

const MAX_DEPTH = 8;

/**
 * Returns a redacted deep copy: sensitive keys → "[REDACTED]", license keys masked, card numbers
 * and bearer credentials removed from strings. Never mutates its input; cycles become "[Circular]".
 */
export function redact<T>(value: T): T {
  return redactValue(value, 0, new WeakSet()) as T;
}

function redactValue(value: unknown, depth: number, seen: WeakSet<object>): unknown {
  if (typeof value === "string") return redactString(value);
  if (typeof value !== "object" || value === null) return value;
  if (seen.has(value)) return "[Circular]";
  if (depth >= MAX_DEPTH) return "[Truncated: too deep]";
  seen.add(value);
  if (Array.isArray(value)) return value.map((v) => redactValue(v, depth + 1, seen));
  if (value instanceof Date) return value.toISOString();
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (isSensitiveKey(key)) out[key] = v === undefined || v === null || v === "" ? v : REDACTED;
    else if (/^licen[cs]e_?key$/i.test(key) && typeof v === "string") out[key] = maskLicenseKey(v);
    else out[key] = redactValue(v, depth + 1, seen);
  }
  return out;
}
