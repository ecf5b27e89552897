import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseExposition, sampleValue, type Exposition } from "../helpers/exposition.js";
import { auditLines, call, startRulesApp, type RulesApp } from "../helpers/rules-app.js";

async function scrape(app: RulesApp): Promise<Exposition> {
  return parseExposition(await (await fetch(`${app.base}/metrics`, { signal: AbortSignal.timeout(10_000) })).text());
}

/** Polls the day file until `predicate` holds on its lines (audit writes complete after the response). */
async function linesWhen(app: RulesApp, predicate: (lines: Record<string, any>[]) => boolean, timeoutMs = 8000): Promise<Record<string, any>[]> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const lines = await auditLines(app.dir).catch(() => []);
    if (predicate(lines)) return lines;
    if (Date.now() > until) throw new Error(`audit lines never matched:\n${lines.map((l) => JSON.stringify(l)).join("\n")}\n${app.output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.each(["4", "5"] as const)("route rules on Express %s (real app process, no track.* calls)", (express) => {
  let app: RulesApp;
  let metrics: Exposition;
  let lines: Record<string, any>[];
  let chainAtStartup: boolean;

  beforeAll(async () => {
    app = await startRulesApp({ express });
    // The trail exists from startup: its chain start is written before any request.
    chainAtStartup = (await linesWhen(app, (l) => l.length >= 1)).some((l) => l.action === "audit.chain.started");

    const statuses: number[] = [];
    const run = async (method: string, path: string, options: Parameters<typeof call>[3]) => statuses.push(await call(app, method, path, options));
    // EUR
    await run("POST", "/api/auth/login", { shop: "EUR", body: { username: "alice", password: "pw" } });
    await run("POST", "/api/auth/login", { shop: "EUR", body: { username: "alice", password: "wrong" } });
    await run("POST", "/api/wallets/w1/deposit", { shop: "EUR", user: "alice", body: { amount: 10.5 } });
    await run("POST", "/api/orders", { shop: "EUR", user: "alice", body: { product: "antivirus", qty: 2, total: 25.5 } });
    await run("POST", "/api/orders", { shop: "EUR", user: "alice", body: { product: "antivirus", qty: 1, total: 9 }, headers: { "x-funds": "none" } });
    await run("POST", "/api/branches", { shop: "EUR", user: "alice", body: { name: "Mostar" } });
    await run("GET", "/api/licenses/L-1", { shop: "EUR", user: "alice" });
    await run("POST", "/api/admin/reindex", { shop: "EUR", user: "alice" });
    await run("POST", "/api/wallets/w1/explicit", { shop: "EUR", user: "alice", body: { amount: 3 } });
    await run("POST", "/api/wallets/w1/withdraw", { shop: "EUR", user: "alice", body: { amount: 4, txId: "tx-w-9" } });
    await run("POST", "/api/auth/logout", { shop: "EUR", user: "alice" });
    // KM
    await run("POST", "/api/auth/login", { shop: "KM", body: { username: "bob", password: "pw" } });
    await run("POST", "/api/wallets/w2/deposit", { shop: "KM", user: "bob", body: { amount: "7.25" } });
    await run("POST", "/api/branches", { shop: "KM", user: "bob", body: { name: "Tuzla" } });
    await run("POST", "/api/orders", { shop: "KM", user: "bob", body: { product: "vpn", qty: 1, total: 12 } });
    await run("POST", "/api/wallets/w2/deposit", { shop: "KM", user: "bob", body: {} });
    await run("POST", "/api/auth/login", { shop: "KM", body: { username: "mallory", password: "x" } });
    await run("POST", "/api/auth/login", { shop: "KM", body: { username: "mallory", password: "y" } });
    await run("POST", "/api/wallets/w3/audited", { shop: "KM", user: "bob", body: { amount: 5 } });
    expect(statuses).toEqual([200, 401, 201, 201, 402, 201, 200, 200, 201, 500, 204, 200, 201, 403, 201, 201, 401, 401, 201]);

    lines = await linesWhen(app, (l) => l.some((e) => e.action === "security.brute_force") && l.filter((e) => e.action === "login.failed").length === 3 && l.some((e) => e.tenant === "KM" && e.action === "wallet.deposit" && !e.amount) && l.some((e) => e.tx_id === "tx-audited"));
    metrics = await scrape(app);
  }, 60_000);

  afterAll(async () => {
    await app?.cleanup();
  });

  it("opens the audit trail at startup and warns once about the broken rule, naming its path", () => {
    expect(chainAtStartup).toBe(true);
    const warnings = app.output().match(/problem in route rules/g) ?? [];
    expect(warnings).toHaveLength(1);
    expect(app.output()).toContain('events["POST /api/broken"].event: unknown event "teleport"');
  });

  it.each([
    ["authentication_attempts_total", { method: "password", outcome: "success", tenant: "EUR" }, 1],
    ["authentication_attempts_total", { method: "password", outcome: "failure", tenant: "EUR" }, 1],
    ["authentication_attempts_total", { method: "password", outcome: "success", tenant: "KM" }, 1],
    ["authentication_attempts_total", { method: "password", outcome: "failure", tenant: "KM" }, 2],
    ["wallet_transactions_total", { type: "deposit", outcome: "success", tenant: "EUR" }, 2],
    ["wallet_transactions_total", { type: "purchase", outcome: "success", tenant: "EUR" }, 1],
    ["wallet_transactions_total", { type: "purchase", outcome: "failure", tenant: "EUR" }, 1],
    ["wallet_transactions_total", { type: "withdrawal", outcome: "failure", tenant: "EUR" }, 1],
    // Three: w2 twice and w3, whose audit entry the app wrote itself (the rule still counts it).
    ["wallet_transactions_total", { type: "deposit", outcome: "success", tenant: "KM" }, 3],
    ["wallet_transactions_total", { type: "purchase", outcome: "success", tenant: "KM" }, 1],
    ["license_keys_generated_total", { product: "antivirus", tenant: "EUR" }, 2],
    ["license_keys_generated_total", { product: "vpn", tenant: "KM" }, 1],
    ["branches_created_total", { tenant: "EUR" }, 1],
    ["branches_created_total", { tenant: "KM" }, undefined],
    ["active_user_sessions", { tenant: "EUR" }, 0],
    ["active_user_sessions", { tenant: "KM" }, 1],
    ["event_rule_errors_total", { rule: "POST /api/wallets/:id/deposit", field: "amount" }, 1],
    ["security_signals_total", { signal: "brute_force", tenant: "KM" }, 1],
    ["audit_events_total", { category: "security", outcome: "failure", tenant: "KM" }, 1],
    ["audit_events_total", { category: "license", outcome: "success", tenant: "EUR" }, 2],
  ])("%s%j is %s", (name, labels, expected) => {
    expect(sampleValue(metrics, name, labels)).toBe(expected);
  });

  it("writes audit lines of all six categories with actor, tenant and amounts in the tenant's currency", () => {
    expect(new Set(lines.map((l) => l.category))).toEqual(new Set(["admin", "authentication", "financial", "license", "user_management", "security"]));
    const deposits = lines.filter((l) => l.action === "wallet.deposit");
    const eur = deposits.find((l) => l.tenant === "EUR" && l.tx_id === "tx-dep-w1");
    expect(eur).toMatchObject({
      outcome: "success", amount: { minor: 1050, currency: "EUR" }, actor: { id: "u-alice", role: "owner", type: "user" },
      branch: "br-sa", target: { type: "wallet", id: "w1" },
    });
    expect(deposits.find((l) => l.tenant === "KM" && l.amount)).toMatchObject({ amount: { minor: 725, currency: "BAM" }, actor: { id: "u-bob", role: "customer" }, tx_id: "tx-dep-w2" });
    expect(lines.find((l) => l.action === "wallet.purchase" && l.outcome === "success" && l.tenant === "EUR")).toMatchObject({ amount: { minor: 2550, currency: "EUR" }, tx_id: "ord-antivirus" });
    expect(lines.find((l) => l.action === "wallet.purchase" && l.outcome === "failure")).toMatchObject({ reason: "insufficient_funds", tenant: "EUR" });
    expect(lines.find((l) => l.action === "login.failed" && l.tenant === "EUR")).toMatchObject({ actor: { id: "alice" }, reason: "invalid_credentials" });
    expect(lines.find((l) => l.action === "license_key.accessed")).toMatchObject({ target: { type: "license", id: "L-1" }, data: { product: "antivirus", branch_path: ["br-root", "br-ba"] } });
    expect(lines.find((l) => l.action === "admin.reindex")).toMatchObject({ category: "admin", actor: { id: "u-alice" }, tenant: "EUR" });
    expect(lines.find((l) => l.action === "branch.created" && l.tenant === "KM")).toMatchObject({ outcome: "failure", reason: "not_b2b", actor: { id: "u-bob" } });
    expect(lines.find((l) => l.action === "branch.created" && l.tenant === "EUR")).toMatchObject({ outcome: "success", target: { type: "branch", id: "br-new" }, data: { name: "Mostar" } });
    expect(lines.find((l) => l.action === "security.brute_force")).toMatchObject({ tenant: "KM", target: { type: "user", id: "mallory" }, data: { scope: "account", count: 2 } });
  });

  it("masks generated license keys and counts them", () => {
    const generated = lines.filter((l) => l.action === "license_key.generated");
    expect(generated.map((l) => [l.tenant, l.data.product, l.data.count])).toEqual([["EUR", "antivirus", 2], ["KM", "vpn", 1]]);
    const text = JSON.stringify(lines);
    expect(text).not.toContain("ABCD-EFGH-IJKL-1000");
    expect(generated[0]?.data.keys).toHaveLength(2);
    expect(String(generated[0]?.data.keys[0])).toContain("1000");
  });

  it("records exactly one event per request: the explicit track.* call wins, a thrown handler is a failure with its reason", () => {
    const explicit = lines.filter((l) => l.action === "wallet.deposit" && l.tenant === "EUR");
    expect(explicit.map((l) => l.amount?.minor).sort()).toEqual([1050, 999].sort());
    const withdrawals = lines.filter((l) => l.action === "wallet.withdrawal");
    expect(withdrawals).toHaveLength(1);
    expect(withdrawals[0]).toMatchObject({ outcome: "failure", reason: "exception", amount: { minor: 400, currency: "EUR" }, tx_id: "tx-w-9" });
  });

  it("records exactly one event per request: a direct monitoring.audit.* call wins over the rule's entry", async () => {
    // The rule's own entry would land right after the app's: give it time to show up if it were written.
    await new Promise((r) => setTimeout(r, 300));
    const w3 = (await auditLines(app.dir)).filter((l) => l.action === "wallet.deposit" && l.target?.id === "w3");
    expect(w3).toHaveLength(1);
    expect(w3[0]).toMatchObject({ tenant: "KM", tx_id: "tx-audited", amount: { minor: 777, currency: "BAM" }, actor: { id: "u-bob" } });
  });

  it("records a missing value's event without it", () => {
    const missing = lines.find((l) => l.action === "wallet.deposit" && l.tenant === "KM" && !l.amount);
    expect(missing).toMatchObject({ outcome: "success", target: { type: "wallet", id: "w2" } });
  });

  it("records a client abort once, as a failure with reason aborted", async () => {
    const controller = new AbortController();
    const pending = fetch(`${app.base}/api/slow-refund`, { method: "POST", headers: { "content-type": "application/json", "x-shop": "EUR" }, body: JSON.stringify({ amount: 2 }), signal: controller.signal });
    setTimeout(() => controller.abort(), 200);
    await expect(pending).rejects.toThrow();
    const after = await linesWhen(app, (l) => l.some((e) => e.action === "wallet.refund"));
    await new Promise((r) => setTimeout(r, 1800));
    const refunds = (await auditLines(app.dir)).filter((e) => e.action === "wallet.refund");
    expect(after.length).toBeGreaterThan(0);
    expect(refunds).toHaveLength(1);
    expect(refunds[0]).toMatchObject({ outcome: "failure", reason: "aborted", amount: { minor: 200, currency: "EUR" } });
    expect(sampleValue(await scrape(app), "wallet_transactions_total", { type: "refund", outcome: "failure", tenant: "EUR" })).toBe(1);
  });
});

describe.each(["4", "5"] as const)("a failing audit disk on Express %s", (express) => {
  let app: RulesApp;

  beforeAll(async () => {
    // audit.dir below a regular file: every mkdir/open fails with ENOTDIR, as root too.
    const config = { ...(await import("../helpers/rules-app.js")).RULES_CONFIG, audit: { dir: "blocked/logs" } };
    app = await startRulesApp({ express, config, before: async (dir) => void (await import("node:fs/promises")).writeFile(join(dir, "blocked"), "not a directory") });
  }, 30_000);

  afterAll(async () => {
    await app?.cleanup();
  });

  it("answers every request, never crashes, counts the failed writes and says so on stderr", async () => {
    expect(await call(app, "POST", "/api/readme/deposit", { shop: "EUR" })).toBe(201);
    expect(await call(app, "POST", "/api/readme/invalid", { shop: "EUR" })).toBe(201);
    expect(await call(app, "POST", "/api/readme/strict", { shop: "EUR" })).toBe(503);
    expect(await call(app, "POST", "/api/wallets/w1/deposit", { shop: "KM", user: "bob", body: { amount: 1 } })).toBe(201);
    expect(await call(app, "POST", "/api/orders", { shop: "EUR", user: "alice", body: { product: "vpn", qty: 1, total: 5 } })).toBe(201);
    await new Promise((r) => setTimeout(r, 300));
    expect(await call(app, "GET", "/api/licenses/L-2", { shop: "EUR" })).toBe(200);
    const metrics = await scrape(app);
    expect(sampleValue(metrics, "wallet_transactions_total", { type: "deposit", outcome: "success", tenant: "EUR" })).toBe(2);
    expect(sampleValue(metrics, "wallet_transactions_total", { type: "deposit", outcome: "success", tenant: "KM" })).toBe(1);
    expect(sampleValue(metrics, "license_keys_generated_total", { product: "vpn", tenant: "EUR" })).toBe(1);
    expect(sampleValue(metrics, "audit_write_errors_total")).toBeGreaterThanOrEqual(5);
    expect(app.child.exitCode).toBeNull();
    expect(app.output()).not.toMatch(/UnhandledPromiseRejection|unhandled/i);
    expect(app.output()).toMatch(/opening the audit trail in .*blocked.* failed/);
    expect(app.output()).toMatch(/track\.walletTransaction failed: .*amountMinor must be an integer/);
    expect(existsSync(join(app.dir, "blocked", "logs"))).toBe(false);
  });
});

describe("active_user_sessions from the app's session store", () => {
  let app: RulesApp;

  beforeAll(async () => {
    app = await startRulesApp({ express: "5", env: { SESSION_SOURCE: "map" } });
  }, 30_000);

  afterAll(async () => {
    await app?.cleanup();
  });

  it("reads the store at scrape time, per tenant, and says which source is in use", async () => {
    const login = async (shop: string) => {
      const response = await fetch(`${app.base}/api/auth/login`, { method: "POST", headers: { "content-type": "application/json", "x-shop": shop }, body: JSON.stringify({ username: "alice", password: "pw" }) });
      return ((await response.json()) as { token: string }).token;
    };
    const first = await login("EUR");
    await login("EUR");
    await login("KM");
    expect(await call(app, "POST", "/api/auth/logout", { shop: "EUR", user: "alice", headers: { "x-session": first } })).toBe(204);
    // A logout the store never heard of changes nothing.
    expect(await call(app, "POST", "/api/auth/logout", { shop: "KM", headers: { "x-session": "unknown" } })).toBe(204);
    const metrics = await scrape(app);
    expect(sampleValue(metrics, "active_user_sessions", { tenant: "EUR" })).toBe(1);
    expect(sampleValue(metrics, "active_user_sessions", { tenant: "KM" })).toBe(1);
    expect(app.output()).toContain("sessions from store");
  });
});
