import type { AuditCategory } from "./categories.js";
import { isAuditCategory } from "./categories.js";

/** Contract 2, audit line format v1. */
export const AUDIT_FORMAT_VERSION = 1;
export type AuditOutcome = "success" | "failure" | "unknown";
export type ActorType = "user" | "service" | "system" | "anonymous";

export interface AuditActor {
  id: string;
  role?: string;
  type: ActorType;
}

export interface AuditTarget {
  type: string;
  id: string;
}

export interface AuditAmount {
  /** Integer minor units (cents, feninga). */
  minor: number;
  /** ISO 4217 code. */
  currency: string;
}

/** The business content of an entry, before the writer adds time, version and chain fields. */
export interface AuditEvent {
  category: AuditCategory;
  action: string;
  outcome?: AuditOutcome;
  tenant?: string;
  actor?: AuditActor;
  target?: AuditTarget;
  amount?: AuditAmount;
  ip?: string;
  user_agent?: string;
  request_id?: string;
  tx_id?: string;
  branch?: string;
  reason?: string;
  data?: Record<string, unknown>;
}

export interface AuditEntry {
  v: 1;
  ts: string;
  category: AuditCategory;
  action: string;
  outcome: AuditOutcome;
  tenant: string;
  actor: AuditActor;
  target?: AuditTarget;
  amount?: AuditAmount;
  ip?: string;
  user_agent?: string;
  request_id?: string;
  tx_id?: string;
  branch?: string;
  reason?: string;
  data?: Record<string, unknown>;
  /** Field paths whose values were cut to the size caps. */
  truncated?: string[];
  writer: string;
  seq: number;
  prev: string;
  hash: string;
}

export const ACTION_PATTERN = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/;
export const AUDIT_OUTCOME_VALUES: readonly AuditOutcome[] = ["success", "failure", "unknown"];
const ACTOR_TYPES: readonly ActorType[] = ["user", "service", "system", "anonymous"];
/** Field ranges spelled out so the JSON Schema can state the same rule (JS alone would accept T24:00). */
const TS_PATTERN = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{3}Z$/;
const HEX64 = /^[0-9a-f]{64}$/;
const STRING_FIELDS = ["ip", "user_agent", "request_id", "tx_id", "branch", "reason"] as const;
const KNOWN_FIELDS = new Set([
  "v", "ts", "category", "action", "outcome", "tenant", "actor", "target", "amount", ...STRING_FIELDS,
  "data", "truncated", "writer", "seq", "prev", "hash",
]);

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Schema check of one parsed line. Returns the problems (empty when valid). The JSON Schema in
 * schema/audit-entry.schema.json states the same rules for other tools.
 */
export function validateAuditEntry(value: unknown): string[] {
  if (!isRecord(value)) return ["entry is not a JSON object"];
  const problems: string[] = [];
  const e = value;
  if (e.v !== AUDIT_FORMAT_VERSION) problems.push(`v: expected 1, got ${JSON.stringify(e.v)}`);
  if (typeof e.ts !== "string" || !TS_PATTERN.test(e.ts) || Number.isNaN(Date.parse(e.ts))) problems.push("ts: expected ISO-8601 UTC with milliseconds");
  if (typeof e.category !== "string" || !isAuditCategory(e.category)) problems.push(`category: unknown ${JSON.stringify(e.category)}`);
  if (typeof e.action !== "string" || !ACTION_PATTERN.test(e.action)) problems.push("action: expected lowercase dotted name like wallet.deposit");
  if (typeof e.outcome !== "string" || !AUDIT_OUTCOME_VALUES.includes(e.outcome as AuditOutcome)) problems.push("outcome: expected success, failure or unknown");
  if (typeof e.tenant !== "string" || e.tenant.length === 0) problems.push("tenant: expected a non-empty string");
  if (!isRecord(e.actor) || typeof e.actor.id !== "string" || !ACTOR_TYPES.includes(e.actor.type as ActorType)) {
    problems.push("actor: expected {id, type: user|service|system|anonymous, role?}");
  } else if (e.actor.role !== undefined && typeof e.actor.role !== "string") problems.push("actor.role: expected a string");
  if (e.target !== undefined && (!isRecord(e.target) || typeof e.target.type !== "string" || typeof e.target.id !== "string")) {
    problems.push("target: expected {type, id}");
  }
  if (e.amount !== undefined) {
    if (!isRecord(e.amount) || !Number.isSafeInteger(e.amount.minor) || typeof e.amount.currency !== "string" || !/^[A-Z]{3}$/.test(e.amount.currency)) {
      problems.push("amount: expected {minor: integer, currency: ISO 4217 code}");
    }
  }
  for (const field of STRING_FIELDS) {
    if (e[field] !== undefined && typeof e[field] !== "string") problems.push(`${field}: expected a string`);
  }
  if (e.data !== undefined && !isRecord(e.data)) problems.push("data: expected an object");
  if (e.truncated !== undefined && !(Array.isArray(e.truncated) && e.truncated.every((p) => typeof p === "string"))) problems.push("truncated: expected an array of field paths");
  if (typeof e.writer !== "string" || e.writer.length === 0) problems.push("writer: expected a non-empty string");
  if (!Number.isSafeInteger(e.seq) || (e.seq as number) < 1) problems.push("seq: expected integer ≥ 1");
  if (typeof e.prev !== "string" || !HEX64.test(e.prev)) problems.push("prev: expected 64 hex digits");
  if (typeof e.hash !== "string" || !HEX64.test(e.hash)) problems.push("hash: expected 64 hex digits");
  for (const key of Object.keys(e)) if (!KNOWN_FIELDS.has(key)) problems.push(`${key}: unknown field`);
  return problems;
}
