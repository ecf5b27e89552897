import { getRequestContext, type RequestContext } from "../context.js";

/**
 * What an error is about, as a Sentry tag (`error_category`), so alerts and dashboards can route
 * a failed purchase differently from a crashed cron job.
 */
export const ERROR_CATEGORIES = ["user_action", "transaction", "license", "system"] as const;
export type ErrorCategory = (typeof ERROR_CATEGORIES)[number];

const CATEGORY = Symbol.for("monwire.errorCategory");

const isCategory = (value: unknown): value is ErrorCategory =>
  typeof value === "string" && (ERROR_CATEGORIES as readonly string[]).includes(value);

/**
 * Marks an error with its category and returns it, for `throw setErrorCategory(err, "license")`.
 * The mark wins over every inferred category.
 */
export function setErrorCategory<E>(error: E, category: ErrorCategory): E {
  if (!isCategory(category)) throw new TypeError(`setErrorCategory: category must be one of ${ERROR_CATEGORIES.join(", ")}`);
  if (typeof error === "object" && error !== null) {
    Object.defineProperty(error, CATEGORY, { value: category, configurable: true, enumerable: false });
  }
  return error;
}

/** Route words → category, checked in order: money first, then licenses, then user actions. */
const ROUTE_RULES: ReadonlyArray<[RegExp, ErrorCategory]> = [
  [/wallet|transaction|purchase|payment|checkout|order|deposit|refund|withdraw|invoice|billing|transfer/i, "transaction"],
  [/licen[cs]e|activation|product-?key/i, "license"],
  [/login|logout|auth|session|sign-?(?:in|up|out)|register|password|users?\b|account|profile|branch/i, "user_action"],
];

function statusOf(error: object): number | undefined {
  const e = error as { status?: unknown; statusCode?: unknown };
  const status = Number(e.status ?? e.statusCode);
  return Number.isInteger(status) ? status : undefined;
}

/**
 * The error's category: an explicit mark (setErrorCategory, or a `category` property holding one
 * of the four values), else a 4xx status (the client's action failed), else the route's words
 * (`POST /api/wallets/:id/deposit` → transaction), else `system`.
 */
export function categorizeError(error: unknown, route?: string): ErrorCategory {
  if (typeof error === "object" && error !== null) {
    const marked = (error as Record<PropertyKey, unknown>)[CATEGORY] ?? (error as { category?: unknown }).category;
    if (isCategory(marked)) return marked;
    const status = statusOf(error);
    if (status !== undefined && status >= 400 && status < 500) return "user_action";
  }
  if (route) {
    for (const [pattern, category] of ROUTE_RULES) if (pattern.test(route)) return category;
  }
  return "system";
}

/**
 * The Sentry user of the request: the actor's id with its role and segment (so Sentry can show
 * "users affected" and split B2B from regular accounts). Ids only, never names or emails.
 */
export function contextUser(context: RequestContext | undefined = getRequestContext()): Record<string, string> | undefined {
  const actor = context?.actor;
  if (!actor?.id || actor.type === "system" || actor.type === "anonymous") return undefined;
  return { id: actor.id, ...(actor.role ? { role: actor.role } : {}), ...(context?.segment ? { segment: context.segment } : {}) };
}

/**
 * Sentry tags from the request context: tenant, request id, the actor's id and role, branch and
 * transaction id. Values are the bounded/opaque ids monwire already holds, never names or emails.
 */
export function contextTags(context: RequestContext | undefined = getRequestContext()): Record<string, string> {
  if (!context) return {};
  const tags: Record<string, string> = { tenant: context.tenant, request_id: context.requestId };
  if (context.actor?.id) tags.user_id = context.actor.id;
  if (context.actor?.role) tags.user_role = context.actor.role;
  if (context.segment) tags.user_segment = context.segment;
  if (context.branch) tags.branch = context.branch;
  if (context.txId) tags.tx_id = context.txId;
  return tags;
}
