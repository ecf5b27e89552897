import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { emptyTenantTraffic, seededRandom, type TenantTraffic, type TrafficSummary } from "./traffic-counts.js";

/**
 * Drives realistic traffic through the demo shop for a bounded time: per tenant and round, a
 * customer browses, logins fail and succeed, wallets get deposits, purchases succeed or fail
 * for lack of funds, keys are generated, admins create branches, and the first round also hits
 * the crashing route and locks an account. Tenants run side by side; every answer is counted.
 */
interface ShopUser {
  password: string;
  role: string;
}

interface ShopData {
  CURRENCY: Record<string, string>;
  USERS: Record<string, Record<string, ShopUser>>;
  WALLETS: Record<string, Record<string, number>>;
  PRICES: Record<string, Record<string, number>>;
  LOCK_AFTER: number;
}

export interface TrafficOptions {
  /** The shop's base URL, e.g. http://127.0.0.1:41234. */
  url: string;
  /** The shop's directory: its store.mjs is the one source of users, wallets and prices. */
  dir: string;
  durationMs: number;
  /** Pause between a tenant's requests. Default 20 ms. */
  paceMs?: number;
  maxRounds?: number;
  seed?: number;
  now?: () => Date;
}

export interface TrafficRun {
  summary: TrafficSummary;
  /** Passwords sent and full license keys handed out: they must appear in no audit line or Sentry event. */
  secrets: string[];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One tenant's HTTP client: adds x-shop (and x-session), counts every answer. */
function tenantClient(url: string, tenant: string, counts: TenantTraffic, paceMs: number) {
  return async (method: string, path: string, options: { body?: unknown; token?: string } = {}) => {
    const headers: Record<string, string> = { "x-shop": tenant };
    if (options.token) headers["x-session"] = options.token;
    if (options.body !== undefined) headers["content-type"] = "application/json";
    const response = await fetch(`${url}${path}`, {
      method,
      headers,
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await response.text();
    counts.requests += 1;
    counts.statuses[response.status] = (counts.statuses[response.status] ?? 0) + 1;
    await sleep(paceMs);
    let json: Record<string, unknown> = {};
    try {
      json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      // Non-JSON answers (none expected) count by status only.
    }
    return { status: response.status, json };
  };
}

type Send = ReturnType<typeof tenantClient>;

function userWithRole(users: Record<string, ShopUser>, role: string): [string, ShopUser] {
  const found = Object.entries(users).find(([, user]) => user.role === role);
  if (!found) throw new Error(`the demo shop has no ${role}`);
  return found;
}

async function login(send: Send, counts: TenantTraffic, username: string, password: string): Promise<string | undefined> {
  const { status, json } = await send("POST", "/api/login", { body: { username, password } });
  if (status === 200) {
    counts.logins.succeeded += 1;
    counts.sessions.started += 1;
    return String(json.token);
  }
  if (status === 401 || status === 423) counts.logins.failed += 1;
  if (json.lockedNow === true) counts.logins.lockouts += 1;
  return undefined;
}

async function logout(send: Send, counts: TenantTraffic, token: string): Promise<void> {
  if ((await send("POST", "/api/logout", { token })).status === 204) counts.sessions.ended += 1;
}

function addKeys(counts: TenantTraffic, secrets: string[], product: string, keys: unknown): void {
  const list = Array.isArray(keys) ? keys.map(String) : [];
  counts.licenseKeys[product] = (counts.licenseKeys[product] ?? 0) + list.length;
  counts.keyBatches += 1;
  secrets.push(...list);
}

async function round(shop: ShopData, tenant: string, index: number, send: Send, counts: TenantTraffic, secrets: string[], random: () => number, today: string) {
  const users = shop.USERS[tenant] ?? {};
  const [cashier, cashierUser] = userWithRole(users, "cashier");
  const [admin, adminUser] = userWithRole(users, "admin");
  const first = index === 0;
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const products = Object.keys(shop.PRICES);
  const wallets = Object.keys(shop.WALLETS[tenant] ?? {});

  await send("GET", "/api/products");
  if (first || random() < 0.35) await login(send, counts, cashier, `${cashierUser.password}-typo`);
  const token = await login(send, counts, cashier, cashierUser.password);
  if (token) {
    const wallet = pick(wallets);
    await send("GET", `/api/wallets/${wallet}`, { token });
    if (first || random() < 0.7) {
      const amountMinor = 500 + Math.floor(random() * 5500);
      if ((await send("POST", `/api/wallets/${wallet}/deposit`, { token, body: { amountMinor } })).status === 201) {
        counts.deposits.count += 1;
        counts.deposits.amountMinor += amountMinor;
      }
    }
    const product = pick(products);
    const quantity = 1 + Math.floor(random() * 3);
    const purchase = await send("POST", `/api/wallets/${pick(wallets)}/purchase`, { token, body: { product, quantity } });
    if (purchase.status === 201) {
      counts.purchases.count += 1;
      counts.purchases.amountMinor += Number(purchase.json.amountMinor);
      addKeys(counts, secrets, product, purchase.json.keys);
    } else if (purchase.status === 402) {
      counts.purchases.insufficientFunds += 1;
    }
    const bought = Array.isArray(purchase.json.keys) ? String(purchase.json.keys[0]) : "0000-0000-0000-0000";
    await send("GET", `/api/licenses/${bought}`, { token });
    if (first || random() < 0.2) await send("POST", "/api/licenses/keys", { token, body: { product: "pro", count: 1 } });
    if (first && (await send("GET", `/api/reports/${today}`, { token })).status === 500) counts.crashes += 1;
    await logout(send, counts, token);
  }
  if (first || index % 3 === 0) {
    const adminToken = await login(send, counts, admin, adminUser.password);
    if (adminToken) {
      const product = pick(products);
      const batch = await send("POST", "/api/licenses/keys", { token: adminToken, body: { product, count: 2 + Math.floor(random() * 3) } });
      if (batch.status === 201) addKeys(counts, secrets, product, batch.json.keys);
      if ((first || index % 5 === 0) && (await send("POST", "/api/branches", { token: adminToken, body: { name: `Branch ${index + 1}` } })).status === 201) {
        counts.branches += 1;
      }
      await logout(send, counts, adminToken);
    }
  }
  if (first) {
    // Someone guesses the guest account's password until it locks, then tries once more.
    const guest = users.guest;
    if (guest) for (let attempt = 0; attempt <= shop.LOCK_AFTER; attempt++) await login(send, counts, "guest", `guess-${attempt}`);
  }
  if (random() < 0.1) await send("GET", `/api/no-such-page/${Math.floor(random() * 1000)}`);
}

/** Runs rounds until `durationMs` has passed (the first round always completes). */
export async function driveTraffic(options: TrafficOptions): Promise<TrafficRun> {
  const shop = (await import(pathToFileURL(join(options.dir, "store.mjs")).href)) as ShopData;
  const now = options.now ?? (() => new Date());
  const startedAt = now();
  const deadline = startedAt.getTime() + options.durationMs;
  const maxRounds = options.maxRounds ?? 500;
  const secrets = Object.values(shop.USERS).flatMap((users) => Object.values(users).map((u) => u.password));
  const tenants: Record<string, TenantTraffic> = {};
  let rounds = 0;
  await Promise.all(Object.keys(shop.CURRENCY).map(async (tenant, i) => {
    const counts = (tenants[tenant] = emptyTenantTraffic(shop.CURRENCY[tenant] as string));
    const send = tenantClient(options.url, tenant, counts, options.paceMs ?? 20);
    const random = seededRandom((options.seed ?? 42) + i * 7919);
    for (let index = 0; index < maxRounds && (index === 0 || now().getTime() < deadline); index++) {
      await round(shop, tenant, index, send, counts, secrets, random, startedAt.toISOString().slice(0, 10));
      rounds = Math.max(rounds, index + 1);
    }
  }));
  const requests = Object.values(tenants).reduce((n, t) => n + t.requests, 0);
  return { summary: { startedAt: startedAt.toISOString(), endedAt: now().toISOString(), rounds, requests, tenants }, secrets };
}
