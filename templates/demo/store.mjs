// The demo shop's "database": tenants, users, wallets, products, license keys and branches, kept
// in memory. Amounts are integer minor units in the tenant's currency (the KM shop prices in BAM).
import { randomBytes } from "node:crypto";

export const CURRENCY = { EUR: "EUR", KM: "BAM" };

/** Price per license, per product and tenant, in minor units. */
export const PRICES = {
  pro: { EUR: 4900, KM: 9500 },
  basic: { EUR: 1900, KM: 3700 },
};

// Demo credentials, sent by the traffic generator. monwire's redaction keeps them out of the
// audit trail and out of Sentry; `mon demo` searches both for them to prove it.
export const USERS = {
  EUR: {
    ana: { password: "ana-demo-pass-7F3", role: "cashier", branch: "vienna" },
    marko: { password: "marko-demo-pass-Q9", role: "admin", branch: "hq" },
    guest: { password: "guest-demo-pass-K2", role: "customer", branch: "online" },
  },
  KM: {
    emina: { password: "emina-demo-pass-4TZ", role: "cashier", branch: "sarajevo" },
    haris: { password: "haris-demo-pass-8RW", role: "admin", branch: "hq" },
    guest: { password: "guest-demo-pass-M5", role: "customer", branch: "online" },
  },
};

/** Failed logins that lock an account. */
export const LOCK_AFTER = 3;

/** Opening balances in minor units: w-200 runs low, so some purchases fail for lack of funds. */
export const WALLETS = {
  EUR: { "w-100": 15_000, "w-200": 4_000 },
  KM: { "w-100": 30_000, "w-200": 8_000 },
};

const wallets = new Map(Object.entries(WALLETS).flatMap(([tenant, seeds]) => Object.entries(seeds).map(([id, balance]) => [`${tenant}:${id}`, balance])));
const sessions = new Map();
const failures = new Map();
const locked = new Set();
const keys = new Map();
const branches = new Map();

export function findWallet(tenant, walletId) {
  const balance = wallets.get(`${tenant}:${walletId}`);
  return balance === undefined ? undefined : { id: walletId, balanceMinor: balance, currency: CURRENCY[tenant] };
}

export function credit(tenant, walletId, amountMinor) {
  wallets.set(`${tenant}:${walletId}`, wallets.get(`${tenant}:${walletId}`) + amountMinor);
}

/** Debits the wallet when the balance covers it; returns false (and changes nothing) otherwise. */
export function debit(tenant, walletId, amountMinor) {
  const balance = wallets.get(`${tenant}:${walletId}`);
  if (balance < amountMinor) return false;
  wallets.set(`${tenant}:${walletId}`, balance - amountMinor);
  return true;
}

/**
 * Checks a login. Returns { ok, user } or { ok: false, locked, lockedNow, attempts }: the
 * LOCK_AFTER-th consecutive failure locks the account.
 */
export function checkLogin(tenant, username, password) {
  const id = `${tenant}:${username}`;
  if (locked.has(id)) return { ok: false, locked: true, lockedNow: false };
  const user = USERS[tenant]?.[username];
  if (user && user.password === password) {
    failures.delete(id);
    return { ok: true, user: { id: username, ...user } };
  }
  const attempts = (failures.get(id) ?? 0) + 1;
  failures.set(id, attempts);
  if (attempts >= LOCK_AFTER && user) {
    locked.add(id);
    return { ok: false, locked: true, lockedNow: true, attempts };
  }
  return { ok: false, locked: false, lockedNow: false, attempts };
}

export function openSession(tenant, user) {
  const token = randomBytes(16).toString("hex");
  sessions.set(token, { tenant, user });
  return token;
}

export function findSession(token) {
  return token ? sessions.get(token) : undefined;
}

export function closeSession(token) {
  return sessions.delete(token);
}

/** Generates license keys like `7A2F-90DE-C31B-E04D` and remembers them. */
export function generateKeys(tenant, product, count) {
  const generated = [];
  for (let i = 0; i < count; i++) {
    const key = Array.from({ length: 4 }, () => randomBytes(2).toString("hex").toUpperCase()).join("-");
    keys.set(key, { tenant, product });
    generated.push(key);
  }
  return generated;
}

export function findKey(tenant, key) {
  const found = keys.get(key);
  return found && found.tenant === tenant ? { key, product: found.product } : undefined;
}

export function createBranch(tenant, name) {
  const id = `br-${tenant.toLowerCase()}-${branches.size + 1}`;
  branches.set(id, { tenant, name });
  return id;
}

/** The database probe behind database_up: the in-memory store is up while the process is. */
export function ping() {
  return wallets.size > 0;
}
