import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parseSource } from "../../src/scaffold/ast.js";
import { actorFacts, NO_FACTS, productLiterals, type HandlerFacts } from "../../src/scaffold/routes-facts.js";
import { scanRoutes } from "../../src/scaffold/routes-scan.js";
import { describeProposal, proposeActor, proposeRule } from "../../src/scaffold/rules-propose.js";
import { planRules } from "../../src/scaffold/rules-plan.js";

/**
 * The route scanner on small apps written to temp dirs (every registration shape init follows),
 * the proposal table route by route, and the fixtures' own routes.
 */
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function app(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), "monwire-routes-"));
  dirs.push(root);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, name)), { recursive: true });
    writeFileSync(join(root, name), text);
  }
  return root;
}

const keys = (root: string, entry: string) => scanRoutes(root, entry).routes.map((r) => `${r.method} ${r.path}`);

describe("scanRoutes", () => {
  it.each([
    ["app.METHOD in the entry, not app.get(setting)", { "server.js": 'const express = require("express");\nconst app = express();\nif (app.get("env") === "x") {}\napp.get("/a", (q, s) => s.json({}));\napp.post("/b/:id", h);\nfunction h(req, res) {}\napp.listen(1);\n' }, "server.js",
      ["GET /a", "POST /b/:id"]],
    ["registerRoutes(app) in an imported file (the Replit shape)", {
      "server/index.ts": 'import express from "express";\nimport { registerRoutes } from "./routes";\nconst app = express();\n(async () => { await registerRoutes(app); app.listen(5000); })();\n',
      "server/routes.ts": 'import type { Express } from "express";\nexport async function registerRoutes(app: Express) {\n  app.post("/api/orders", (req, res) => res.json({}));\n}\n',
    }, "server/index.ts", ["POST /api/orders"]],
    ["Router mounts with prefixes, nested, ESM and CJS", {
      "src/server.js": 'import express from "express";\nimport { api } from "./api.js";\nconst app = express();\napp.use("/api", api);\napp.listen(1);\n',
      "src/api.js": 'import { Router } from "express";\nimport admin from "./admin.js";\nexport const api = Router();\napi.get("/licenses/:id", (q, s) => {});\napi.use("/admin", admin);\n',
      "src/admin.js": 'const { Router } = require("express");\nconst r = Router();\nr.post("/:action", (q, s) => {});\nmodule.exports = r;\n',
    }, "src/server.js", ["GET /api/licenses/:id", "POST /api/admin/:action"]],
    ["app.route chains and an inline require mount", {
      "index.js": 'const express = require("express");\nconst app = express();\napp.route("/api/branches").get((q, s) => {}).post((q, s) => {});\napp.use("/api/users", require("./users"));\napp.listen(1);\n',
      "users.js": 'const express = require("express");\nconst router = express.Router();\nrouter.post("/", (q, s) => {});\nmodule.exports = router;\n',
    }, "index.js", ["GET /api/branches", "POST /api/branches", "POST /api/users"]],
    ["a file that does not parse gives no routes, not an error", {
      "index.js": 'const express = require("express");\nconst { register } = require("./broken");\nconst app = express();\nregister(app);\napp.listen(1);\n', "broken.js": "export function register(app) {\n",
    }, "index.js", []],
  ])("%s", (_name, files, entry, expected) => {
    expect(keys(app(files), entry)).toEqual(expected);
  });

  it("reads what a handler shows: statuses, success response fields, body fields, the key field", () => {
    const root = app({
      "server.ts": `import express from "express";
const app = express();
app.post("/api/orders", async (req, res) => {
  const { product, quantity } = req.body ?? {};
  if (!product) return res.status(400).json({ error: "product" });
  if (req.body.amount > 5) { res.status(402).json({ error: "funds", balance: 1 }); return; }
  const licenses = [{ key: "K", product }];
  res.status(201).json({ orderId: "o1", total: 3, licenses });
});
app.listen(1);
` });
    expect(scanRoutes(root, "server.ts").routes[0]!.facts).toEqual({ statuses: [201, 400, 402], responseKeys: ["orderId", "total", "licenses"], bodyFields: ["product", "quantity", "amount"], keyField: "key" });
  });
});

const route = (method: string, path: string, facts: Partial<HandlerFacts> = {}) => ({ method, path, file: "server/routes.ts", line: 1, facts: { ...NO_FACTS, ...facts } });

describe("proposeRule", () => {
  it.each([
    ["POST", "/api/auth/login", { statuses: [401, 423], bodyFields: ["email", "password"] }, { event: "login", actorId: "body.email", reasons: { 401: "invalid_credentials", 423: "locked" } }],
    ["POST", "/api/sign-in", {}, { event: "login" }],
    ["GET", "/api/login", {}, undefined],
    ["POST", "/api/auth/logout", {}, { event: "logout" }],
    ["DELETE", "/signout", {}, { event: "logout" }],
    ["POST", "/api/wallets/:walletId/top-up", { bodyFields: ["amountMinor"], responseKeys: ["transactionId"] }, { event: "wallet.deposit", amount: "body.amountMinor", amountUnit: "minor", walletId: "params.walletId", txId: "response.transactionId" }],
    ["POST", "/api/wallet/withdraw", { bodyFields: ["amount"] }, { event: "wallet.withdrawal", amount: "body.amount", amountUnit: "major" }],
    ["POST", "/api/wallet/refund", { bodyFields: ["txId"] }, { event: "wallet.refund", amount: "body.amount", amountUnit: "major", txId: "body.txId" }],
    ["POST", "/api/orders", { statuses: [201, 402], responseKeys: ["orderId", "total", "licenses"], bodyFields: ["product"], keyField: "key" },
      { event: "wallet.purchase", amount: "response.total", amountUnit: "major", txId: "response.orderId", also: [{ event: "license.generated", product: "body.product", keys: "response.licenses[].key" }], reasons: { 402: "insufficient_funds" } }],
    ["POST", "/api/checkout", { bodyFields: ["productId"] }, { event: "wallet.purchase", amount: "body.amount", amountUnit: "major", product: "body.productId" }],
    ["POST", "/api/licenses", { bodyFields: ["product", "quantity"], responseKeys: ["keys"] }, { event: "license.generated", product: "body.product", keys: "response.keys[]" }],
    ["POST", "/api/license-keys", { bodyFields: ["product", "qty"] }, { event: "license.generated", product: "body.product", count: "body.qty" }],
    ["GET", "/api/licenses/:id", { statuses: [404] }, { event: "license.accessed", target: "params.id", reasons: { 404: "not_found" } }],
    ["GET", "/api/licenses", {}, { event: "license.accessed" }],
    ["POST", "/api/branches", { statuses: [403], responseKeys: ["id", "name"], bodyFields: ["name"] }, { event: "branch.created", branchId: "response.id", name: "body.name", reasons: { 403: "forbidden" } }],
    ["POST", "/api/users/:id/role", { bodyFields: ["role"] }, { event: "role.changed", target: "params.id", role: "body.role" }],
    ["PUT", "/api/users/:userId/permissions", {}, { event: "role.changed", target: "params.userId" }],
    ["POST", "/api/users", { responseKeys: ["id"], bodyFields: ["role"] }, { event: "user.created", target: "response.id", role: "body.role" }],
    ["POST", "/api/users/invite", {}, { event: "user.created" }],
    ["GET", "/api/users", {}, undefined],
    ["POST", "/api/admin/:action", {}, { event: "admin.action", action: "params.action" }],
    ["DELETE", "/api/admin/users/:id", {}, { event: "admin.action", action: "users", target: "params.id" }],
    ["POST", "/api/admin/user", {}, { event: "admin.action", action: "admin.user" }],
    ["GET", "/api/admin/stats", {}, undefined],
    ["GET", "/api/health", {}, undefined],
    ["POST", "/api/orders/:id/cancel", {}, undefined],
    ["POST", "/api/keys/:id/revoke", {}, undefined],
    ["POST", "/api/orders/quote", {}, undefined],
    ["POST", "/api/auth/login/verify", {}, { event: "login" }],
  ])("%s %s", (method, path, facts, expected) => {
    expect(proposeRule(route(method, path, facts))?.rule).toEqual(expected);
  });

  it("marks the values it had to guess and says so in the checklist line", () => {
    const proposal = proposeRule(route("POST", "/api/branches", { statuses: [403] }))!;
    expect(proposal.guessed).toEqual(["branchId"]);
    expect(describeProposal(proposal)).toBe("POST /api/branches → branch.created (branchId response.id, 403 forbidden; check branchId)");
  });
});

describe("planRules on the fixtures", () => {
  const fixture = (name: string) => join(__dirname, "../fixtures", name);

  it("proposes the license shop's eight rules, its actor and its products", () => {
    const plan = planRules({ root: fixture("host-shop-ts"), entry: "server/index.ts" }, undefined, undefined);
    expect(plan.proposals.map(describeProposal)).toEqual([
      "POST /api/auth/login → login (actorId body.username, 401 invalid_credentials)",
      "POST /api/auth/logout → logout",
      "POST /api/wallet/deposit → wallet.deposit (amount body.amount, txId response.txId, 400 invalid_request)",
      "POST /api/wallet/refund → wallet.refund (amount body.amount, txId body.txId)",
      "POST /api/orders → wallet.purchase (amount response.total, txId response.orderId, 400 invalid_request, 402 insufficient_funds, + license.generated)",
      "GET /api/licenses/:id → license.accessed (target params.id, 404 not_found)",
      "POST /api/branches → branch.created (branchId response.id, name body.name, 403 forbidden)",
      "POST /api/admin/reindex → admin.action (action reindex, 403 forbidden)",
    ]);
    expect(plan.actor).toEqual({ from: ["req.user"], id: "id", role: "role", segment: "accountType", branch: "branchId" });
    expect(plan.products).toEqual(["antivirus", "vpn"]);
    expect(plan.routes).toContain("GET /api/health");
  });

  it("proposes only routes new since the last run, and nothing for rules the config already has", () => {
    const root = fixture("host-shop-ts");
    const first = planRules({ root, entry: "server/index.ts" }, undefined, undefined);
    const manifest = { version: 1 as const, monwire: "x", files: [], scripts: {}, dependencies: {}, routes: first.routes.filter((r) => r !== "POST /api/branches") };
    expect(planRules({ root, entry: "server/index.ts" }, manifest, undefined).proposals.map((p) => p.key)).toEqual(["POST /api/branches"]);
    const config = { events: { "POST /api/branches": { event: "branch.created", branchId: "response.id" } }, actor: { from: ["req.user"] }, metrics: { products: ["x"] } };
    const again = planRules({ root, entry: "server/index.ts" }, manifest, config);
    expect(again.proposals).toEqual([]);
    expect(again.actor).toBeUndefined();
    expect(again.products).toEqual([]);
  });

  it.each([
    ["host-ts-esm", "server/index.ts"],
    ["host-ts-cjs", "src/index.ts"],
    ["host-js-esm", "src/server.js"],
    ["host-js-cjs", "server.js"],
    ["host-pnpm-workspace/packages/api", "src/index.js"],
  ])("%s: a license fetch and a deposit in minor units", (name, entry) => {
    expect(planRules({ root: fixture(name), entry }, undefined, undefined).proposals.map(describeProposal)).toEqual([
      "GET /api/licenses/:id → license.accessed (target params.id)",
      "POST /api/wallet/deposit → wallet.deposit (amount body.amountMinor)",
    ]);
  });
});

describe("actor and product facts", () => {
  const parse = (code: string) => [parseSource(code, "x.ts")];

  it.each([
    ["req.user with role, account type and branch", "app.use((req, res, next) => { req.user = { id: 'u', role: 'admin', accountType: 'b2b', branchId: 'b' }; next(); });",
      { from: ["req.user"], id: "id", role: "role", segment: "accountType", branch: "branchId" }],
    ["res.locals.user and the session", "function h(req, res) { res.locals.user = req.session.user; }", { from: ["res.locals.user", "req.session.user"], id: "id" }],
    ["no user anywhere", "app.get('/', (req, res) => res.json({ role: 1 }));", undefined],
  ])("%s", (_name, code, expected) => {
    expect(proposeActor(actorFacts(parse(code)))).toEqual(expected);
  });

  it.each([
    ["an array of strings", 'const PRODUCTS = ["antivirus", "vpn"] as const;', ["antivirus", "vpn"]],
    ["an object keyed by product", "const prices: Record<string, number> = { antivirus: 25, 'pos-suite': 90 };", ["antivirus", "pos-suite"]],
    ["a Set and a Map", 'const productSet = new Set(["a"]); const catalog = new Map([["b", 1]]);', ["a", "b"]],
    ["other names are not products", 'const colors = ["red"]; const products = [name];', []],
  ])("products from %s", (_name, code, expected) => {
    expect(productLiterals(parse(code))).toEqual(expected);
  });
});
