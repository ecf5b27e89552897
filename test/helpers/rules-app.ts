import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { FIXTURES, makeTempDir } from "./cli.js";
import { startProcess, type StartedProcess } from "./process.js";

export const RULES_APP = join(FIXTURES, "rules-app", "app.mjs");
const INSTRUMENT = join(FIXTURES, "sentry-app", "instrument.mjs");

/** The shop's rules, as `mon init` would propose them for test/fixtures/rules-app. */
export const RULES_CONFIG = {
  service: "shop",
  tenants: { values: ["EUR", "KM"], from: "header:x-shop", currency: { EUR: "EUR", KM: "BAM" } },
  metrics: { products: ["antivirus", "vpn"] },
  sentry: { environment: "test" },
  actor: { id: "id", role: "role", segment: "accountType", branch: "branchId", branchParents: "branchPath" },
  security: { bruteForce: { windowSeconds: 300, perIp: 10, perAccount: 2 } },
  events: {
    "POST /api/auth/login": { event: "login", actorId: "body.username", reasons: { "401": "invalid_credentials" } },
    "POST /api/auth/logout": { event: "logout" },
    "POST /api/wallets/:id/deposit": { event: "wallet.deposit", amount: "body.amount", walletId: "params.id", txId: "response.txId" },
    "POST /api/wallets/:id/withdraw": { event: "wallet.withdrawal", amount: "body.amount", walletId: "params.id", txId: "body.txId" },
    "POST /api/wallets/:id/explicit": { event: "wallet.deposit", amount: "body.amount" },
    "POST /api/wallets/:id/audited": { event: "wallet.deposit", amount: "body.amount", walletId: "params.id", txId: "response.txId" },
    "POST /api/orders": {
      event: "wallet.purchase", amount: "response.total", txId: "response.orderId", reasons: { "402": "insufficient_funds" },
      also: [{ event: "license.generated", product: "body.product", keys: "response.licenses[].key" }],
    },
    "GET /api/licenses/:id": { event: "license.accessed", target: "params.id", product: "response.product" },
    "POST /api/branches": { event: "branch.created", branchId: "response.id", name: "body.name", reasons: { "403": "not_b2b" } },
    "POST /api/admin/:action": { event: "admin.action", action: "params.action" },
    "POST /api/slow-refund": { event: "wallet.refund", amount: "body.amount" },
    "POST /api/broken": { event: "teleport" },
  },
};

export interface RulesApp extends StartedProcess {
  base: string;
  dir: string;
  cleanup: () => Promise<void>;
}

/** Starts test/fixtures/rules-app as a real process in a fresh temp dir holding its mon.config.json. */
export async function startRulesApp(options: {
  express: "4" | "5"; config?: object; env?: Record<string, string | undefined>; sentry?: boolean; before?: (dir: string) => Promise<void>;
  /** A host holding its own copies (see prepareMajorHost): `<host>/rules-app/app.mjs` and `<host>/app/instrument.mjs`. */
  host?: string;
}): Promise<RulesApp> {
  const temp = await makeTempDir("monwire-rules-app-");
  await writeFile(join(temp.dir, "mon.config.json"), JSON.stringify(options.config ?? RULES_CONFIG));
  await options.before?.(temp.dir);
  const app = options.host ? join(options.host, "rules-app", "app.mjs") : RULES_APP;
  const instrument = options.host ? join(options.host, "app", "instrument.mjs") : INSTRUMENT;
  const args = options.sentry ? ["--import", instrument, app] : [app];
  const started = await startProcess(process.execPath, args, {
    cwd: temp.dir,
    env: { SENTRY_DSN: undefined, FIXTURE_EXPRESS: options.express, ...options.env } as NodeJS.ProcessEnv,
    ready: /listening on http:\/\/127\.0\.0\.1:\d+/,
  });
  const port = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(started.output())?.[1];
  return {
    ...started,
    base: `http://127.0.0.1:${port}`,
    dir: temp.dir,
    cleanup: async () => {
      await started.stop();
      await temp.cleanup();
    },
  };
}

/** Sends one JSON request as a shop client (tenant header, optional signed-in user); returns the status. */
export async function call(app: RulesApp, method: string, path: string, options: { shop?: string; user?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<number> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.shop) headers["x-shop"] = options.shop;
  if (options.user) headers["x-user"] = options.user;
  if (options.body !== undefined) headers["content-type"] = "application/json";
  const response = await fetch(app.base + path, {
    method, headers, signal: AbortSignal.timeout(10_000),
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  });
  await response.arrayBuffer();
  return response.status;
}

/** Every audit line in the app's logs directory, parsed. */
export async function auditLines(dir: string): Promise<Record<string, any>[]> {
  const logs = join(dir, "logs");
  const files = (await readdir(logs)).filter((f) => /^audit-\d{4}-\d{2}-\d{2}\.log$/.test(f)).sort();
  const lines: Record<string, any>[] = [];
  for (const file of files) {
    for (const line of (await readFile(join(logs, file), "utf8")).split("\n")) if (line) lines.push(JSON.parse(line));
  }
  return lines;
}
