import { seededRandom } from "../../src/demo/traffic-counts.js";
import type { TestEvent } from "./audit-trail.js";

// Events in every shape `mon report` reads, shared by the tests of its plain-line counting and of
// its windowed read.

/** Hand-written shapes: each rule of the report, and the edges of its fast reading. */
export function edgeEvents(): TestEvent[] {
  const anon = { id: "anonymous", type: "anonymous" as const };
  return [
    { category: "financial", action: "wallet.deposit", amount: { minor: 1500, currency: "EUR" } },
    { category: "financial", action: "wallet.deposit", amount: { minor: 0, currency: "BAM" }, tenant: "KM" },
    { category: "financial", action: "wallet.refund", amount: { minor: -250, currency: "EUR" } },
    { category: "financial", action: "wallet.purchase", amount: { minor: 999_999_999_999_999, currency: "KWD" } },
    { category: "financial", action: "wallet.purchase", amount: { minor: 1_000_000_000_000_000, currency: "KWD" } },
    { category: "financial", action: "wallet.purchase", amount: { minor: 7, currency: "JPY" }, outcome: "failure" },
    { category: "financial", action: "wallet.deposit", outcome: "unknown", amount: { minor: 3, currency: "EUR" } },
    { category: "financial", action: "wallet.deposit" },
    { category: "financial", action: "shop.wallet.refund", amount: { minor: 40, currency: "EUR" } },
    { category: "financial", action: "payment.captured", data: { type: "purchase" }, amount: { minor: 41, currency: "EUR" } },
    { category: "financial", action: "payment.captured", data: { type: "bogus" }, amount: { minor: 42, currency: "EUR" } },
    { category: "financial", action: "wallet.bonus", amount: { minor: 43, currency: "EUR" } },
    { category: "financial", action: "wallet.adjustment.withdrawal", amount: { minor: 44, currency: "EUR" } },
    { category: "license", action: "license_key.generated", data: { product: "pro", count: 3 } },
    { category: "license", action: "license_key.generated", data: { product: "pro", keys: ["****-1", "****-2"] } },
    { category: "license", action: "license_key.generated", data: { product: "basic", count: 1.5 } },
    { category: "license", action: "license_key.generated", data: { product: "basic", count: -2 } },
    { category: "license", action: "license.issued", data: { product: "" }, target: { type: "product", id: "enterprise" } },
    { category: "license", action: "license.issued", target: { type: "license_key", id: "****-AB12" } },
    { category: "license", action: "license_key.generated", data: { product: "ünïcødé ✓", count: 2 } },
    { category: "license", action: "license_key.revoked", data: { product: "pro" } },
    { category: "license", action: "license_key.revoked", data: { product: "pro" }, outcome: "failure" },
    { category: "license", action: "license_key.viewed", data: { product: "pro" } },
    { category: "authentication", action: "login.succeeded" },
    { category: "authentication", action: "login.succeeded", outcome: "unknown" },
    { category: "authentication", action: "login.failed", outcome: "failure", actor: anon, ip: "203.0.113.5", data: { username: "eve" } },
    { category: "authentication", action: "login.failed", outcome: "failure", actor: anon, data: { email: "jürgen@example.com" } },
    { category: "authentication", action: "login.failed", outcome: "failure", actor: anon, ip: "", target: { type: "user", id: "u-9" } },
    { category: "authentication", action: "login.failed", outcome: "failure", actor: anon },
    { category: "authentication", action: "login.failed", outcome: "failure", actor: { id: "u-3", type: "user" }, data: { username: "" } },
    { category: "authentication", action: "account.locked", target: { type: "user", id: "mallory" } },
    { category: "authentication", action: "session.logout" },
    { category: "authentication", action: "session.started" },
    { category: "user_management", action: "branch.created", target: { type: "branch", id: "b-1" } },
    { category: "user_management", action: "branch.created", outcome: "failure" },
    { category: "user_management", action: "user.role_changed", data: { from: "cashier", to: "owner" } },
    { category: "user_management", action: "user.role_changed", outcome: "failure" },
    { category: "user_management", action: "user.created" },
    { category: "security", action: "rate_limit.exceeded", ip: "198.51.100.7", reason: "burst", target: { type: "route", id: "/login" } },
    { category: "security", action: "access.denied", actor: { id: "u-2", role: "cashier", type: "user" } },
    { category: "admin", action: "config.changed", reason: "password=[REDACTED] rotated", actor: { id: "ops", type: "service" } },
    { category: "admin", action: "config.changed", reason: 'quote " and \\ backslash' },
    { category: "security", action: "signal.brute_force", reason: "line\nbreak\u0007bell" },
    { category: "financial", action: "wallet.deposit", tenant: "Žepče", amount: { minor: 9, currency: "BAM" } },
    { category: "financial", action: "wallet.deposit", tenant: "eur", amount: { minor: 10, currency: "EUR" } },
    { category: "financial", action: "wallet.deposit", tenant: 'we"ird', amount: { minor: 11, currency: "EUR" } },
    { category: "authentication", action: "login.succeeded", tenant: "🙂".repeat(40) },
  ];
}

/** A seeded day of shop traffic over every category, tenant and outcome. */
export function randomEvents(count: number, seed: number): TestEvent[] {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const edges = edgeEvents();
  return Array.from({ length: count }, (_, i) => {
    const event = { ...pick(edges) };
    event.tenant ??= pick(["EUR", "KM", "KM", "eur", "Žepče"]);
    if (random() < 0.3) event.outcome = pick(["success", "failure", "unknown"] as const);
    if (random() < 0.2) event.ip = `10.0.${i % 7}.${i % 5}`;
    if (event.category === "financial" && event.amount && random() < 0.5) event.amount = { ...event.amount, minor: Math.floor(random() * 10_000) - 500 };
    return event;
  });
}

