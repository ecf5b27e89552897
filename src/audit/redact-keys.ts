/**
 * Which object keys name secrets. Keys are judged two ways: the whole key with case and
 * separators dropped (`api_key`, `apiKey` and `API-KEY` are all `apikey`) must not contain a long
 * secret name, and no word of it (split at camelCase humps, `_`, `-`, `.`, spaces; trailing digits
 * dropped, so `cvv2` is `cvv`) may be a short one. Short names only count as whole words, so
 * `pin` hits `pin_code` and `pinCode` but never `shipping` or `spinner`.
 */

/** Matched anywhere in the normalized key. */
export const SENSITIVE_KEY_PARTS = [
  "password", "passwd", "passphrase", "secret", "token", "authorization", "auth", "cookie", "apikey",
  "privatekey", "credential", "session", "card", "iban", "signature", "bankaccount", "accountnumber",
  "securitycode", "recoverycode", "backupcode", "connectionstring", "mnemonic",
] as const;

/** Matched only as whole words of the key. */
export const SENSITIVE_KEY_WORDS: ReadonlySet<string> = new Set([
  "pass", "pwd", "pw", "pin", "cvv", "cvc", "cvn", "csc", "pan", "ssn", "otp", "totp", "hotp", "mfa", "2fa", "sid", "jwt", "dsn",
]);

/** Keys that contain a secret's name but name harmless, wanted fields. */
const SAFE_KEYS = new Set(["author", "authorid", "authmethod", "authenticationmethod", "sessioncount", "cardinality", "discard", "authorname"]);

/** Glued keys ("userpin", "cardcvv") count when they end in one of these and are short. */
const SUFFIX_RULE_MAX_EXTRA = 6;
const SUFFIX_WORDS = ["pwd", "pin", "pan", "ssn", "otp", "dsn", "cvv", "cvc"] as const;

export function normalizeKey(key: string): string {
  return key.toLowerCase().replace(/[-_.\s]/g, "");
}

function keyWords(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9]+/);
}

function classifyKey(key: string): boolean {
  const normalized = normalizeKey(key);
  if (SAFE_KEYS.has(normalized)) return false;
  if (SENSITIVE_KEY_PARTS.some((part) => normalized.includes(part))) return true;
  for (const word of keyWords(key)) {
    if (SENSITIVE_KEY_WORDS.has(word) || SENSITIVE_KEY_WORDS.has(word.replace(/\d+$/, ""))) return true;
  }
  // A glued key like "userpin" or "cardcvv": a short name as a clear suffix of a short key.
  return SUFFIX_WORDS.some((part) => normalized.endsWith(part) && normalized.length <= part.length + SUFFIX_RULE_MAX_EXTRA);
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
