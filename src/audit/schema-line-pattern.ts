import type { JsonSchema } from "./schema-compile.js";

/**
 * Builds, from the line schema, one regular expression for the plainest canonical lines: members
 * in canonical (sorted) key order, strings without escapes or control characters, and free-form
 * objects only when flat. Such a line matches exactly when JSON.parse + the compiled validator
 * would accept it; lines it does not match take the full path. The expression is derived, not
 * written by hand, so the fast path cannot drift from the schema. Schema features the
 * derivation cannot express exactly are refused here, when the module loads.
 *
 * `captures`: top-level members whose value (a string's content, a number, or an object's whole
 * text) is captured, in key order; group 1 always spans the line from its start to just before `,"<splitAt>":`.
 *
 * `apart`: captured top-level string members whose schema pattern the caller checks on the
 * captured value instead (returned in `apart`, anchored as in the schema). The expression then
 * accepts any plain string there, so a match alone proves nothing about them: the caller must
 * test every one. This exists for speed only: irregexp runs a counted class such as
 * `[0-9a-f]{64}` several times slower per character than a plain string scan.
 *
 * `inText`: the same expression for a line inside a longer text (many lines decoded at once):
 * sticky (it matches at `lastIndex` only) and ending before a "\n" instead of at the end of the
 * input. No string in the pattern can hold a "\n" (control characters are excluded), so a match
 * at a line's start spans exactly that line, as `^…$` on the line alone would.
 */
export function buildLinePattern(
  schema: JsonSchema,
  options: { captures: readonly string[]; splitAt: string; apart?: readonly string[]; inText?: boolean },
): { pattern: RegExp; groups: Record<string, number>; apart: Record<string, RegExp> } {
  const apart: Record<string, RegExp> = {};
  for (const name of options.apart ?? []) {
    const sub = schema.properties?.[name];
    if (!options.captures.includes(name) || sub?.type !== "string" || sub.pattern === undefined || sub.minLength !== undefined || Object.keys(sub).some((k) => !["type", "pattern", "description"].includes(k))) {
      throw new Error(`audit schema: ${name} can be checked apart only as a captured string member with a pattern and nothing else`);
    }
    apart[name] = new RegExp(sub.pattern);
  }
  const loose = (name: string, sub: JsonSchema) => (name in apart ? { type: "string" as const } : sub);
  const groups: Record<string, number> = {};
  let group = 1;
  let split = false;
  const members = objectMembers(schema, (name, sub, first) => {
    const key = `${first ? "" : ","}"${name}":`;
    if (name === options.splitAt) {
      const value = valuePattern(loose(name, sub), options.captures.includes(name));
      if (options.captures.includes(name)) groups[name] = ++group;
      split = true;
      return `)${key}${value}`;
    }
    const captured = options.captures.includes(name);
    if (captured) groups[name] = ++group;
    return `${key}${valuePattern(loose(name, sub), captured)}`;
  });
  if (!split || !(schema.required ?? []).includes(options.splitAt)) throw new Error(`audit schema: ${options.splitAt} is not a required member`);
  const pattern = options.inText ? new RegExp(`(\\{${members}\\}(?=\\n)`, "y") : new RegExp(`^(\\{${members}\\}$`);
  return { pattern, groups, apart };
}

const STR = String.raw`[^"\\\u0000-\u001f]*`;
const NONEMPTY = String.raw`[^"\\\u0000-\u001f]+`;
const NUMBER = String.raw`-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?`;
const FLAT_VALUE = `(?:"${STR}"|${NUMBER}|true|false|null)`;
const FLAT_OBJECT = `\\{(?:"${STR}":${FLAT_VALUE}(?:,"${STR}":${FLAT_VALUE})*)?\\}`;
/** 15 digits stay below 2^53, so every integer matched is a safe one. */
const MAX_DIGITS = 15;
const LARGEST = 10 ** MAX_DIGITS - 1;

/**
 * The members of an object schema in canonical order: required ones as they are, optional ones
 * wrapped in `(?:…)?`. The first member must be required (a leading comma could not be placed).
 */
function objectMembers(schema: JsonSchema, member: (name: string, sub: JsonSchema, first: boolean) => string): string {
  const properties = schema.properties ?? {};
  const required = new Set(schema.required ?? []);
  const names = Object.keys(properties).sort();
  if (names.length > 0 && !required.has(names[0] as string)) throw new Error(`audit schema: the first member (${names[0]}) must be required for the line pattern`);
  return names.map((name, i) => {
    const text = member(name, properties[name] as JsonSchema, i === 0);
    return required.has(name) ? text : `(?:${text})?`;
  }).join("");
}

function valuePattern(schema: JsonSchema, capture: boolean): string {
  const wrap = (inner: string) => (capture ? `(${inner})` : inner);
  if ("const" in schema) return wrap(escapeRegExp(JSON.stringify(schema.const)));
  if (schema.enum) {
    const strings = schema.enum.every((v) => typeof v === "string" && /^[^"\\\u0000-\u001f]*$/.test(v));
    if (!strings) throw new Error("audit schema: only enums of plain strings can be matched by the line pattern");
    return `"${wrap(`(?:${(schema.enum as string[]).map(escapeRegExp).join("|")})`)}"`;
  }
  switch (schema.type) {
    case "string": return `"${wrap(stringPattern(schema))}"`;
    case "integer": return wrap(integerPattern(schema));
    case "object":
      // A captured object is its whole text (its inner patterns capture nothing).
      if (!schema.properties) return wrap(FLAT_OBJECT);
      return wrap(`\\{${objectMembers(schema, (name, sub, first) => `${first ? "" : ","}"${name}":${valuePattern(sub, false)}`)}\\}`);
    case "array": {
      if (!schema.items) throw new Error("audit schema: arrays need items for the line pattern");
      const item = valuePattern(schema.items, false);
      return `\\[(?:${item}(?:,${item})*)?\\]`;
    }
    default: throw new Error(`audit schema: type ${String(schema.type)} cannot be matched by the line pattern`);
  }
}

function stringPattern(schema: JsonSchema): string {
  const min = schema.minLength ?? 0;
  if (min > 1 || (min > 0 && schema.pattern !== undefined)) throw new Error("audit schema: minLength above 1, or with a pattern, cannot be matched by the line pattern");
  if (schema.pattern === undefined) return min === 1 ? NONEMPTY : STR;
  const source = schema.pattern;
  if (!source.startsWith("^") || !source.endsWith("$")) throw new Error(`audit schema: pattern ${source} must be anchored with ^ and $`);
  // Capturing groups of the pattern must not shift the line pattern's groups.
  const inner = source.slice(1, -1).replace(/(?<!\\)\((?!\?)/g, "(?:");
  // An anchor inside would mean "start/end of the input", which is the line in one form of the
  // pattern and a text of many lines in the other (inText).
  if (/(?<![\\[])\^|(?<!\\)\$/.test(inner)) throw new Error(`audit schema: pattern ${source} has an anchor inside, which the line pattern cannot place`);
  // A pattern built only from explicit characters, classes and \d never matches a quote, a
  // backslash or a control character, so the raw text equals the string's value. Anything else
  // is additionally confined to such characters.
  const plain = !/(?<!\\)\.|\[\^|\\[a-ce-zA-Z\\]|"/.test(inner);
  return plain ? inner : `(?=${STR}")(?:${inner})`;
}

function integerPattern(schema: JsonSchema): string {
  const { minimum = -Infinity, maximum = Infinity } = schema;
  if (maximum < LARGEST) throw new Error("audit schema: integers need a maximum of at least 10^15 - 1 for the line pattern");
  const digits = `[1-9]\\d{0,${MAX_DIGITS - 1}}`;
  if (minimum === 1) return digits;
  if (minimum === 0) return `(?:0|${digits})`;
  if (minimum <= -LARGEST) return `-?(?:0|${digits})`;
  throw new Error(`audit schema: integer minimum ${minimum} cannot be matched by the line pattern`);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}
