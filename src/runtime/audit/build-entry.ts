import { normalizeCategory, type AuditCategory } from "../../audit/categories.js";
import { AUDIT_FORMAT_VERSION, type AuditActor, type AuditEntry, type AuditEvent, type AuditOutcome, type AuditTarget } from "../../audit/entry.js";
import { ACTION_PATTERN, ACTOR_TYPES as SCHEMA_ACTOR_TYPES, AUDIT_OUTCOME_VALUES, validateEntryBody } from "../../audit/entry-schema.js";
import { redact, redactString } from "../../audit/redact.js";
import { MonwireError } from "../../errors.js";
import { TENANT_NONE, TENANT_UNKNOWN } from "../../metrics/catalog.js";
import { getRequestContext, type RequestContext } from "../context.js";
import { capData, capString, Truncations } from "./limits.js";

/** An entry before the writer chains it: everything but writer, seq, prev and hash. */
export type EntryBody = Omit<AuditEntry, "writer" | "seq" | "prev" | "hash">;

/** A validated body, with the canonical JSON of its `data` computed once while capping it. */
export interface BuiltEntry {
  body: EntryBody;
  dataJson?: string;
}

/** An amount as callers pass it: the currency defaults to the tenant's (tenants.currency). */
export interface AmountInput {
  /** Integer minor units (cents, feninga): 1250 is 12.50. */
  minor: number;
  currency?: string;
}

/**
 * What `record()` accepts: the business content of an entry. Tenant, actor, ip, user agent,
 * request id, branch and transaction id come from the request context when omitted.
 */
export interface AuditRecordInput extends Omit<AuditEvent, "category" | "amount"> {
  /** A canonical category id, or an alias such as "auth" or "finance". */
  category: AuditCategory | string;
  amount?: AmountInput;
}

export interface EntryBuilderSettings {
  currency: Readonly<Record<string, string>>;
  clock: () => Date;
}

const ACTOR_TYPES = new Set(SCHEMA_ACTOR_TYPES);
const ANONYMOUS: AuditActor = { id: "anonymous", type: "anonymous" };
const SYSTEM: AuditActor = { id: "system", type: "system" };
const CURRENCIES = new Set(Intl.supportedValuesOf("currency"));
const CONTEXT_FIELDS = [
  ["ip", "ip"], ["user_agent", "userAgent"], ["request_id", "requestId"], ["branch", "branch"], ["tx_id", "txId"],
] as const satisfies readonly (readonly [keyof AuditEvent, keyof RequestContext])[];

function invalid(message: string, hint: string): MonwireError {
  return new MonwireError("E_AUDIT_INVALID", `audit entry rejected: ${message}`, { hint });
}

function requireString(value: unknown, field: string): string {
  if (typeof value !== "string" || value.length === 0) throw invalid(`${field} must be a non-empty string`, `Pass ${field} as a string.`);
  return value;
}

/**
 * Tenant of an entry: explicit wins; inside a request the configured tenant, or what the client
 * actually sent when it was not a configured one (the audit trail keeps evidence that metric
 * labels must not); outside a request "none".
 */
function resolveTenant(explicit: string | undefined, context: RequestContext | undefined): string {
  if (explicit !== undefined) return requireString(explicit, "tenant");
  if (!context) return TENANT_NONE;
  if (context.tenant === TENANT_UNKNOWN && context.rawTenant) return context.rawTenant;
  return context.tenant || TENANT_NONE;
}

function checkActor(actor: AuditActor, truncations: Truncations): AuditActor {
  if (typeof actor !== "object" || actor === null || !ACTOR_TYPES.has(actor.type)) {
    throw invalid("actor.type must be user, service, system or anonymous", 'Pass an actor like {id: "u-17", role: "admin", type: "user"}.');
  }
  const id = capString(requireString(actor.id, "actor.id"), "actor.id", truncations);
  if (actor.role === undefined) return { id, type: actor.type };
  return { id, role: capString(requireString(actor.role, "actor.role"), "actor.role", truncations), type: actor.type };
}

function checkTarget(target: AuditTarget, truncations: Truncations): AuditTarget {
  if (typeof target !== "object" || target === null) throw invalid("target must be {type, id}", 'Pass a target like {type: "wallet", id: "w-3"}.');
  const redacted = { type: redactString(requireString(target.type, "target.type")), id: redactString(requireString(target.id, "target.id")) };
  return { type: capString(redacted.type, "target.type", truncations), id: capString(redacted.id, "target.id", truncations) };
}

function checkAmount(amount: AmountInput, tenant: string, currencies: Readonly<Record<string, string>>): { minor: number; currency: string } {
  if (typeof amount !== "object" || amount === null || !Number.isSafeInteger(amount.minor)) {
    throw invalid(
      `amount.minor must be an integer number of minor units, got ${JSON.stringify(amount?.minor)}`,
      "Pass amounts in minor units (cents): 12.50 BAM is {minor: 1250, currency: \"BAM\"}.",
    );
  }
  const currency = amount.currency ?? currencies[tenant];
  if (currency === undefined) {
    throw invalid(`amount.currency is missing and tenant "${tenant}" has no currency in tenants.currency`, 'Pass amount.currency (e.g. "BAM") or map the tenant in mon.config.json tenants.currency.');
  }
  if (typeof currency !== "string" || !CURRENCIES.has(currency)) {
    throw invalid(`amount.currency ${JSON.stringify(currency)} is not an ISO 4217 currency code`, 'Use an upper-case ISO 4217 code such as "EUR" or "BAM".');
  }
  return { minor: amount.minor, currency };
}

/**
 * Turns a caller's event into an entry body: validates it, fills it from the request context,
 * redacts secrets from target, reason and data, and caps field sizes. Throws MonwireError
 * E_AUDIT_INVALID; once this returns, serializing the body cannot fail.
 */
export function buildEntry(event: AuditRecordInput, settings: EntryBuilderSettings): BuiltEntry {
  if (typeof event !== "object" || event === null) throw invalid("expected an event object", "Call record({category, action, ...}).");
  const category = typeof event.category === "string" ? normalizeCategory(event.category) : undefined;
  if (!category) throw invalid(`unknown category ${JSON.stringify(event.category)}`, "Use one of user_management, financial, license, security, admin, authentication.");
  if (typeof event.action !== "string" || !ACTION_PATTERN.test(event.action) || event.action.length > 128) {
    throw invalid(`action ${JSON.stringify(event.action)} is not a lowercase dotted name`, "Name actions like wallet.deposit or license_key.generated.");
  }
  const outcome: AuditOutcome = event.outcome ?? "success";
  if (!AUDIT_OUTCOME_VALUES.includes(outcome)) throw invalid(`outcome ${JSON.stringify(outcome)} is not success, failure or unknown`, "Pass outcome: \"success\", \"failure\" or \"unknown\".");

  const context = getRequestContext();
  const truncations = new Truncations();
  const tenant = capString(resolveTenant(event.tenant, context), "tenant", truncations);
  const actor = checkActor(event.actor ?? context?.actor ?? (context ? ANONYMOUS : SYSTEM), truncations);
  const body: EntryBody = { v: AUDIT_FORMAT_VERSION, ts: settings.clock().toISOString(), category, action: event.action, outcome, tenant, actor };
  if (event.target !== undefined) body.target = checkTarget(event.target, truncations);
  if (event.amount !== undefined) body.amount = checkAmount(event.amount, tenant, settings.currency);
  for (const [field, contextField] of CONTEXT_FIELDS) {
    const value = event[field] ?? context?.[contextField];
    if (value === undefined) continue;
    if (typeof value !== "string") throw invalid(`${field} must be a string`, `Pass ${field} as a string.`);
    body[field] = capString(value, field, truncations);
  }
  if (event.reason !== undefined) body.reason = capString(redactString(requireString(event.reason, "reason")), "reason", truncations);
  const data = event.data === undefined ? undefined : checkData(event.data, truncations);
  if (data) body.data = data.data;
  const truncated = truncations.list();
  if (truncated) body.truncated = truncated;
  // The friendly checks above explain the usual mistakes; the schema has the last word, so the
  // writer never signs a line that verify would reject.
  const problems = validateEntryBody(body);
  if (problems.length > 0) throw invalid(problems.join("; "), "See docs/audit-format.md for the line format.");
  return { body, dataJson: data?.json };
}

function checkData(data: Record<string, unknown>, truncations: Truncations): { data: Record<string, unknown>; json: string } {
  if (typeof data !== "object" || data === null || Array.isArray(data)) throw invalid("data must be a plain object", "Pass data as an object, e.g. {product: \"pro\"}.");
  try {
    return capData(redact(data, { path: "data", onCut: (path) => truncations.add(path) }), truncations);
  } catch (cause) {
    throw new MonwireError("E_AUDIT_INVALID", `audit entry rejected: data cannot be written as JSON (${(cause as Error).message})`, {
      cause,
      hint: "Keep data to strings, finite numbers, booleans, null, arrays and plain objects.",
    });
  }
}

