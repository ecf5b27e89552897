import { execa } from "execa";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyFixture, runMon } from "../helpers/cli.js";
import { parseExposition } from "../helpers/exposition.js";
import { expectRerunThenUninstall, INIT_ARGS } from "../helpers/host-flow.js";
import { cachedNodeModules, hashTree, linkNodeModules, packMonwire, startScript } from "../helpers/host-app.js";

/**
 * A shop that exports its session Map (each session with its shop, one session per user):
 * `mon init --yes` alone makes the monitoring file read active_user_sessions from that Map at
 * each scrape, through a lazy import, with the business files byte-identical. The gauge per
 * tenant then equals the store's own count — also where login/logout events would count wrong
 * (a second login replaces the first session) — and after a restart it starts from the store.
 */
describe("mon init wires an exported session store (host-shop-sessions-ts)", () => {
  let root: string;
  let cleanup: () => Promise<void>;
  let tarball: string;
  let before: Record<string, string>;
  let initDoc: { status: string; plan: { notes: string[] } };

  beforeAll(async () => {
    tarball = await packMonwire();
    // Same dependencies as host-ts-esm: it shares that fixture's install.
    const cache = await cachedNodeModules("host-ts-esm", INIT_ARGS.slice(1), tarball);
    ({ dir: root, cleanup } = await copyFixture("host-shop-sessions-ts"));
    before = hashTree(root);
    const result = await runMon([...INIT_ARGS, "--skip-install", "--monwire-from", tarball, "--json"], { cwd: root });
    expect(result.exitCode, `${result.stdout}\n${result.stderr}`).toBe(0);
    initDoc = JSON.parse(String(result.stdout));
    linkNodeModules(cache, root);
  }, 300_000);

  afterAll(async () => {
    await cleanup?.();
  });

  it("sets sessions.source \"store\" with the shop as tenant, and passes a lazy import of the Map", async () => {
    expect(initDoc.status).toBe("applied");
    const config = JSON.parse(readFileSync(join(root, "mon.config.json"), "utf8"));
    expect(config.sessions).toEqual({ source: "store", tenantField: "shop" });
    expect(initDoc.plan.notes).toContain('found the session Map `sessions` in server/routes.ts, exported: active_user_sessions is read from it at each scrape (sessions.source "store", each session\'s tenant from "shop"); the monitoring file imports it lazily');
    expect(readFileSync(join(root, "server/middleware/monitoring.ts"), "utf8")).toContain('  sessionSource: () => import("../routes").then((m) => m.sessions),\n});\n');
    expect(hashTree(root)["server/routes.ts"]).toBe(before["server/routes.ts"]);
    // The generated file type-checks against the installed monwire's SessionSource.
    const check = await execa("npm", ["run", "check"], { cwd: root, reject: false });
    expect(check.exitCode, `${check.stdout}\n${check.stderr}`).toBe(0);
  }, 120_000);

  it("counts the store's sessions per tenant, down at logout and from the store again after a restart", async () => {
    const build = await execa("npm", ["run", "build"], { cwd: root, reject: false });
    expect(build.exitCode, `${build.stdout}\n${build.stderr}`).toBe(0);
    const run = async <T>(body: (url: string, output: () => string) => Promise<T>): Promise<T> => {
      const started = await startScript(root, "start", { NODE_ENV: "production" });
      try {
        return await body(started.url, started.output);
      } finally {
        await started.stop();
      }
    };
    const call = async (url: string, shop: string, method: string, path: string, body?: unknown, token?: string) => {
      const response = await fetch(`${url}${path}`, {
        method,
        headers: { "content-type": "application/json", "x-shop": shop, ...(token ? { authorization: `Bearer ${token}` } : {}) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: response.status, json: (await response.json().catch(() => ({}))) as Record<string, unknown> };
    };
    const login = async (url: string, shop: string, username: string) => {
      const { status, json } = await call(url, shop, "POST", "/api/auth/login", { username, password: `${username}-pw` });
      expect(status).toBe(200);
      return json.token as string;
    };
    /** active_user_sessions per tenant from /metrics, next to the shop's own count. */
    const both = async (url: string) => {
      const samples = parseExposition(await (await fetch(`${url}/metrics`)).text()).samples.filter((s) => s.name === "active_user_sessions");
      const gauge = Object.fromEntries(["EUR", "KM"].map((t) => [t, samples.find((s) => s.labels.tenant === t)?.value ?? 0]));
      const store = (await call(url, "EUR", "GET", "/api/health")).json.sessions as Record<string, number>;
      return { gauge, store: { EUR: store.EUR ?? 0, KM: store.KM ?? 0 }, negative: samples.some((s) => s.value < 0) };
    };

    await run(async (url, output) => {
      expect(await both(url)).toEqual({ gauge: { EUR: 0, KM: 0 }, store: { EUR: 0, KM: 0 }, negative: false });
      await login(url, "EUR", "alice");
      // alice logs in again: the app replaces her session, so the store still holds one.
      const alice = await login(url, "EUR", "alice");
      const root_ = await login(url, "EUR", "root");
      const bob = await login(url, "KM", "bob");
      expect(await both(url)).toEqual({ gauge: { EUR: 2, KM: 1 }, store: { EUR: 2, KM: 1 }, negative: false });
      expect((await call(url, "EUR", "POST", "/api/auth/logout", {}, alice)).status).toBe(200);
      expect((await call(url, "KM", "POST", "/api/auth/logout", {}, bob)).status).toBe(200);
      expect(await both(url)).toEqual({ gauge: { EUR: 1, KM: 0 }, store: { EUR: 1, KM: 0 }, negative: false });
      expect(root_).toBeTruthy();
      expect(output()).not.toContain("sessionSource");
    });
    // A restart: the in-memory store is empty again, and so is the gauge — no drift, never negative.
    await run(async (url) => {
      expect(await both(url)).toEqual({ gauge: { EUR: 0, KM: 0 }, store: { EUR: 0, KM: 0 }, negative: false });
      await login(url, "KM", "root");
      expect(await both(url)).toEqual({ gauge: { EUR: 0, KM: 1 }, store: { EUR: 0, KM: 1 }, negative: false });
    });
  }, 180_000);

  it("changes nothing when run again, and uninstall gives back the original tree", async () => {
    await expectRerunThenUninstall(root, tarball, before);
  }, 60_000);
});
