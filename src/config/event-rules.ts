import type { ConfigIssue } from "../errors.js";

/**
 * Route rules (`events` in mon.config.json): which route is which business event, and where its
 * values come from. Validation is rule by rule: a broken rule is reported with its exact path and
 * turned off, the others stay on, and the host starts either way. Pure: `mon check` and the
 * runtime call the same function and see the same problems.
 */
export const EVENT_NAMES = [
  "login", "logout", "wallet.deposit", "wallet.purchase", "wallet.refund", "wallet.withdrawal",
  "license.generated", "license.accessed", "branch.created", "role.changed", "user.created",
  "admin.action", "security.event",
] as const;
export type EventName = (typeof EVENT_NAMES)[number];

export const VALUE_ROOTS = ["body", "params", "query", "headers", "user", "response"] as const;
export type ValueRoot = (typeof VALUE_ROOTS)[number];

/** One step of a path: a property name, or `[]` (every element of an array). */
export type PathStep = string | typeof EACH;
export const EACH: unique symbol = Symbol("each");

export type ValueSource =
  | { kind: "path"; root: ValueRoot; steps: readonly PathStep[]; text: string; many: boolean }
  | { kind: "literal"; value: string | number };

export type RuleField =
  | "actorId" | "method" | "amount" | "amountUnit" | "currency" | "walletId" | "txId" | "product" | "keys" | "count"
  | "branchId" | "name" | "target" | "role" | "action" | "reason";

export interface EventRule {
  event: EventName;
  /** Config path of this rule, e.g. `events["POST /api/orders"].also[0]`. */
  path: string;
  fields: Partial<Record<RuleField, ValueSource>>;
  amountUnit: "major" | "minor";
  /** "402" or "4xx" → reason. */
  reasons: ReadonlyMap<string, string>;
  also: readonly EventRule[];
}

export interface RouteRule extends EventRule {
  /** The `events` key: `"<METHOD> <template>"`. */
  key: string;
  method: string;
  template: string;
}

export interface EventRulesResult {
  /** The rules that are on. */
  rules: RouteRule[];
  /** Every problem, each naming its config path; a rule with a problem is off. */
  problems: ConfigIssue[];
}

const COMMON = ["event", "reasons", "reason", "txId"] as const;
const WALLET = ["amount", "amountUnit", "currency", "walletId", "product"] as const;
const FIELDS: Record<EventName, readonly string[]> = {
  login: ["actorId", "method"],
  logout: ["actorId"],
  "wallet.deposit": WALLET,
  "wallet.purchase": WALLET,
  "wallet.refund": WALLET,
  "wallet.withdrawal": WALLET,
  "license.generated": ["product", "keys", "count"],
  "license.accessed": ["target", "product"],
  "branch.created": ["branchId", "name"],
  "role.changed": ["target", "role"],
  "user.created": ["target", "role"],
  "admin.action": ["action", "target"],
  "security.event": ["action", "target"],
};
const REQUIRED: Partial<Record<EventName, readonly RuleField[]>> = {
  "wallet.deposit": ["amount"], "wallet.purchase": ["amount"], "wallet.refund": ["amount"], "wallet.withdrawal": ["amount"],
  "branch.created": ["branchId"],
};
const NUMERIC = new Set(["amount", "count"]);
const KEY = /^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) (\/\S*)$/;
const REASON_KEY = /^[1-5](?:\d\d|xx)$/;
const REASON = /^[\w.:-]{1,64}$/;
const SEGMENT = /^([A-Za-z0-9_$-]+)?(\[\])?$/;
const PATH_START = new RegExp(`^(?:${VALUE_ROOTS.join("|")})(?:\\[\\])?(?:[.[]|$)`);

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Parses a value source: `body.a.b`, `response.licenses[].key`, `headers.x-shop`, … A string not
 * starting with one of the roots followed by `.` or `[]` is a literal (`"antivirus"`, and also
 * `"user"` on its own). Returns a message when the expression is malformed.
 */
export function parseValueSource(value: unknown): ValueSource | string {
  if (typeof value === "number" && Number.isFinite(value)) return { kind: "literal", value };
  if (typeof value !== "string" || value === "") return 'expected a path like "body.amount" or a literal string';
  if (value === "user" || !PATH_START.test(value)) return { kind: "literal", value };
  if (VALUE_ROOTS.includes(value as ValueRoot)) return `"${value}" names the whole ${value}; name a field, e.g. "${value}.id"`;
  const segments = value.split(".");
  const steps: PathStep[] = [];
  let root: ValueRoot | undefined;
  for (const [index, segment] of segments.entries()) {
    const match = SEGMENT.exec(segment);
    if (!match || segment === "") return `malformed path "${value}": segment ${index + 1} ("${segment}") must be a name, optionally followed by []`;
    const [, name, each] = match;
    if (index === 0) root = name as ValueRoot;
    else if (name !== undefined) steps.push(root === "headers" ? name.toLowerCase() : name);
    else return `malformed path "${value}": "[]" must follow a name`;
    if (each) steps.push(EACH);
  }
  return { kind: "path", root: root as ValueRoot, steps, text: value, many: steps.includes(EACH) };
}

function checkReasons(value: unknown, at: string, problems: ConfigIssue[]): Map<string, string> {
  const reasons = new Map<string, string>();
  if (value === undefined) return reasons;
  if (!isRecord(value)) {
    problems.push({ path: at, message: 'expected an object like {"402": "insufficient_funds", "4xx": "rejected"}' });
    return reasons;
  }
  for (const [status, reason] of Object.entries(value)) {
    if (!REASON_KEY.test(status)) problems.push({ path: `${at}["${status}"]`, message: 'expected a status code like "402" or a class like "4xx" as key' });
    else if (typeof reason !== "string" || !REASON.test(reason)) problems.push({ path: `${at}["${status}"]`, message: "expected a reason of 1-64 letters, digits, _ . : or -" });
    else reasons.set(status, reason);
  }
  return reasons;
}

function checkField(field: string, value: unknown, at: string, problems: ConfigIssue[]): ValueSource | undefined {
  if (field === "amountUnit") {
    if (value !== "major" && value !== "minor") problems.push({ path: at, message: 'expected "major" (e.g. 10.50) or "minor" (e.g. 1050)' });
    return undefined;
  }
  const source = parseValueSource(value);
  if (typeof source === "string") {
    problems.push({ path: at, message: source });
    return undefined;
  }
  if (source.kind === "literal") {
    if (NUMERIC.has(field) && !Number.isFinite(Number(source.value))) problems.push({ path: at, message: `expected a number or a path like "body.${field}" (a path starts with ${VALUE_ROOTS.join(", ")})` });
    else if (field === "keys") problems.push({ path: at, message: 'expected a path to the keys, e.g. "response.licenses[].key"' });
    else if (field === "currency" && !/^[A-Z]{3}$/.test(String(source.value))) problems.push({ path: at, message: 'expected an ISO 4217 code like "EUR" or a path' });
    else return source;
    return undefined;
  }
  if (source.many && field !== "keys" && field !== "count") {
    problems.push({ path: at, message: `"[]" gives a list; only keys and count take one` });
    return undefined;
  }
  return source;
}

function compileRule(raw: unknown, at: string, problems: ConfigIssue[], nested: boolean): EventRule | undefined {
  const before = problems.length;
  if (!isRecord(raw)) {
    problems.push({ path: at, message: 'expected an object like {"event": "login"}' });
    return undefined;
  }
  const event = raw.event as EventName;
  if (!EVENT_NAMES.includes(event)) {
    problems.push({ path: `${at}.event`, message: `unknown event ${JSON.stringify(raw.event)} (allowed: ${EVENT_NAMES.join(", ")})` });
    return undefined;
  }
  const allowed = new Set<string>([...COMMON, ...FIELDS[event], ...(nested ? [] : ["also"])]);
  const fields: EventRule["fields"] = {};
  for (const [field, value] of Object.entries(raw)) {
    if (!allowed.has(field)) {
      problems.push({ path: `${at}.${field}`, message: `unknown field for ${event} (allowed: ${[...allowed].join(", ")})` });
      continue;
    }
    if (field === "event" || field === "reasons" || field === "also") continue;
    const source = checkField(field, value, `${at}.${field}`, problems);
    if (source) fields[field as RuleField] = source;
  }
  for (const field of REQUIRED[event] ?? []) {
    if (raw[field] === undefined) problems.push({ path: `${at}.${field}`, message: `${event} needs ${field}` });
  }
  const reasons = checkReasons(raw.reasons, `${at}.reasons`, problems);
  const also: EventRule[] = [];
  if (raw.also !== undefined) {
    if (!Array.isArray(raw.also)) problems.push({ path: `${at}.also`, message: "expected an array of rules" });
    else raw.also.forEach((item, i) => {
      const rule = compileRule(item, `${at}.also[${i}]`, problems, true);
      if (rule) also.push(rule);
    });
  }
  if (problems.length > before) return undefined;
  return { event, path: at, fields, amountUnit: raw.amountUnit === "minor" ? "minor" : "major", reasons, also };
}

/** The config path of a rule key: `events["POST /api/orders"]`. */
export function rulePath(key: string): string {
  return `events[${JSON.stringify(key)}]`;
}

/**
 * Validates the `events` section rule by rule. Never throws: what is wrong is returned as
 * problems with their config paths, and only the rules without problems are returned.
 */
export function validateEventRules(events: unknown): EventRulesResult {
  const problems: ConfigIssue[] = [];
  const rules: RouteRule[] = [];
  if (events === undefined) return { rules, problems };
  if (!isRecord(events)) return { rules, problems: [{ path: "events", message: 'expected an object mapping "<METHOD> <route>" to a rule' }] };
  for (const [key, raw] of Object.entries(events)) {
    const at = rulePath(key);
    const match = KEY.exec(key);
    if (!match) {
      problems.push({ path: at, message: 'expected a key like "POST /api/orders" (method in capitals, one space, the route template as the metrics label it)' });
      continue;
    }
    const rule = compileRule(raw, at, problems, false);
    if (rule) rules.push({ ...rule, key, method: match[1] as string, template: match[2] as string });
  }
  return { rules, problems };
}

/** Keys of the rules whose route template was never seen among `templates` (e.g. the routes `mon init` found). */
export function findUnmatchedRules(rules: readonly RouteRule[], templates: Iterable<string>): string[] {
  const known = new Set(templates);
  return rules.filter((rule) => !known.has(rule.key) && !known.has(rule.template)).map((rule) => rule.key);
}
