import { execa } from "execa";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyFixture, runMon } from "../helpers/cli.js";
import { parseExposition, type Exposition } from "../helpers/exposition.js";
import { expectRerunThenUninstall, INIT_ARGS } from "../helpers/host-flow.js";
import { cachedNodeModules, hashTree, linkNodeModules, packMonwire, startScript } from "../helpers/host-app.js";
import { startSentryReceiver, type SentryReceiver } from "../helpers/sentry-receiver.js";

/**
 * The acceptance run on a seed-shaped license shop (TypeScript ESM, Express 4, routes registered
 * from server/routes.ts, tenant in x-shop, sessions in a Map, req.user from an auth middleware):
 * `mon init --yes --tenants EUR,KM --tenant-from header:x-shop` and nothing else, the host's own
 * build, a real start, traffic for both shops — then exact metrics per tenant, the six audit
 * categories with actors, tenants, amounts and masked keys, a crash in Sentry with the user, and
 * a green `mon check` and `mon verify`. Business files stay byte-identical throughout.
 */
const KEY = "shop-audit-key-0123456789abcdef0123456789";
const RULES = {
  "POST /api/auth/login": { event: "login", actorId: "body.username", reasons: { 401: "invalid_credentials" } },
  "POST /api/auth/logout": { event: "logout" },
  "POST /api/wallet/deposit": { event: "wallet.deposit", amount: "body.amount", amountUnit: "major", txId: "response.txId", reasons: { 400: "invalid_request" } },
  "POST /api/wallet/refund": { event: "wallet.refund", amount: "body.amount", amountUnit: "major", txId: "body.txId" },
  "POST /api/orders": {
    event: "wallet.purchase", amount: "response.total", amountUnit: "major", txId: "response.orderId",
    also: [{ event: "license.generated", product: "body.product", keys: "response.licenses[].key" }],
    reasons: { 400: "invalid_request", 402: "insufficient_funds" },
  },
  "GET /api/licenses/:id": { event: "license.accessed", target: "params.id", reasons: { 404: "not_found" } },
  "POST /api/branches": { event: "branch.created", branchId: "response.id", name: "body.name", reasons: { 403: "forbidden" } },
  "POST /api/admin/reindex": { event: "admin.action", action: "reindex", reasons: { 403: "forbidden" } },
};

type Line = Record<string, unknown> & { category: string; action: string; outcome: string; tenant: string; actor?: { id: string; role?: string } };

function dayLines(dir: string): Line[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => /^audit-\d{4}-\d{2}-\d{2}\.log$/.test(f))
    .flatMap((f) => readFileSync(join(dir, f), "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as Line));
}

/** Sum of a family's samples whose labels include `labels`. */
const total = (exposition: Exposition, name: string, labels: Record<string, string>) =>
  exposition.samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)).reduce((sum, s) => sum + s.value, 0);

describe("mon init on the license shop (host-shop-ts)", () => {
  let root: string;
  let cleanup: () => Promise<void>;
  let receiver: SentryReceiver;
  let tarball: string;
  let before: Record<string, string>;
  let initDoc: { status: string; plan: { notes: string[]; rules: { added: string[]; products: string[] } }; nextSteps: string[] };

  beforeAll(async () => {
    tarball = await packMonwire();
    // The shop has the same dependencies as host-ts-esm, so it shares that fixture's install.
    const cache = await cachedNodeModules("host-ts-esm", INIT_ARGS.slice(1), tarball);
    ({ dir: root, cleanup } = await copyFixture("host-shop-ts"));
    before = hashTree(root);
    receiver = await startSentryReceiver();
    const result = await runMon([...INIT_ARGS, "--skip-install", "--monwire-from", tarball, "--json"], { cwd: root });
    expect(result.exitCode, `${result.stdout}\n${result.stderr}`).toBe(0);
    initDoc = JSON.parse(String(result.stdout));
    linkNodeModules(cache, root);
  }, 300_000);

  afterAll(async () => {
    await receiver?.close();
    await cleanup?.();
  });

  it("writes the proposed rules, the actor and the products into mon.config.json only", () => {
    expect(initDoc.status).toBe("applied");
    expect(initDoc.plan.rules.added).toEqual(Object.keys(RULES));
    const config = JSON.parse(readFileSync(join(root, "mon.config.json"), "utf8"));
    expect(config.events).toEqual(RULES);
    expect(config.actor).toEqual({ from: ["req.user"], id: "id", role: "role", segment: "accountType", branch: "branchId" });
    expect(config.metrics.products).toEqual(["antivirus", "vpn"]);
    // Editors complete and check the file from the schema the installed package ships.
    expect(Object.keys(config)[0]).toBe("$schema");
    expect(config.$schema).toBe("./node_modules/monwire/schema/mon.config.schema.json");
    expect(JSON.parse(readFileSync(join(root, config.$schema), "utf8")).title).toBe("mon.config.json");
    // The shop's session Map is module-private and holds no shop: init says so and counts events.
    expect(config.sessions).toEqual({ source: "events" });
    expect(initDoc.plan.notes).toContain(
      'found the session Map `sessions` in server/routes.ts, but it is not exported and holds no tenant in its sessions (userId): active_user_sessions counts login/logout events (sessions.source "events"); to count from it, export it, store the tenant in each session (sessions.tenantField, default "tenant"), then pass it as createMonitoring({ sessionSource: sessions }) and set sessions.source to "store" (docs/tracking.md, Sessions)',
    );
    const after = hashTree(root);
    // The business files are untouched; only the entry's marked wiring regions changed.
    for (const file of ["server/routes.ts", "tsconfig.json"]) expect(after[file], file).toBe(before[file]);
    expect(initDoc.nextSteps).toContain("build before you start: `npm run build`, then `npm run start` (start runs dist/index.js, built from server/index.ts; without a build it runs code without monwire)");
    expect(initDoc.nextSteps).toContain('review the 8 route rules init proposed (login, logout, wallet.deposit, wallet.refund, wallet.purchase, license.accessed, branch.created, admin.action) in mon.config.json "events"; docs/tracking.md explains each field');
  });

  it("builds, and tracks every business event of both shops from the rules alone", async () => {
    const build = await execa("npm", ["run", "build"], { cwd: root, reject: false });
    expect(build.exitCode, `${build.stdout}\n${build.stderr}`).toBe(0);
    const started = await startScript(root, "start", { SENTRY_DSN: receiver.dsn(), NODE_ENV: "production", MONWIRE_AUDIT_KEY: KEY });
    try {
      const call = async (shop: string, method: string, path: string, body?: unknown, token?: string) => {
        const response = await fetch(`${started.url}${path}`, {
          method,
          headers: { "content-type": "application/json", "x-shop": shop, ...(token ? { authorization: `Bearer ${token}` } : {}) },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
        return { status: response.status, json: (await response.json().catch(() => ({}))) as Record<string, unknown> };
      };
      const login = async (shop: string, username: string) => {
        const { status, json } = await call(shop, "POST", "/api/auth/login", { username, password: `${username}-pw` });
        expect(status).toBe(200);
        return json.token as string;
      };

      // EUR: alice (B2B manager) buys, fetches a license, opens a branch; someone guesses bob's password.
      const alice = await login("EUR", "alice");
      for (let i = 0; i < 6; i++) expect((await call("EUR", "POST", "/api/auth/login", { username: "bob", password: "guess" })).status).toBe(401);
      expect((await call("EUR", "POST", "/api/wallet/deposit", { amount: 100 }, alice)).status).toBe(201);
      const order = await call("EUR", "POST", "/api/orders", { product: "antivirus", quantity: 2 }, alice);
      expect(order.status).toBe(201);
      expect((await call("EUR", "POST", "/api/orders", { product: "vpn", quantity: 5 }, alice)).status).toBe(402);
      const licenses = order.json.licenses as Array<{ id: string; key: string }>;
      expect((await call("EUR", "GET", `/api/licenses/${licenses[0]!.id}`, undefined, alice)).status).toBe(200);
      expect((await call("EUR", "POST", "/api/branches", { name: "Mostar" }, alice)).status).toBe(201);
      expect((await call("EUR", "POST", "/api/auth/logout", {}, alice)).status).toBe(200);

      // KM: bob (regular) buys and may not open a branch; root (admin) reindexes and a refund crashes.
      const bob = await login("KM", "bob");
      expect((await call("KM", "POST", "/api/wallet/deposit", { amount: 30 }, bob)).status).toBe(201);
      const bobOrder = await call("KM", "POST", "/api/orders", { product: "antivirus", quantity: 1 }, bob);
      expect(bobOrder.status).toBe(201);
      expect((await call("KM", "POST", "/api/branches", { name: "Tuzla" }, bob)).status).toBe(403);
      expect((await call("KM", "POST", "/api/auth/logout", {}, bob)).status).toBe(200);
      // A second EUR session opens and closes: the gauge is back at exactly 0, never below.
      const rootEur = await login("EUR", "root");
      expect((await call("EUR", "POST", "/api/auth/logout", {}, rootEur)).status).toBe(200);
      const root_ = await login("KM", "root");
      expect((await call("KM", "POST", "/api/admin/reindex", {}, root_)).status).toBe(200);
      expect((await call("KM", "POST", "/api/wallet/refund", { txId: "tx-42", amount: 5 }, root_)).status).toBe(500);

      const metrics = parseExposition(await (await fetch(`${started.url}/metrics`)).text());
      const expected: Array<[string, Record<string, string>, number]> = [
        ["authentication_attempts_total", { outcome: "success", tenant: "EUR" }, 2],
        ["authentication_attempts_total", { outcome: "failure", tenant: "EUR" }, 6],
        ["authentication_attempts_total", { outcome: "success", tenant: "KM" }, 2],
        ["authentication_attempts_total", { outcome: "failure", tenant: "KM" }, 0],
        ["wallet_transactions_total", { type: "deposit", outcome: "success", tenant: "EUR" }, 1],
        ["wallet_transactions_total", { type: "purchase", outcome: "success", tenant: "EUR" }, 1],
        ["wallet_transactions_total", { type: "purchase", outcome: "failure", tenant: "EUR" }, 1],
        ["wallet_transactions_total", { type: "deposit", outcome: "success", tenant: "KM" }, 1],
        ["wallet_transactions_total", { type: "purchase", outcome: "success", tenant: "KM" }, 1],
        ["wallet_transactions_total", { type: "refund", outcome: "failure", tenant: "KM" }, 1],
        ["license_keys_generated_total", { product: "antivirus", tenant: "EUR" }, 2],
        ["license_keys_generated_total", { product: "antivirus", tenant: "KM" }, 1],
        ["license_keys_generated_total", { product: "vpn", tenant: "EUR" }, 0],
        ["branches_created_total", { tenant: "EUR" }, 1],
        ["branches_created_total", { tenant: "KM" }, 0],
        ["active_user_sessions", { tenant: "EUR" }, 0],
        ["active_user_sessions", { tenant: "KM" }, 1],
      ];
      const actual = expected.map(([name, labels]) => [name, labels, total(metrics, name, labels)]);
      expect(actual).toEqual(expected);

      // The crash reaches Sentry with the user, the shop, the branch and the refund's transaction id.
      const envelope = await receiver.waitFor((e) => e.items.some((i) => i.header.type === "event"), 15_000);
      const event = envelope.items.find((i) => i.header.type === "event")!.payload as {
        transaction?: string; user?: { id?: string; segment?: string }; tags?: Record<string, string>; contexts?: Record<string, Record<string, unknown>>;
        exception?: { values: Array<{ value: string }> };
      };
      expect(event.exception?.values[0]?.value).toBe("refund of 5 for tx-42 failed: processor unavailable");
      expect(event.transaction).toBe("POST /api/wallet/refund");
      expect(event.user?.id).toBe("u-root");
      const flat = JSON.stringify({ tags: event.tags, contexts: event.contexts, user: event.user });
      expect(event.tags?.tenant).toBe("KM");
      expect(flat).toContain('"admin"');
      expect(flat).toContain('"br-hq"');
      expect(flat).toContain('"tx-42"');

      // The day file: all six categories, with actors, tenants, amounts in the shop's currency, masked keys.
      const lines = dayLines(join(root, "logs"));
      expect(new Set(lines.map((l) => l.category))).toEqual(new Set(["authentication", "financial", "license", "user_management", "admin", "security"]));
      const find = (category: string, tenant: string, predicate: (l: Line) => boolean = () => true) => lines.filter((l) => l.category === category && l.tenant === tenant && predicate(l));
      const deposits = find("financial", "EUR", (l) => l.action.includes("deposit"));
      expect(deposits).toHaveLength(1);
      expect(deposits[0]).toMatchObject({ outcome: "success", amount: { minor: 10000, currency: "EUR" }, actor: { id: "u-alice" } });
      expect(find("financial", "KM", (l) => l.action.includes("deposit"))[0]).toMatchObject({ amount: { minor: 3000, currency: "BAM" }, actor: { id: "u-bob" } });
      expect(find("financial", "EUR", (l) => l.outcome === "failure")[0]).toMatchObject({ reason: "insufficient_funds", actor: { id: "u-alice" } });
      const generated = find("license", "EUR", (l) => l.action.includes("generated"));
      expect(generated).toHaveLength(1);
      const text = readdirSync(join(root, "logs")).map((f) => readFileSync(join(root, "logs", f), "utf8")).join("");
      for (const license of licenses) expect(text).not.toContain(license.key);
      expect(find("license", "EUR", (l) => l.action.includes("access"))[0]).toMatchObject({ actor: { id: "u-alice" } });
      expect(find("user_management", "EUR")[0]).toMatchObject({ outcome: "success", actor: { id: "u-alice" } });
      expect(find("user_management", "KM")[0]).toMatchObject({ outcome: "failure", reason: "forbidden", actor: { id: "u-bob" } });
      expect(find("admin", "KM")[0]).toMatchObject({ outcome: "success", actor: { id: "u-root", role: "admin" } });
      expect(find("authentication", "EUR", (l) => l.outcome === "failure")).toHaveLength(6);
      expect(find("security", "EUR").length).toBeGreaterThan(0);

      // A fresh install is green: scrape, Sentry, audit trail, and the rules themselves.
      const check = await runMon(["check", "--url", `${started.url}/metrics`], { cwd: root, env: { SENTRY_DSN: receiver.dsn(), MONWIRE_AUDIT_KEY: KEY } });
      expect(check.exitCode, `${check.stdout}\n${check.stderr}`).toBe(0);
    } finally {
      await started.stop();
    }

    const verify = await runMon(["verify"], { cwd: root, env: { MONWIRE_AUDIT_KEY: KEY } });
    expect(verify.exitCode, `${verify.stdout}\n${verify.stderr}`).toBe(0);
  }, 180_000);

  it("changes nothing when run again, and uninstall gives back the original tree", async () => {
    // The app wrote its audit trail to logs/, which uninstall keeps: it stays out of git.
    const removed = await expectRerunThenUninstall(root, tarball, before);
    expect(readFileSync(join(root, ".gitignore"), "utf8")).toBe("/logs/\n");
    expect(String(removed.stdout)).toContain('.gitignore: "/logs/" stays');
  }, 60_000);
});
