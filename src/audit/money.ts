/**
 * Money as the audit trail stores it: integer minor units plus an ISO 4217 code. Conversion to a
 * decimal goes through strings, never floating point, so a month of cents sums to the exact
 * figure an accountant expects; Intl.NumberFormat formats that exact decimal string.
 */
const DEFAULT_FRACTION_DIGITS = 2;
const fractionCache = new Map<string, number>();
const formatterCache = new Map<string, Intl.NumberFormat>();

/** Minor-unit digits of a currency as ICU knows them (EUR/BAM 2, JPY 0, KWD 3); 2 when unknown. */
export function minorUnitDigits(currency: string): number {
  const cached = fractionCache.get(currency);
  if (cached !== undefined) return cached;
  let digits = DEFAULT_FRACTION_DIGITS;
  try {
    digits = new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? DEFAULT_FRACTION_DIGITS;
  } catch {
    // Not a well-formed code: keep the common two digits so the amount still reads sensibly.
  }
  fractionCache.set(currency, digits);
  return digits;
}

/** Exact decimal string of an amount in minor units: (1234, "EUR") → "12.34", (-5, "KWD") → "-0.005". */
export function minorToDecimal(minor: number | bigint, currency: string): string {
  const digits = minorUnitDigits(currency);
  const value = BigInt(minor);
  const negative = value < 0n;
  const magnitude = (negative ? -value : value).toString().padStart(digits + 1, "0");
  const whole = magnitude.slice(0, magnitude.length - digits);
  const fraction = digits > 0 ? `.${magnitude.slice(magnitude.length - digits)}` : "";
  return `${negative ? "-" : ""}${whole}${fraction}`;
}

function formatterFor(currency: string, locale: string | undefined): Intl.NumberFormat | undefined {
  const key = `${locale ?? ""}|${currency}`;
  let formatter = formatterCache.get(key);
  if (!formatter) {
    try {
      formatter = new Intl.NumberFormat(locale, { style: "currency", currency });
    } catch {
      return undefined;
    }
    formatterCache.set(key, formatter);
  }
  return formatter;
}

/**
 * Human money: "€12.34", "BAM 12.34" (en-US) or "12,34 KM" (bs-BA). The locale defaults to the
 * process locale; a code ICU rejects falls back to "12.34 XYZ" rather than failing the output.
 */
export function formatMoney(minor: number | bigint, currency: string, locale?: string): string {
  const decimal = minorToDecimal(minor, currency);
  const formatter = formatterFor(currency, locale);
  // Intl.NumberFormat formats a decimal string exactly (no float rounding of large sums).
  return formatter ? formatter.format(decimal as unknown as number) : `${decimal} ${currency}`;
}
