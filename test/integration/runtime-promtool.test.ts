import { spawnSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CATALOG, PROMLINT_ALLOWLIST } from "../../src/metrics/catalog.js";
import { parseExposition } from "../helpers/exposition.js";
import { promtoolAvailable } from "../helpers/promtool.js";
import { startRuntimeApp, type RuntimeApp } from "../helpers/runtime-app.js";

// Locally without promtool this skips; with CI=true promtoolAvailable() throws, failing the run.
const hasPromtool = promtoolAvailable();

describe.skipIf(!hasPromtool)("promtool check metrics on a real scrape", () => {
  let app: RuntimeApp;
  beforeAll(async () => {
    app = await startRuntimeApp({ expressPkg: "express", env: { MONWIRE_METRICS_TOKEN: "" } });
    const post = (path: string, body: unknown) =>
      fetch(app.url + path, { method: "POST", headers: { "content-type": "application/json", "x-shop": "KM" }, body: JSON.stringify(body) });
    // One of everything, so every family has samples for promtool to look at.
    for (const response of await Promise.all([
      fetch(`${app.url}/api/licenses/1`, { headers: { "x-shop": "EUR" } }),
      fetch(`${app.url}/api/boom`),
      fetch(`${app.url}/nowhere`),
      post("/api/login", { user: "ana", password: "correct" }),
      post("/api/shops/KM/wallet/deposit", { amountMinor: 990 }),
      post("/api/licenses", { product: "pro", count: 2 }),
      post("/api/branches", { id: "mostar" }),
    ])) {
      await response.arrayBuffer();
    }
  });
  afterAll(async () => app?.cleanup());

  it("reports nothing but the documented nodejs_active_*_total exceptions", async () => {
    const body = await (await fetch(`${app.url}/metrics`)).text();
    const families = parseExposition(body).types;
    // This app passes a hand-written databaseProbe and has no pool: the pool gauges are served only
    // for a pool registered with monitorDatabase() (linted in init-db-pg.test.ts).
    for (const entry of CATALOG.filter((e) => !e.name.startsWith("db_pool_"))) expect(families.get(entry.name), entry.name).toBe(entry.type);
    expect(families.has("process_cpu_user_seconds_total")).toBe(true);

    const result = spawnSync("promtool", ["check", "metrics"], { input: body, encoding: "utf8" });
    const findings = `${result.stdout}${result.stderr}`.split("\n").filter((line) => line.trim() !== "");
    const unexpected = findings.filter((line) => !(PROMLINT_ALLOWLIST as readonly string[]).includes(line.split(" ")[0] as string));
    expect(unexpected).toEqual([]);
    // promtool exits 3 for lint findings and 1 for a parse error; a parse error must never happen.
    expect(findings.length === 0 ? [0] : [3]).toContain(result.status);
  });
});
