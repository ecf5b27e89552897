import { execa } from "execa";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { computeEntryHash } from "../../src/audit/chain.js";
import { CATALOG } from "../../src/metrics/catalog.js";
import { copyFixture, runMon } from "./cli.js";
import { cachedNodeModules, hashTree, linkNodeModules, packMonwire, startScript } from "./host-app.js";
import { startSentryReceiver, type SentryReceiver } from "./sentry-receiver.js";

/**
 * The acceptance flow of `mon init` on one fixture app: init --yes, the host's own checks and
 * build, a real start on 127.0.0.1, /metrics, an error reaching a loopback Sentry receiver with a
 * parametrised transaction name, a verifiable audit line from a tracked deposit, and a second run
 * that changes zero bytes.
 */
export interface HostFlowSpec {
  fixture: string;
  /** Folder of the app inside the fixture (workspace member). */
  member?: string;
  /** Fixture whose cached install is a superset of this one's dependencies. */
  cacheFrom?: string;
  /** Extra env for mon (e.g. PATH with pnpm). */
  env?: Record<string, string>;
  expected: { moduleSystem: "esm" | "cjs"; entry: string; packageManager: string };
  /** The host's own type check / build commands, run in the app folder. */
  checks: string[][];
  startScript: string;
  /** The host's business-event file, rewritten to call track.walletTransaction after init. */
  eventsFile: string;
  eventsCode: string;
  /** The route rules init proposes for the fixture's own routes (mon.config.json `events`). */
  rules: Record<string, unknown>;
  /** Assertions on the cached install made by the real `mon init` (e.g. which lockfile it wrote). */
  installed?: (cacheApp: string) => void;
}

export const INIT_ARGS = ["init", "--yes", "--tenants", "EUR,KM", "--tenant-from", "header:x-shop"];

function readAuditLines(dir: string): Array<Record<string, unknown>> {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => /^audit-\d{4}-\d{2}-\d{2}\.log$/.test(f))
    .flatMap((f) => readFileSync(join(dir, f), "utf8").split("\n").filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>));
}

export function describeHostFlow(spec: HostFlowSpec): void {
  describe(`mon init on ${spec.fixture}`, () => {
    const member = spec.member ?? ".";
    let root: string;
    let app: string;
    let cleanup: () => Promise<void>;
    let receiver: SentryReceiver;
    let tarball: string;

    beforeAll(async () => {
      tarball = await packMonwire();
      const cache = await cachedNodeModules(spec.cacheFrom ?? spec.fixture, INIT_ARGS.slice(1), tarball, spec.cacheFrom ? "." : member, spec.env);
      spec.installed?.(cache);
      ({ dir: root, cleanup } = await copyFixture(spec.fixture));
      app = join(root, member);
      receiver = await startSentryReceiver();
      const result = await runMon([...INIT_ARGS, "--skip-install", "--monwire-from", tarball, "--json"], { cwd: app, env: spec.env ?? {} });
      expect(result.exitCode, `${result.stdout}\n${result.stderr}`).toBe(0);
      const doc = JSON.parse(String(result.stdout)) as { status: string; project: Record<string, unknown>; plan: { rules: { added: string[] } } };
      expect(doc.status).toBe("applied");
      expect(doc.project).toMatchObject(spec.expected);
      expect(doc.plan.rules.added).toEqual(Object.keys(spec.rules));
      expect(JSON.parse(readFileSync(join(app, "mon.config.json"), "utf8")).events).toEqual(spec.rules);
      linkNodeModules(cache, root, spec.cacheFrom ? "." : member);
      writeFileSync(join(app, spec.eventsFile), spec.eventsCode);
    }, 300_000);

    afterAll(async () => {
      await receiver?.close();
      await cleanup?.();
    });

    it("passes the host's own type check and build", async () => {
      for (const [command, ...args] of spec.checks) {
        const result = await execa(command!, args, { cwd: app, reject: false, env: { PATH: `${join(app, "node_modules", ".bin")}:${spec.env?.PATH ?? process.env.PATH}` } });
        expect(result.exitCode, `${command} ${args.join(" ")}:\n${result.stdout}\n${result.stderr}`).toBe(0);
      }
    }, 120_000);

    it("starts, serves the catalog, reports errors to Sentry and writes a verifiable audit line", async () => {
      const started = await startScript(app, spec.startScript, { SENTRY_DSN: receiver.dsn(), NODE_ENV: "production" });
      try {
        const license = await fetch(`${started.url}/api/licenses/7`, { headers: { "x-shop": "EUR" } });
        expect(license.status).toBe(200);
        const boom = await fetch(`${started.url}/api/boom/3`, { headers: { "x-shop": "KM" } });
        expect(boom.status).toBe(500);
        const deposit = await fetch(`${started.url}/api/wallet/deposit`, {
          method: "POST",
          headers: { "content-type": "application/json", "x-shop": "EUR" },
          body: JSON.stringify({ amountMinor: 1050 }),
        });
        expect(deposit.status).toBe(201);

        const metrics = await (await fetch(`${started.url}/metrics`)).text();
        // The database families are served only once a database is wired (no probe, no claim).
        for (const family of CATALOG.filter((f) => !("requires" in f))) expect(metrics).toContain(`# TYPE ${family.name} ${family.type}`);
        expect(metrics).toMatch(/http_requests_total\{[^}]*route="\/api\/licenses\/:id"[^}]*tenant="EUR"[^}]*\} 1/);
        expect(metrics).toMatch(/wallet_transactions_total\{[^}]*type="deposit"[^}]*\} 1/);

        const envelope = await receiver.waitFor((e) => e.items.some((i) => i.header.type === "event"), 15_000);
        const event = envelope.items.find((i) => i.header.type === "event")!.payload as { transaction?: string; exception?: { values: Array<{ value: string }> } };
        expect(event.exception?.values[0]?.value).toBe("boom 3");
        expect(event.transaction).toBe("GET /api/boom/:id");

        const lines = readAuditLines(join(app, "logs"));
        // The proposed rules record the license fetch; the deposit's explicit track call wins
        // over its rule, so it is written once.
        expect(lines.filter((l) => l.action === "license_key.accessed" && l.tenant === "EUR" && l.outcome === "success"), JSON.stringify(lines)).toHaveLength(1);
        expect(lines.filter((l) => l.action === "wallet.deposit")).toHaveLength(1);
        const entry = lines.find((l) => l.action === "wallet.deposit");
        expect(entry, JSON.stringify(lines)).toBeDefined();
        expect(entry).toMatchObject({ tenant: "EUR", amount: { minor: 1050, currency: "EUR" } });
        expect(entry!.hash).toBe(computeEntryHash(entry as never, undefined));
        const previous = lines.find((l) => l.writer === entry!.writer && l.seq === (entry!.seq as number) - 1);
        expect(entry!.prev).toBe(previous ? previous.hash : "0".repeat(64));
      } finally {
        await started.stop();
      }
    }, 90_000);

    it("changes zero bytes when run again", async () => {
      const before = hashTree(root);
      const result = await runMon([...INIT_ARGS, "--skip-install", "--monwire-from", tarball], { cwd: app, env: spec.env ?? {} });
      expect(result.exitCode, String(result.stderr)).toBe(0);
      expect(String(result.stdout)).toContain("already set up — nothing to do");
      expect(hashTree(root)).toEqual(before);
    }, 60_000);
  });
}

/**
 * A second `mon init` on an initialised app changes zero bytes, then `mon uninstall --yes` gives
 * back `before` (the tree as hashed before the first init), `.gitignore` aside: uninstall keeps
 * the line that keeps a written audit trail out of git. Returns uninstall's result.
 */
export async function expectRerunThenUninstall(root: string, tarball: string, before: Record<string, string>): Promise<Awaited<ReturnType<typeof runMon>>> {
  const after = hashTree(root);
  const again = await runMon([...INIT_ARGS, "--skip-install", "--monwire-from", tarball], { cwd: root });
  expect(again.exitCode, String(again.stderr)).toBe(0);
  expect(String(again.stdout)).toContain("already set up — nothing to do");
  expect(hashTree(root)).toEqual(after);
  const removed = await runMon(["uninstall", "--yes", "--skip-install"], { cwd: root });
  expect(removed.exitCode, `${removed.stdout}\n${removed.stderr}`).toBe(0);
  const { ".gitignore": _ignore, ...rest } = hashTree(root);
  expect(rest).toEqual(before);
  return removed;
}
