import { normalizeCategory } from "../../audit/categories.js";
import type { EventName } from "../../config/event-rules.js";
import { getRequestContext } from "../context.js";
import type { AuditRecordInput } from "./build-entry.js";

/** Audit actions written by the category helpers (and track.*), by the route-rule event they stand for. */
const EVENT_OF_ACTION: ReadonlyMap<string, EventName> = new Map([
  ["financial wallet.deposit", "wallet.deposit"],
  ["financial wallet.purchase", "wallet.purchase"],
  ["financial wallet.refund", "wallet.refund"],
  ["financial wallet.withdrawal", "wallet.withdrawal"],
  ["license license_key.generated", "license.generated"],
  ["license license_key.accessed", "license.accessed"],
  ["user_management branch.created", "branch.created"],
  ["user_management user.created", "user.created"],
  ["user_management user.role_changed", "role.changed"],
  ["authentication login.succeeded", "login"],
  ["authentication login.failed", "login"],
  ["authentication session.logout", "logout"],
  ["authentication session.ended", "logout"],
]);

/**
 * The route-rule event an audit entry recorded by the app stands for: wallet, license, branch,
 * user, login and logout actions by name; any admin entry is an `admin.action`, any security
 * entry a `security.event`. Undefined for entries no rule can record (e.g. `license_key.revoked`).
 */
export function ruleEventOfAudit(event: Pick<AuditRecordInput, "category" | "action">): EventName | undefined {
  if (typeof event.category !== "string" || typeof event.action !== "string") return undefined;
  const category = normalizeCategory(event.category);
  if (category === "admin") return "admin.action";
  if (category === "security") return "security.event";
  return EVENT_OF_ACTION.get(`${category} ${event.action}`);
}

/**
 * Notes on the live request context that the app wrote this event's audit entry itself (a direct
 * `monitoring.audit.*` call): a route rule for the same event then writes no second entry. Outside
 * a request it does nothing.
 */
export function markAuditedByApp(event: AuditRecordInput): void {
  const context = getRequestContext();
  if (!context || typeof event !== "object" || event === null) return;
  const name = ruleEventOfAudit(event);
  if (name) (context.audited ??= new Set()).add(name);
}
