// The monwire demo shop: a multi-tenant B2B license shop (tenants EUR and KM, the tenant in the
// x-shop header) wired through monwire/runtime. Started by `mon demo` as
//   node --import ./instrument.mjs server.mjs
// with PORT (0 = any free port) and SENTRY_DSN / MONWIRE_AUDIT_KEY from the environment.
import express from "express";
import { createMonitoring, setActor, setContextFields, track } from "monwire/runtime";
import * as store from "./store.mjs";

const monitoring = createMonitoring({ databaseProbe: store.ping });
const app = express();
app.use(monitoring.middleware);
monitoring.mountMetrics(app);
app.use(express.json());

const tenantOf = (req) => (store.CURRENCY[req.get("x-shop")] ? req.get("x-shop") : undefined);

// Every API call names its shop; the session (x-session, from /api/login) names the user.
app.use("/api", (req, res, next) => {
  const tenant = tenantOf(req);
  if (!tenant) return res.status(400).json({ error: "x-shop must be EUR or KM" });
  const session = store.findSession(req.get("x-session"));
  if (session && session.tenant === tenant) {
    req.user = session.user;
    setActor({ id: session.user.id, role: session.user.role, type: "user" });
    setContextFields({ branch: session.user.branch });
  }
  next();
});

const requireUser = (role) => (req, res, next) => {
  if (!req.user) return res.status(401).json({ error: "log in first" });
  if (role && req.user.role !== role) return res.status(403).json({ error: `only ${role}s may do this` });
  next();
};

app.get("/health", (_req, res) => res.json({ ok: true }));

app.post("/api/login", async (req, res) => {
  const tenant = tenantOf(req);
  const username = String(req.body?.username ?? "");
  const result = store.checkLogin(tenant, username, String(req.body?.password ?? ""));
  if (!result.ok) {
    await track.login({ outcome: "failure", method: "password", actorId: username || undefined, reason: result.locked ? "account_locked" : "bad_credentials" });
    if (result.lockedNow) await monitoring.audit?.authentication.lockout({ userId: username, failedAttempts: result.attempts });
    return res.status(result.locked ? 423 : 401).json({ error: result.locked ? "account locked" : "wrong username or password", lockedNow: result.lockedNow });
  }
  setActor({ id: result.user.id, role: result.user.role, type: "user" });
  await track.login({ outcome: "success", method: "password", actorId: result.user.id });
  await track.sessionStarted();
  res.json({ token: store.openSession(tenant, result.user), role: result.user.role });
});

app.post("/api/logout", requireUser(), async (req, res) => {
  store.closeSession(req.get("x-session"));
  await track.sessionEnded();
  res.status(204).end();
});

app.get("/api/products", (req, res) => {
  const tenant = tenantOf(req);
  res.json(Object.entries(store.PRICES).map(([product, prices]) => ({ product, priceMinor: prices[tenant], currency: store.CURRENCY[tenant] })));
});

const wallets = express.Router();
wallets.use(requireUser());
wallets.get("/:walletId", (req, res) => {
  const wallet = store.findWallet(tenantOf(req), req.params.walletId);
  if (!wallet) return res.status(404).json({ error: "no such wallet" });
  res.json(wallet);
});
wallets.post("/:walletId/deposit", async (req, res) => {
  const tenant = tenantOf(req);
  const amountMinor = Number(req.body?.amountMinor);
  if (!store.findWallet(tenant, req.params.walletId)) return res.status(404).json({ error: "no such wallet" });
  if (!Number.isSafeInteger(amountMinor) || amountMinor <= 0) return res.status(400).json({ error: "amountMinor must be a positive integer" });
  store.credit(tenant, req.params.walletId, amountMinor);
  await track.walletTransaction({ type: "deposit", outcome: "success", amountMinor, walletId: req.params.walletId });
  res.status(201).json(store.findWallet(tenant, req.params.walletId));
});
wallets.post("/:walletId/purchase", async (req, res) => {
  const tenant = tenantOf(req);
  const product = String(req.body?.product ?? "");
  const quantity = Number(req.body?.quantity ?? 1);
  const price = store.PRICES[product]?.[tenant];
  if (!store.findWallet(tenant, req.params.walletId)) return res.status(404).json({ error: "no such wallet" });
  if (price === undefined || !Number.isInteger(quantity) || quantity < 1) return res.status(400).json({ error: "unknown product or bad quantity" });
  const amountMinor = price * quantity;
  const txId = `tx-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6)}`;
  setContextFields({ txId });
  if (!store.debit(tenant, req.params.walletId, amountMinor)) {
    await track.walletTransaction({ type: "purchase", outcome: "failure", amountMinor, walletId: req.params.walletId, txId, reason: "insufficient_funds" });
    return res.status(402).json({ error: "insufficient funds", amountMinor });
  }
  await track.walletTransaction({ type: "purchase", outcome: "success", amountMinor, walletId: req.params.walletId, txId });
  const keys = store.generateKeys(tenant, product, quantity);
  await track.licenseKeysGenerated({ product, keys });
  res.status(201).json({ txId, amountMinor, keys });
});
app.use("/api/wallets", wallets);

app.post("/api/licenses/keys", requireUser("admin"), async (req, res) => {
  const product = String(req.body?.product ?? "");
  const count = Number(req.body?.count ?? 1);
  if (!store.PRICES[product] || !Number.isInteger(count) || count < 1 || count > 50) return res.status(400).json({ error: "unknown product or bad count" });
  const keys = store.generateKeys(tenantOf(req), product, count);
  await track.licenseKeysGenerated({ product, keys });
  res.status(201).json({ keys });
});
app.get("/api/licenses/:key", requireUser(), (req, res) => {
  const found = store.findKey(tenantOf(req), req.params.key);
  if (!found) return res.status(404).json({ error: "no such license key" });
  res.json(found);
});

app.post("/api/branches", requireUser("admin"), async (req, res) => {
  const name = String(req.body?.name ?? "");
  if (!name) return res.status(400).json({ error: "name is required" });
  const branchId = store.createBranch(tenantOf(req), name);
  await track.branchCreated({ branchId, name });
  res.status(201).json({ branchId });
});

// The crashing route: the daily report generator has a bug. Its error reaches Sentry with the
// tenant, user and route; the client gets a plain 500.
app.get("/api/reports/:day", requireUser(), (req) => {
  const rows = req.params.day.split("-").map(Number);
  throw new TypeError(`daily report of shop ${tenantOf(req)} for ${req.params.day} failed: cannot read totals of ${rows.length} rows`);
});

app.use(monitoring.errorHandler);
app.use((error, _req, res, _next) => {
  res.status(error.status ?? 500).json({ error: error.status ? error.message : "internal error" });
});

const server = app.listen(Number(process.env.PORT ?? 0), process.env.HOST ?? "127.0.0.1", () => {
  const { address, port } = server.address();
  process.stdout.write(`listening on http://${address}:${port}\n`);
});
monitoring.installShutdown(server, { timeoutMs: 5000 });
