/**
 * A compiler for the small subset of JSON Schema (2020-12) that schema/audit-entry.schema.json
 * uses: type, required, properties, additionalProperties: false, const, enum, pattern,
 * minLength, minimum, maximum, items. The schema is compiled once into closures, so checking a
 * value walks no schema at run time. Any other keyword is refused when compiling: a keyword
 * silently ignored would make the validator accept what the schema rejects.
 */
export interface JsonSchema {
  $schema?: string;
  $id?: string;
  title?: string;
  description?: string;
  type?: "object" | "array" | "string" | "integer" | "number" | "boolean" | "null";
  required?: readonly string[];
  properties?: Readonly<Record<string, JsonSchema>>;
  additionalProperties?: boolean;
  const?: unknown;
  enum?: readonly unknown[];
  pattern?: string;
  minLength?: number;
  minimum?: number;
  maximum?: number;
  items?: JsonSchema;
}

/** Problems of a value, each `path: what is wrong` (empty when valid). */
export type Validator = (value: unknown) => string[];
/** Checks one value; its path (for messages) is fixed when compiling, so checking builds no strings. */
type Check = (value: unknown, problems: string[]) => void;

const KEYWORDS = new Set(["$schema", "$id", "title", "description", "type", "required", "properties", "additionalProperties", "const", "enum", "pattern", "minLength", "minimum", "maximum", "items"]);

/** `rootName`: how a root value of the wrong type is described ("entry is not a JSON object"). */
export function compileSchema(schema: JsonSchema, options: { rootName?: string } = {}): Validator {
  const check = compileNode(schema, "");
  const rootName = options.rootName ?? "value";
  const rootType = schema.type;
  return (value) => {
    const problems: string[] = [];
    if (rootType !== undefined && !hasType(value, rootType)) return [`${rootName} is not ${article(rootType)}`];
    check(value, problems);
    return problems;
  };
}

function compileNode(schema: JsonSchema, at: string): Check {
  const path = at;
  for (const keyword of Object.keys(schema)) {
    if (!KEYWORDS.has(keyword)) throw new Error(`audit schema: keyword ${keyword} at ${at || "the root"} is not supported by the compiler`);
  }
  const checks: Check[] = [];
  const { type } = schema;
  if ("const" in schema) {
    const expected = schema.const;
    checks.push((v, problems) => {
      if (v !== expected) problems.push(`${path}: expected ${JSON.stringify(expected)}, got ${show(v)}`);
    });
  }
  if (schema.enum) {
    const allowed = new Set(schema.enum);
    const list = schema.enum.map((x) => (typeof x === "string" ? x : JSON.stringify(x))).join(", ");
    checks.push((v, problems) => {
      if (!allowed.has(v)) problems.push(`${path}: expected one of ${list}, got ${show(v)}`);
    });
  }
  if (schema.pattern !== undefined) {
    // Unicode mode only when the pattern could mean something else without it (V8 runs a
    // non-unicode expression faster): patterns of plain ASCII classes and escapes match alike.
    const pattern = new RegExp(schema.pattern, /^[\x20-\x7e]*$/.test(schema.pattern) && !/\\[pPu]|(?<!\\)\./.test(schema.pattern) ? "" : "u");
    checks.push((v, problems) => {
      if (typeof v === "string" && !pattern.test(v)) problems.push(`${path}: ${show(v)} does not match ${schema.pattern}`);
    });
  }
  if (schema.minLength !== undefined) {
    const min = schema.minLength;
    checks.push((v, problems) => {
      // JSON Schema counts code points: n UTF-16 units hold between n/2 and n of them, so only
      // a short string needs counting (this runs for every line a report or verify reads).
      if (typeof v === "string" && v.length < 2 * min && (v.length < min || [...v].length < min)) problems.push(`${path}: expected at least ${min} character${min === 1 ? "" : "s"}`);
    });
  }
  if (schema.minimum !== undefined || schema.maximum !== undefined) {
    const { minimum = -Infinity, maximum = Infinity } = schema;
    checks.push((v, problems) => {
      if (typeof v === "number" && (v < minimum || v > maximum)) problems.push(`${path}: expected ${v < minimum ? `≥ ${minimum}` : `≤ ${maximum}`}, got ${v}`);
    });
  }
  if (schema.items) {
    const item = compileNode(schema.items, `${at}[]`);
    checks.push((v, problems) => {
      if (Array.isArray(v)) for (const x of v) item(x, problems);
    });
  }
  if (schema.required || schema.properties || schema.additionalProperties === false) checks.push(compileObject(schema, at));
  return (value, problems) => {
    if (type !== undefined && !hasType(value, type)) {
      problems.push(`${path}: expected ${article(type)}, got ${show(value)}`);
      return;
    }
    for (const check of checks) check(value, problems);
  };
}

function compileObject(schema: JsonSchema, at: string): Check {
  const required = schema.required ?? [];
  const prefix = at === "" ? "" : `${at}.`;
  const properties = Object.entries(schema.properties ?? {}).map(([name, sub]) => [name, compileNode(sub, `${prefix}${name}`)] as const);
  const known = new Set(Object.keys(schema.properties ?? {}));
  const closed = schema.additionalProperties === false;
  return (v, problems) => {
    if (typeof v !== "object" || v === null || Array.isArray(v)) return;
    const object = v as Record<string, unknown>;
    for (const name of required) if (object[name] === undefined) problems.push(`${prefix}${name}: required`);
    for (const [name, check] of properties) {
      const value = object[name];
      if (value !== undefined) check(value, problems);
    }
    // for…in rather than Object.keys: no array per checked object (parsed JSON has no inherited keys).
    if (closed) for (const name in object) if (!known.has(name)) problems.push(`${prefix}${name}: unknown field`);
  };
}

function hasType(value: unknown, type: NonNullable<JsonSchema["type"]>): boolean {
  switch (type) {
    case "object": return typeof value === "object" && value !== null && !Array.isArray(value);
    case "array": return Array.isArray(value);
    case "integer": return typeof value === "number" && Number.isInteger(value);
    case "number": return typeof value === "number" && Number.isFinite(value);
    case "null": return value === null;
    default: return typeof value === type;
  }
}

function article(type: string): string {
  return type === "object" || type === "array" || type === "integer" ? `an ${type}` : type === "null" ? "null" : `a ${type}`;
}

/** A value for a message, cut short: a problem message must stay one readable line. */
function show(value: unknown): string {
  const text = value === undefined ? "nothing" : JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 37)}…` : text;
}
