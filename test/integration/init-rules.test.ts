import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { copyFixture, runMon } from "../helpers/cli.js";
import { hashTree } from "../helpers/host-app.js";
import { INIT_ARGS } from "../helpers/host-flow.js";

/**
 * Route rules through the built CLI without an install: --dry-run shows the proposals and writes
 * nothing, and a rerun on a changed app proposes only the new route while the user's edits to
 * existing rules (and a rule they deleted) stay as they are.
 */
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

const ARGS = [...INIT_ARGS, "--skip-install", "--monwire-from", "/opt/monwire.tgz"];

async function shop(): Promise<string> {
  const { dir, cleanup } = await copyFixture("host-shop-ts");
  cleanups.push(cleanup);
  return dir;
}

const readConfig = (dir: string) => JSON.parse(readFileSync(join(dir, "mon.config.json"), "utf8")) as { events: Record<string, Record<string, unknown>> };

describe("mon init route rules", () => {
  it("--dry-run lists every proposal with its route's file and line, and writes nothing", async () => {
    const dir = await shop();
    const before = hashTree(dir);
    const result = await runMon([...ARGS, "--dry-run"], { cwd: dir });
    expect(result.exitCode, String(result.stderr)).toBe(0);
    const out = String(result.stdout);
    expect(out).toContain("Route rules\n");
    expect(out).toContain("  + POST /api/orders → wallet.purchase (amount response.total, txId response.orderId, 400 invalid_request, 402 insufficient_funds, + license.generated)  (server/routes.ts:106)");
    expect(out).toContain("  + GET /api/licenses/:id → license.accessed (target params.id, 404 not_found)  (server/routes.ts:130)");
    expect(out).toContain("  products: antivirus, vpn");
    expect(hashTree(dir)).toEqual(before);
  });

  it("a rerun on a changed app proposes only the new route and keeps the user's rule edits", async () => {
    const dir = await shop();
    expect((await runMon(ARGS, { cwd: dir })).exitCode).toBe(0);
    const config = readConfig(dir);
    // The user tunes one rule and deletes another.
    config.events["POST /api/orders"]!.reasons = { 402: "no_money" };
    delete config.events["POST /api/admin/reindex"];
    writeFileSync(join(dir, "mon.config.json"), `${JSON.stringify(config, null, 2)}\n`);
    const routes = join(dir, "server", "routes.ts");
    writeFileSync(routes, readFileSync(routes, "utf8").replace(/\n}\n$/, `
  app.post("/api/users/invite", requireUser, (req, res) => {
    res.status(201).json({ id: randomUUID(), email: String(req.body.email), role: String(req.body.role) });
  });
}
`));
    const again = await runMon([...ARGS, "--json"], { cwd: dir });
    expect(again.exitCode, String(again.stderr)).toBe(0);
    const doc = JSON.parse(String(again.stdout)) as { plan: { rules: { proposed: Array<{ key: string }>; added: string[] } } };
    expect(doc.plan.rules.proposed.map((p) => p.key)).toEqual(["POST /api/users/invite"]);
    const after = readConfig(dir);
    expect(after.events["POST /api/users/invite"]).toEqual({ event: "user.created", target: "response.id", role: "body.role" });
    expect(after.events["POST /api/orders"]!.reasons).toEqual({ 402: "no_money" });
    expect(after.events["POST /api/admin/reindex"]).toBeUndefined();
    const third = await runMon(ARGS, { cwd: dir });
    expect(String(third.stdout)).toContain("already set up — nothing to do");
  });
});
