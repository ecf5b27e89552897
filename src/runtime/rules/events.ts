import type { EventRule, RuleField } from "../../config/event-rules.js";
import { LOGIN_METHODS, PRODUCT_OTHER } from "../../metrics/catalog.js";
import type { AuditRecordInput } from "../audit/build-entry.js";
import type { EventFields } from "../track.js";
import { asText, toMinorUnits, type Outcome } from "./values.js";

/** What building a rule's events needs about the request, beyond its values. */
export interface RuleEventInput {
  /** Reads a field the rule names; undefined (and a rule error counted) when it is missing. */
  read(field: RuleField): unknown;
  outcome: Outcome;
  /** The request actor's id, when one was found. */
  actorId: string | undefined;
  /** The tenant's configured currency. */
  currency: string | undefined;
  /** Bounded product label values (metrics.products). */
  products: readonly string[];
  /** Ancestor branches of the actor's branch, for the audit data. */
  branchPath: readonly string[] | undefined;
  /** Counts a value that was present but unusable (an amount that is not a number). */
  unusable(field: RuleField): void;
}

const ACTION_PART = /[^a-z0-9_]+/g;

/** A free-form action value as the last part of a lowercase dotted audit action. */
function actionPart(value: string | undefined): string | undefined {
  const part = value?.toLowerCase().replace(ACTION_PART, "_").replace(/^_+|_+$/g, "").slice(0, 48);
  return part ? part : undefined;
}

function bounded(value: string, allowed: readonly string[], fallback: string): string {
  const lower = value.toLowerCase();
  return allowed.find((a) => a.toLowerCase() === lower) ?? fallback;
}

/** Audit-only events: category, action and target by event name. */
function auditEntry(rule: EventRule, input: RuleEventInput): AuditRecordInput {
  const text = (field: RuleField) => asText(input.read(field));
  const { outcome, reason } = input.outcome;
  const common = { outcome, ...(reason ? { reason } : {}) };
  const target = (type: string) => {
    const id = text("target");
    return id === undefined ? {} : { target: { type, id } };
  };
  const data = (fields: Record<string, unknown>) => {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(fields)) if (v !== undefined) out[k] = v;
    if (input.branchPath) out.branch_path = input.branchPath;
    return Object.keys(out).length > 0 ? { data: out } : {};
  };
  switch (rule.event) {
    case "license.accessed":
      return { category: "license", action: "license_key.accessed", ...common, ...target("license"), ...data({ product: text("product") }) };
    case "license.generated":
      return { category: "license", action: "license_key.generated", ...common, ...data({ product: text("product") }) };
    case "branch.created":
      return { category: "user_management", action: "branch.created", ...common, ...data({ branch_id: text("branchId"), name: text("name") }) };
    case "role.changed":
      return { category: "user_management", action: "user.role_changed", ...common, ...target("user"), ...data({ to: text("role") }) };
    case "user.created":
      return { category: "user_management", action: "user.created", ...common, ...target("user"), ...data({ role: text("role") }) };
    case "admin.action":
      return { category: "admin", action: `admin.${actionPart(text("action")) ?? "action"}`, ...common, ...target("resource"), ...data({}) };
    case "security.event":
      return { category: "security", action: `security.${actionPart(text("action")) ?? "event"}`, ...common, ...target("resource"), ...data({}) };
    case "logout":
      return { category: "authentication", action: "session.ended", ...common, ...data({}) };
    default:
      return { category: "admin", action: "rule.unhandled", ...common };
  }
}

/**
 * The events one rule records for one request. Counting events (keys generated, branch created,
 * session ended) happen only on success; their failures, and every event without a metric of its
 * own, become audit-only entries with the outcome and reason.
 */
export function buildRuleEvents(rule: EventRule, input: RuleEventInput): EventFields[] {
  const { outcome, reason } = input.outcome;
  const success = outcome === "success";
  const text = (field: RuleField) => asText(input.read(field));
  switch (rule.event) {
    case "login": {
      const withReason = reason ? { reason } : {};
      // The name that was tried (body.username) names the attempt; the session belongs to the user
      // the app signed in (req.user / res.locals.user at the end), the id later requests carry.
      const actorId = text("actorId") ?? input.actorId;
      const sessionUser = input.actorId ?? actorId;
      const method = bounded(text("method") ?? "password", LOGIN_METHODS, "other");
      const login: EventFields = { kind: "login", outcome, method, ...(actorId ? { actorId } : {}), ...withReason };
      return success ? [login, { kind: "session_started", ...(sessionUser ? { actorId: sessionUser } : {}) }] : [login];
    }
    case "logout": {
      if (!success) return [{ kind: "audit", entry: auditEntry(rule, input) }];
      const actorId = input.actorId ?? text("actorId");
      return [{ kind: "session_ended", ...(actorId ? { actorId } : {}) }];
    }
    case "wallet.deposit":
    case "wallet.purchase":
    case "wallet.refund":
    case "wallet.withdrawal": {
      const currency = text("currency") ?? input.currency;
      const raw = input.read("amount");
      const amountMinor = raw === undefined ? undefined : toMinorUnits(raw, rule.amountUnit, currency);
      if (raw !== undefined && amountMinor === undefined) input.unusable("amount");
      const event: EventFields & { kind: "wallet_transaction" } = { kind: "wallet_transaction", type: rule.event.slice(7) as "deposit", outcome };
      if (amountMinor !== undefined) event.amountMinor = amountMinor;
      if (currency !== undefined) event.currency = currency;
      const walletId = text("walletId");
      if (walletId !== undefined) event.walletId = walletId;
      const txId = text("txId");
      if (txId !== undefined) event.txId = txId;
      const product = text("product");
      if (product !== undefined) event.product = product;
      if (reason) event.reason = reason;
      return [event];
    }
    case "license.generated": {
      if (!success) return [{ kind: "audit", entry: auditEntry(rule, input) }];
      const rawProduct = text("product") ?? PRODUCT_OTHER;
      const listed = input.read("keys");
      const keys = Array.isArray(listed) ? listed.map(asText).filter((k): k is string => k !== undefined) : undefined;
      const counted = Number(input.read("count"));
      const count = keys ? keys.length : Number.isSafeInteger(counted) && counted > 0 ? counted : 1;
      if (count === 0) return [];
      return [{ kind: "license_keys_generated", product: bounded(rawProduct, input.products, PRODUCT_OTHER), rawProduct, count, ...(keys ? { keys } : {}) }];
    }
    case "branch.created": {
      if (!success) return [{ kind: "audit", entry: auditEntry(rule, input) }];
      // A branch whose id the rule cannot read was still created: count it, with the id unknown.
      const branchId = text("branchId") ?? "unknown";
      const name = text("name");
      return [{ kind: "branch_created", branchId, ...(name ? { name } : {}) }];
    }
    default:
      return [{ kind: "audit", entry: auditEntry(rule, input) }];
  }
}
