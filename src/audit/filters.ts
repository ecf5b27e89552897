import { MonwireError } from "../errors.js";
import { AUDIT_CATEGORIES, CATEGORY_ALIASES, normalizeCategory } from "./categories.js";
import { AUDIT_OUTCOME_VALUES, type AuditEntry, type AuditOutcome } from "./entry.js";

/**
 * Entry filters as users give them. Fields combine with AND; the values of one field combine
 * with OR (`category: ["auth", "security"]`). Empty or absent fields match everything.
 */
export interface AuditFilterOptions {
  /** Canonical category ids or aliases (`auth`, `finance`, …), any case. */
  category?: string | string[];
  /** Tenant ids, compared case-insensitively. */
  tenant?: string | string[];
  outcome?: string | string[];
  /** Actor ids; `*` and `?` wildcards allowed (`branch-*`). */
  actor?: string | string[];
  /**
   * Action patterns: `wallet.deposit` exactly, `wallet` for every `wallet.…` action, globs
   * (`*.failed`, `license_key.*`), or a regular expression written `/…/flags`.
   */
  action?: string | string[];
  /** Entries at or after this time. */
  since?: Date;
  /** Entries strictly before this time. */
  until?: Date;
}

export type AuditFilter = (entry: AuditEntry) => boolean;

const list = (value: string | string[] | undefined): string[] =>
  (value === undefined ? [] : Array.isArray(value) ? value : [value]).map((v) => v.trim()).filter((v) => v.length > 0);

function optionError(message: string, hint: string): MonwireError {
  return new MonwireError("E_OPTION_INVALID", message, { hint });
}

/** Canonical category ids for the given names; unknown names are a usage error listing what exists. */
export function resolveCategories(values: string | string[] | undefined): string[] {
  return list(values).map((value) => {
    const category = normalizeCategory(value);
    if (category) return category;
    throw optionError(`unknown audit category "${value}"`, `Use one of ${AUDIT_CATEGORIES.join(", ")} (aliases: ${Object.keys(CATEGORY_ALIASES).join(", ")}).`);
  });
}

/** `*` any run of characters, `?` one character, everything else literal; the whole action must match. */
export function globToRegExp(glob: string): RegExp {
  const source = glob.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
  return new RegExp(`^${source}$`);
}

/** Compiles one action pattern (see AuditFilterOptions.action) into a predicate on the action name. */
export function compileActionPattern(pattern: string): (action: string) => boolean {
  const regex = /^\/(.+)\/([a-z]*)$/.exec(pattern);
  if (regex) {
    try {
      const compiled = new RegExp(regex[1] as string, regex[2]);
      return (action) => compiled.test(action);
    } catch (error) {
      throw optionError(`action pattern ${pattern} is not a valid regular expression: ${(error as Error).message}`, "Escape special characters, or use a glob such as wallet.*");
    }
  }
  if (/[*?]/.test(pattern)) {
    const compiled = globToRegExp(pattern);
    return (action) => compiled.test(action);
  }
  const prefix = `${pattern}.`;
  return (action) => action === pattern || action.startsWith(prefix);
}

/**
 * Builds one predicate from the options, validating them once (unknown category or outcome, bad
 * regular expression, invalid date → MonwireError) so the per-entry path does no checking.
 */
export function compileAuditFilter(options: AuditFilterOptions = {}): AuditFilter {
  const tests: AuditFilter[] = [];
  const categories = new Set(resolveCategories(options.category));
  if (categories.size > 0) tests.push((e) => categories.has(e.category));
  const tenants = new Set(list(options.tenant).map((t) => t.toUpperCase()));
  if (tenants.size > 0) tests.push((e) => typeof e.tenant === "string" && tenants.has(e.tenant.toUpperCase()));
  const outcomes = list(options.outcome).map((o) => o.toLowerCase());
  for (const outcome of outcomes) {
    if (!AUDIT_OUTCOME_VALUES.includes(outcome as AuditOutcome)) {
      throw optionError(`unknown outcome "${outcome}"`, `Use one of ${AUDIT_OUTCOME_VALUES.join(", ")}.`);
    }
  }
  if (outcomes.length > 0) tests.push((e) => outcomes.includes(e.outcome));
  const actors = list(options.actor).map((a) => (/[*?]/.test(a) ? globToRegExp(a) : a));
  if (actors.length > 0) {
    tests.push((e) => {
      const id = e.actor?.id;
      return typeof id === "string" && actors.some((a) => (typeof a === "string" ? a === id : a.test(id)));
    });
  }
  const actions = list(options.action).map(compileActionPattern);
  if (actions.length > 0) tests.push((e) => actions.some((match) => match(e.action)));
  // Entry timestamps are fixed-width ISO-8601 UTC, so string comparison orders them correctly.
  const since = isoBound(options.since, "since");
  const until = isoBound(options.until, "until");
  if (since !== undefined) tests.push((e) => e.ts >= since);
  if (until !== undefined) tests.push((e) => e.ts < until);
  if (tests.length === 0) return () => true;
  return (entry) => tests.every((test) => test(entry));
}

function isoBound(date: Date | undefined, name: string): string | undefined {
  if (date === undefined) return undefined;
  if (Number.isNaN(date.getTime())) throw optionError(`${name} is not a valid date`, "Pass an ISO-8601 time such as 2025-01-31T12:00:00Z.");
  return date.toISOString();
}

/**
 * The filter a report scans with (time range, tenants) as plain values, for a caller that tests
 * them on a line's raw members instead of on an entry; undefined when the options hold anything
 * else (category, outcome, actor, action), which only compileAuditFilter tests. Same validation
 * and the same tests as compileAuditFilter: `ts >= since`, `ts < until`, upper-cased tenant in
 * `tenants` (undefined: any tenant).
 */
export interface RangeFilter {
  since: string | undefined;
  until: string | undefined;
  tenants: Set<string> | undefined;
}

export function rangeFilterOf(options: AuditFilterOptions = {}): RangeFilter | undefined {
  if ([options.category, options.outcome, options.actor, options.action].some((value) => list(value).length > 0)) return undefined;
  const tenants = new Set(list(options.tenant).map((t) => t.toUpperCase()));
  return { since: isoBound(options.since, "since"), until: isoBound(options.until, "until"), tenants: tenants.size > 0 ? tenants : undefined };
}
