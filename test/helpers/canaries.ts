/**
 * The canary corpus: more than a hundred distinct secrets, each placed where a scrubber could
 * miss it — nested fields under many key spellings, key=value and key: value pairs in free text,
 * URL credentials and query strings, card numbers, IBANs, JWTs and bearer tokens. Tests feed the
 * whole corpus to the audit writer and to Sentry and assert that no secret reaches a file or an
 * envelope. Secrets are alphanumeric so a plain substring search finds them in JSON.
 */

export interface Canary {
  /** What must never appear (several spellings for cards and IBANs). */
  forbidden: string[];
  where: string;
}

export interface CanaryCorpus {
  canaries: Canary[];
  /** Nested data objects holding the field secrets. */
  fields: Record<string, unknown>;
  /** Free-text lines (reasons, notes, messages), one or more secrets each. */
  texts: string[];
}

/** Key spellings a scrubber must treat as secret: camelCase, snake_case, kebab-case, short words. */
export const SECRET_KEYS = [
  "password", "newPassword", "pass", "pwd", "passphrase", "secret", "client_secret", "token", "accessToken", "refresh-token",
  "authorization", "api_key", "apiKey", "X-API-KEY", "cvv", "cvv2", "cvc", "pin", "pin_code", "pinCode", "otp", "otp_code",
  "mfaCode", "totp", "sid", "session_id", "jwt", "dsn", "dsn_url", "privateKey", "credentials", "cookie", "ssn",
  "securityCode", "recovery_code", "connectionString",
] as const;

function luhnComplete(body: string): string {
  for (let check = 0; check <= 9; check++) {
    const digits = body + check;
    let sum = 0;
    for (let i = 0; i < digits.length; i++) {
      let d = Number(digits[digits.length - 1 - i]);
      if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
      sum += d;
    }
    if (sum % 10 === 0) return digits;
  }
  throw new Error("unreachable");
}

function ibanFor(country: string, bban: string): string {
  const numeric = [...`${bban}${country}00`].map((c) => (/[A-Z]/.test(c) ? String(c.charCodeAt(0) - 55) : c)).join("");
  let remainder = 0;
  for (const digit of numeric) remainder = (remainder * 10 + Number(digit)) % 97;
  return `${country}${String(98 - remainder).padStart(2, "0")}${bban}`;
}

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

export function buildCanaryCorpus(): CanaryCorpus {
  const canaries: Canary[] = [];
  const texts: string[] = [];
  const fields: Record<string, unknown> = { order: { id: "o-1", amount_minor: 1250 } };
  let n = 0;
  const secret = (kind: string) => `Cnry${kind}${String(++n).padStart(3, "0")}x7Q`;

  // Nested fields, at depth 1 to 4, under every key spelling.
  SECRET_KEYS.forEach((key, i) => {
    const value = secret("Field");
    let holder = fields;
    for (let depth = 0; depth < i % 4; depth++) holder = (holder[`level${depth}`] ??= {}) as Record<string, unknown>;
    holder[key] = value;
    canaries.push({ forbidden: [value], where: `field ${key} at depth ${(i % 4) + 1}` });
  });
  // The same keys as pairs in free text, "=" and ": " alternating, some quoted as JSON.
  SECRET_KEYS.forEach((key, i) => {
    const value = secret("Text");
    const pair = i % 3 === 0 ? `${key}=${value}` : i % 3 === 1 ? `${key}: ${value}` : `"${key}":"${value}"`;
    texts.push(`request failed: ${pair}, retry later`);
    canaries.push({ forbidden: [value], where: `text ${pair.replace(value, "…")}` });
  });
  // URL credentials and sensitive query parameters.
  for (const scheme of ["postgres", "mysql", "redis", "amqp", "https"]) {
    const value = secret("Url");
    texts.push(`cannot reach ${scheme}://app:${value}@db.internal:5432/shop`);
    canaries.push({ forbidden: [value], where: `${scheme} URL password` });
  }
  for (const host of ["github.com", "gitlab.example"]) {
    const value = secret("UrlTok");
    texts.push(`clone https://${value}@${host}/shop/app.git failed`);
    canaries.push({ forbidden: [value], where: "URL token user" });
  }
  for (const param of ["token", "api_key", "password"]) {
    const value = secret("Query");
    texts.push(`GET https://shop.example/api/login?next=%2Fhome&${param}=${value}`);
    canaries.push({ forbidden: [value], where: `query ${param}` });
  }
  // Card numbers (Visa, Mastercard, Amex), plain, spaced and dashed; Luhn-valid.
  for (let i = 0; i < 9; i++) {
    const prefix = ["4", "51", "37"][i % 3] as string;
    const digits = luhnComplete(`${prefix}${String(1000000000000 + i * 7919).slice(0, (prefix === "37" ? 14 : 15) - prefix.length)}`);
    const spelled = i < 3 ? digits : i < 6 ? (digits.match(/.{1,4}/g) ?? []).join(" ") : (digits.match(/.{1,4}/g) ?? []).join("-");
    texts.push(`charged card ${spelled} for order o-${i}`);
    canaries.push({ forbidden: [digits, spelled], where: `card ${i}` });
  }
  fields.payment = { bankAccount: ibanFor("DE", "370400440532013001"), note: `refund to card ${luhnComplete("411111111111111")}` };
  canaries.push({ forbidden: [ibanFor("DE", "370400440532013001")], where: "IBAN under bankAccount" });
  canaries.push({ forbidden: [luhnComplete("411111111111111")], where: "card in nested note" });
  // IBANs in text, compact and grouped.
  for (let i = 0; i < 6; i++) {
    const iban = ibanFor(["DE", "GB", "BA"][i % 3] as string, i % 3 === 1 ? `WEST${String(12345698765430 + i)}` : String(370400440532013000n + BigInt(i * 101)).padStart(i % 3 === 2 ? 16 : 18, "0"));
    const spelled = i % 2 === 0 ? iban : (iban.match(/.{1,4}/g) ?? []).join(" ");
    texts.push(`payout to ${spelled} scheduled`);
    canaries.push({ forbidden: [iban, spelled], where: `IBAN ${i}` });
  }
  // JWTs and bearer tokens.
  for (let i = 0; i < 6; i++) {
    const value = secret("Jwt");
    const jwt = `${base64url({ alg: "HS256", typ: "JWT" })}.${base64url({ sub: value, iat: 1733212345 + i })}.${value}sig`;
    texts.push(`session ${jwt} expired`);
    canaries.push({ forbidden: [jwt.split(".")[1] as string, `${value}sig`], where: `JWT ${i}` });
  }
  for (let i = 0; i < 6; i++) {
    const value = secret("Bearer");
    texts.push(`upstream said 401 to Authorization: Bearer ${value}`);
    canaries.push({ forbidden: [value], where: `bearer ${i}` });
  }
  return { canaries, fields, texts };
}

/** The canaries found in `text`, as "where: secret" lines (empty when the scrubber held). */
export function leakedCanaries(corpus: CanaryCorpus, text: string): string[] {
  return corpus.canaries.flatMap((c) => c.forbidden.filter((f) => text.includes(f)).map((f) => `${c.where}: ${f}`));
}
