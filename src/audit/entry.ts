import type { AuditCategory } from "./categories.js";

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

// The shape above is the TypeScript view of schema/audit-entry.schema.json; the checks live in
// entry-schema.ts, compiled from that file (a unit test pins that the two agree).
export { ACTION_PATTERN, AUDIT_OUTCOME_VALUES, validateAuditEntry } from "./entry-schema.js";
