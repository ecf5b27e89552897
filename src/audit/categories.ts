import { AUDIT_CATEGORIES } from "../metrics/catalog.js";

export { AUDIT_CATEGORIES };
export type AuditCategory = (typeof AUDIT_CATEGORIES)[number];

/** Names people type for a category; the canonical id is what is written. */
export const CATEGORY_ALIASES: Readonly<Record<string, AuditCategory>> = {
  auth: "authentication",
  authn: "authentication",
  login: "authentication",
  user: "user_management",
  users: "user_management",
  "user-management": "user_management",
  finance: "financial",
  money: "financial",
  licence: "license",
  licenses: "license",
  licences: "license",
  system: "admin",
  sec: "security",
};

export function isAuditCategory(value: string): value is AuditCategory {
  return (AUDIT_CATEGORIES as readonly string[]).includes(value);
}

/** Maps a canonical id or an alias (any case) to the canonical id, or undefined. */
export function normalizeCategory(value: string): AuditCategory | undefined {
  const lower = value.trim().toLowerCase();
  if (isAuditCategory(lower)) return lower;
  return CATEGORY_ALIASES[lower];
}
