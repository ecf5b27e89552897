import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stripRegions } from "../../src/scaffold/regions.js";
import { copyFixture, FIXTURES, REPO_ROOT, runMon } from "../helpers/cli.js";
import { parseExposition, sampleValue, seriesOf } from "../helpers/exposition.js";
import { INIT_ARGS } from "../helpers/host-flow.js";
import { cachedNodeModules, linkNodeModules, packMonwire, startScript } from "../helpers/host-app.js";

/**
 * `mon init --yes` on a CommonJS app using better-sqlite3 (a synchronous client with no pool):
 * detected, wired next to `new Database(…)`, exact query counts per verb and tenant, errors by
 * SQLite result code, database_up from `SELECT 1` on the open handle, and no parameter value in
 * metrics or the audit trail.
 */
const CANARY = "canary-branch-3318";

describe("mon init on an app using better-sqlite3", () => {
  let app: string;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    const tarball = await packMonwire();
    // better-sqlite3 compiles SQLite from source when no prebuilt binary can be downloaded (minutes
    // on a busy 2-core host, for every new monwire build). The fixture's install skips install
    // scripts and takes the addon the repo's own `npm ci` built for the same pinned version.
    const cache = await cachedNodeModules("host-sqlite", INIT_ARGS.slice(1), tarball, ".", { npm_config_ignore_scripts: "true" });
    const addon = join(REPO_ROOT, "node_modules", "better-sqlite3", "build", "Release", "better_sqlite3.node");
    const release = join(cache, "node_modules", "better-sqlite3", "build", "Release");
    if (!existsSync(join(release, "better_sqlite3.node"))) {
      mkdirSync(release, { recursive: true });
      copyFileSync(addon, join(release, "better_sqlite3.node"));
    }
    ({ dir: app, cleanup } = await copyFixture("host-sqlite"));
    const result = await runMon([...INIT_ARGS, "--skip-install", "--monwire-from", tarball, "--json"], { cwd: app });
    expect(result.exitCode, `${result.stdout}\n${result.stderr}`).toBe(0);
    const doc = JSON.parse(String(result.stdout)) as { project: { database?: unknown } };
    expect(doc.project.database).toMatchObject({ client: "better-sqlite3", site: { file: "src/db.js", variable: "db", construct: "new Database(...)" } });
    linkNodeModules(cache, app);
  }, 300_000);
  afterAll(async () => cleanup?.());

  it("wires monitorDatabase(db) in regions of src/db.js only", () => {
    const wired = readFileSync(join(app, "src/db.js"), "utf8");
    expect(stripRegions(wired)).toBe(readFileSync(join(FIXTURES, "host-sqlite", "src/db.js"), "utf8"));
    expect(wired).toContain('// monwire:begin database-import\nconst { monitorDatabase } = require("monwire/runtime");\n// monwire:end database-import');
    expect(wired).toContain("// monwire:begin database\nmonitorDatabase(db);\n// monwire:end database");
  });

  it("counts queries per verb and tenant and errors by SQLite code", async () => {
    const started = await startScript(app, "start", { DATABASE_FILE: join(app, "shop.db") });
    try {
      const call = async (method: string, path: string, tenant: string, body?: unknown) => {
        const response = await fetch(`${started.url}${path}`, {
          method,
          headers: { "x-shop": tenant, ...(body ? { "content-type": "application/json" } : {}) },
          ...(body ? { body: JSON.stringify(body) } : {}),
        });
        await response.arrayBuffer();
        return response.status;
      };
      expect(await call("POST", "/api/branches", "EUR", { name: "sarajevo" })).toBe(201);
      // The canary is a SQL parameter only: the branch rule init proposes records the name, not the parent.
      expect(await call("POST", "/api/branches", "EUR", { name: "kiseljak", parent: CANARY })).toBe(201);
      expect(await call("GET", "/api/branches/1", "EUR")).toBe(200);
      expect(await call("GET", "/api/branches", "EUR")).toBe(200);
      expect(await call("POST", "/api/branches", "KM", { name: "mostar" })).toBe(201);
      expect(await call("POST", "/api/branches", "KM", { name: "mostar" })).toBe(500);
      expect(await call("DELETE", "/api/branches/2", "KM")).toBe(204);
      expect(await call("GET", "/api/branches/3", "KM")).toBe(200);

      const body = await (await fetch(`${started.url}/metrics`)).text();
      const exposition = parseExposition(body);
      expect(Object.fromEntries(seriesOf(exposition, "db_query_duration_seconds_count"))).toEqual({
        // CREATE TABLE at startup runs outside any request; db.pragma() goes to the native
        // handle directly and is not a query monwire sees.
        "operation=other,tenant=none": 1,
        "operation=insert,tenant=EUR": 2, "operation=select,tenant=EUR": 2,
        "operation=insert,tenant=KM": 2, "operation=delete,tenant=KM": 1, "operation=select,tenant=KM": 1,
      });
      expect(Object.fromEntries(seriesOf(exposition, "db_query_errors_total"))).toEqual({ "code=sqlite_constraint,operation=insert,tenant=KM": 1 });
      expect(sampleValue(exposition, "database_up")).toBe(1);
      // No pool: no pool gauges.
      expect(body).not.toContain("db_pool_");
      expect(body).not.toContain(CANARY);
      const logs = join(app, "logs");
      if (existsSync(logs)) for (const file of readdirSync(logs)) expect(readFileSync(join(logs, file), "utf8")).not.toContain(CANARY);

      // mon check knows a database is configured: the catalog check expects the database families
      // (not the pool gauges of a client without a pool) and finds them.
      const check = await runMon(["check", "--only", "metrics", "--url", `${started.url}/metrics`, "--json"], { cwd: app });
      const report = JSON.parse(String(check.stdout)) as { checks: Array<{ id: string; status: string; summary: string }> };
      expect(report.checks.find((c) => c.id === "metrics.catalog"), String(check.stdout)).toMatchObject({ status: "pass" });
    } finally {
      await started.stop();
    }
  }, 60_000);

  it("changes nothing on a second run, and uninstall restores the business files byte for byte", async () => {
    const again = await runMon([...INIT_ARGS, "--skip-install", "--monwire-from", await packMonwire()], { cwd: app });
    expect(again.exitCode, String(again.stderr)).toBe(0);
    expect(String(again.stdout)).toContain("already set up — nothing to do");
    const removed = await runMon(["uninstall", "--yes", "--skip-install"], { cwd: app, env: { CI: "true" } });
    expect(removed.exitCode, `${removed.stdout}\n${removed.stderr}`).toBe(0);
    for (const file of ["src/db.js", "src/server.js"]) {
      expect(readFileSync(join(app, file), "utf8"), file).toBe(readFileSync(join(FIXTURES, "host-sqlite", file), "utf8"));
    }
  }, 60_000);
});
