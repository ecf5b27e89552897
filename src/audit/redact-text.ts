import { createHash } from "node:crypto";
import type { SentryPii } from "../config/schema.js";
import { isSensitiveKey } from "./redact-keys.js";

/**
 * Secrets that hide inside free text (reasons, notes, exception and breadcrumb messages, URLs).
 * Each value pattern is confirmed before it is removed where a check exists (Luhn for card
 * numbers, ISO 7064 mod 97 for IBANs), so ordinary ids, timestamps and amounts stay readable.
 */
export const REDACTED = "[REDACTED]";

/** A license key: 4–6 groups of 4–6 upper-case letters/digits joined by dashes. */
export const LICENSE_KEY_PATTERN = /\b[A-Z0-9]{4,6}(?:-[A-Z0-9]{4,6}){3,5}\b/g;

/** Last group kept, the rest starred, plus a short SHA-256 fingerprint to correlate without revealing. */
export function maskLicenseKey(key: string): string {
  const groups = key.split("-");
  const last = groups[groups.length - 1] ?? "";
  const fingerprint = createHash("sha256").update(key).digest("hex").slice(0, 8);
  return `${groups.slice(0, -1).map((g) => "*".repeat(g.length)).join("-")}-${last} (sha256:${fingerprint})`;
}

/**
 * `key=value`, `key: value` and `"key":"value"` pairs. The value is a quoted string, an optional
 * auth scheme plus a token, or a run up to a separator; only pairs whose key is sensitive lose it.
 */
const KEY_VALUE = /(["']?)\b([A-Za-z][\w.-]{0,63})\1(\s*[=:]\s*)((?:Bearer|Basic|Token)\s+)?(\[REDACTED\]|"(?:[^"\\]|\\.)*"|'[^']*'|[^\s,;&"'}\])=:]{1,512})/g;
const VALUE_REST = /[^\s,;&"'}\])]*/y;
const COOKIE_REST = /[^\r\n"'}\]]*/y;
/** `scheme://user:password@` and `scheme://token@`: the whole credential part of a URL. */
const URL_USERINFO = /\b([a-z][a-z0-9+.-]{1,20}:\/\/)([^\s/?#@:]*)(?::([^\s/?#@]*))?@/gi;
const BEARER = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi;
/** Header and payload of a JWT are base64url JSON objects, so both start with "eyJ". */
const JWT = /\beyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g;
const CARD_CANDIDATE = /\b(?:\d[ -]?){12,18}\d\b/g;
/** Country code, check digits, then 11–30 letters/digits, optionally in groups of four. */
const IBAN_CANDIDATE = /\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b/g;

export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/**
 * A payment card number: 13–19 digits, a card network's leading digit (2–6: Mastercard 2-series,
 * Amex/Diners/JCB, Visa, Mastercard/Maestro, Discover/UnionPay) and a valid Luhn check. The
 * leading digit keeps millisecond timestamps (1…) and most order numbers out.
 */
export function isCardNumber(digits: string): boolean {
  const first = digits.charCodeAt(0) - 48;
  return digits.length >= 13 && digits.length <= 19 && first >= 2 && first <= 6 && luhnValid(digits);
}

/** ISO 13616: move the first four characters to the end, letters to 10–35, the number mod 97 is 1. */
export function ibanValid(compact: string): boolean {
  if (compact.length < 15 || compact.length > 34) return false;
  const rearranged = compact.slice(4) + compact.slice(0, 4);
  let remainder = 0;
  for (const char of rearranged) {
    const code = char.charCodeAt(0);
    const value = code >= 65 ? code - 55 : code - 48;
    remainder = (value > 9 ? remainder * 100 + value : remainder * 10 + value) % 97;
  }
  return remainder === 1;
}

/**
 * Replaces the values of sensitive pairs. After a harmless pair the scan resumes at its value,
 * which may hold the next pair ("failed: password=x" reads as failed → "password" first). An
 * unquoted value stops at "=" and ":" and at 512 characters, so rescans stay short; a sensitive
 * one is then removed on to the end of its run.
 */
function redactPairs(text: string): string {
  const pattern = new RegExp(KEY_VALUE.source, "g");
  let out = "";
  let copied = 0;
  for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
    const [whole, quote = "", key = "", sep = "", scheme = "", value = ""] = match;
    const valueAt = match.index + whole.length - value.length;
    if (value === REDACTED) continue;
    if (!isSensitiveKey(key)) {
      pattern.lastIndex = valueAt;
      continue;
    }
    let end = match.index + whole.length;
    // An unquoted secret runs on through "=" and ":" (base64 padding, "a:b" pairs) to its separator.
    if (!value.startsWith('"') && !value.startsWith("'")) {
      // A Cookie header holds several "name=value" pairs separated by "; ": all of them go.
      const rest = /cookie/i.test(key) && sep.includes(":") ? COOKIE_REST : VALUE_REST;
      rest.lastIndex = end;
      end += rest.exec(text)?.[0].length ?? 0;
    }
    out += `${text.slice(copied, match.index)}${quote}${key}${quote}${sep}${scheme}${REDACTED}`;
    copied = end;
    pattern.lastIndex = end;
  }
  return copied === 0 ? text : out + text.slice(copied);
}

/** Scrubs secrets inside free text: credential pairs, URL credentials, bearer tokens, JWTs, cards, IBANs, license keys. */
export function redactString(value: string): string {
  // The shortest secret any pattern finds is "pin=1" (5 characters).
  if (value.length < 5) return value;
  let out = value;
  if (out.includes("=") || out.includes(":")) out = redactPairs(out);
  if (out.includes("://")) {
    out = out.replace(URL_USERINFO, (_m, scheme: string, user: string, password: string | undefined) =>
      password === undefined ? `${scheme}${REDACTED}@` : `${scheme}${user}:${REDACTED}@`,
    );
  }
  out = out.replace(BEARER, (_m, scheme: string) => `${scheme} ${REDACTED}`);
  if (out.includes("eyJ")) out = out.replace(JWT, REDACTED);
  if (value.length < 13) return out;
  out = out.replace(CARD_CANDIDATE, (match) => (isCardNumber(match.replace(/[ -]/g, "")) ? REDACTED : match));
  out = out.replace(IBAN_CANDIDATE, (match) => (ibanValid(match.replace(/ /g, "")) ? REDACTED : match));
  return out.replace(LICENSE_KEY_PATTERN, (key) => maskLicenseKey(key));
}

/** What personal data Sentry may keep (config `sentry.pii`): nothing, IPs, emails, or both. */
export type PiiPolicy = SentryPii;

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;
const OCTET = "(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)";
const IPV4 = new RegExp(`(?<![\\w.])(?:${OCTET}\\.){3}${OCTET}(?![\\w.]*\\d)`, "g");
/** Full eight-group form, or a compressed form with "::" and at least one group beside it. */
const IPV6 = /(?<![\w:])(?:(?:[0-9a-f]{1,4}:){7}[0-9a-f]{1,4}|(?:[0-9a-f]{1,4}(?::[0-9a-f]{1,4}){0,6})?::(?:[0-9a-f]{1,4}(?::[0-9a-f]{1,4}){0,6})?)(?![\w:])/gi;

export function keepsIp(policy: PiiPolicy): boolean {
  return policy === "ip" || policy === "ip+email";
}

export function keepsEmail(policy: PiiPolicy): boolean {
  return policy === "email" || policy === "ip+email";
}

/**
 * Removes the personal data the policy does not allow from free text (emails; IPv4 and IPv6
 * addresses). Secrets are redactString's job and are removed whatever the policy says.
 */
export function redactPii(value: string, policy: PiiPolicy): string {
  let out = value;
  if (!keepsEmail(policy) && out.includes("@")) out = out.replace(EMAIL, REDACTED);
  if (!keepsIp(policy)) {
    if (out.includes(".")) out = out.replace(IPV4, REDACTED);
    if (out.includes("::") || out.split(":").length > 7) out = out.replace(IPV6, (match) => (match === "::" ? match : REDACTED));
  }
  return out;
}
