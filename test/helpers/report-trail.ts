import type { AuditEntry } from "../../src/audit/entry.js";
import { seededRandom } from "../../src/demo/traffic-counts.js";
import { TestTrail, type TestEvent, type TestWriter } from "./audit-trail.js";

/**
 * A seeded, shop-like audit trail for report tests: two tenants (EUR, KM in BAM), several
 * writers interleaved, restarts, every category. Each generated entry carries a `label` saying
 * what it is (a deposit, a failed login, ...) so tests can compute expected numbers from the
 * labels, independently of how `mon report` reads actions.
 */
export type Label =
  | { kind: "wallet"; type: "deposit" | "purchase" | "refund" | "withdrawal" }
  | { kind: "keys"; product: string; count: number }
  | { kind: "revoke"; product: string }
  | { kind: "login" } | { kind: "login_failed"; account: string } | { kind: "lockout" } | { kind: "logout" }
  | { kind: "branch" } | { kind: "role" } | { kind: "user_created" }
  | { kind: "security" } | { kind: "admin" };

export interface GeneratedTrail {
  trail: TestTrail;
  labels: Map<AuditEntry, Label>;
}

export const TENANTS = ["EUR", "KM"] as const;
export const CURRENCY: Record<string, string> = { EUR: "EUR", KM: "BAM" };
const PRODUCTS = ["basic", "pro", "enterprise"];
const IPS = ["203.0.113.5", "203.0.113.9", "198.51.100.7", "192.0.2.44"];
const ACCOUNTS = ["mallory", "eve", "admin", "trudy", "oscar"];

/** The demo's seeded PRNG (mulberry32), so a seed means the same mix here and in the demo's traffic. */
export { seededRandom };

export function generateShopTrail(options: { seed: number; start: string; entries: number; stepMs: number; writers: number; restartEvery?: number }): GeneratedTrail {
  const random = seededRandom(options.seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const trail = new TestTrail({ start: options.start, stepMs: options.stepMs });
  const labels = new Map<AuditEntry, Label>();
  let writers: TestWriter[] = Array.from({ length: options.writers }, () => trail.writer());
  for (let i = 0; i < options.entries; i++) {
    if (options.restartEvery && i > 0 && i % options.restartEvery === 0) writers = [...writers.slice(1), trail.writer()];
    const writer = pick(writers);
    const tenant = pick(TENANTS);
    const user = { id: `u-${1 + Math.floor(random() * 6)}`, role: pick(["cashier", "branch_admin", "owner"]), type: "user" as const };
    const outcome = random() < 0.12 ? "failure" : random() < 0.03 ? "unknown" : "success";
    const base: TestEvent = { tenant, actor: user, outcome, ip: pick(IPS) };
    const roll = random();
    let event: TestEvent;
    let label: Label;
    if (roll < 0.35) {
      const type = pick(["deposit", "purchase", "refund", "withdrawal"] as const);
      event = { ...base, category: "financial", action: `wallet.${type}`, amount: { minor: 100 + Math.floor(random() * 100_000), currency: CURRENCY[tenant] as string }, target: { type: "wallet", id: `w-${i % 9}` } };
      label = { kind: "wallet", type };
    } else if (roll < 0.47) {
      const product = pick(PRODUCTS);
      const count = 1 + Math.floor(random() * 5);
      event = { ...base, category: "license", action: "license_key.generated", data: { product, count, keys: Array.from({ length: count }, (_, k) => `****-${k}`) } };
      label = { kind: "keys", product, count };
    } else if (roll < 0.5) {
      const product = pick(PRODUCTS);
      event = { ...base, category: "license", action: "license_key.revoked", target: { type: "license_key", id: "****-AB12" }, data: { product } };
      label = { kind: "revoke", product };
    } else if (roll < 0.62) {
      event = { ...base, category: "authentication", action: "login.succeeded", outcome: "success" };
      label = { kind: "login" };
    } else if (roll < 0.72) {
      const account = pick(ACCOUNTS);
      event = { ...base, category: "authentication", action: "login.failed", outcome: "failure", actor: { id: "anonymous", type: "anonymous" }, data: { username: account, method: "password" } };
      label = { kind: "login_failed", account };
    } else if (roll < 0.74) {
      event = { ...base, category: "authentication", action: "account.locked", outcome: "success", target: { type: "user", id: pick(ACCOUNTS) } };
      label = { kind: "lockout" };
    } else if (roll < 0.78) {
      event = { ...base, category: "authentication", action: "session.logout", outcome: "success" };
      label = { kind: "logout" };
    } else if (roll < 0.83) {
      event = { ...base, category: "user_management", action: "branch.created", target: { type: "branch", id: `b-${i}` } };
      label = { kind: "branch" };
    } else if (roll < 0.87) {
      event = { ...base, category: "user_management", action: "user.role_changed", target: { type: "user", id: `u-${i % 7}` }, data: { from: "cashier", to: "branch_admin" } };
      label = { kind: "role" };
    } else if (roll < 0.89) {
      event = { ...base, category: "user_management", action: "user.created", target: { type: "user", id: `u-new-${i}` } };
      label = { kind: "user_created" };
    } else if (roll < 0.95) {
      event = { ...base, category: "security", action: pick(["rate_limit.exceeded", "webhook.signature_invalid", "csrf.token_invalid"]), reason: pick(["burst from one IP", "bad signature"]) };
      label = { kind: "security" };
    } else {
      event = { ...base, category: "admin", action: pick(["config.changed", "tenant.suspended"]) };
      label = { kind: "admin" };
    }
    labels.set(writer.record(event), label);
  }
  return { trail, labels };
}
