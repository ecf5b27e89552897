import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTempDir, runMon } from "../helpers/cli.js";
import { prometheusAvailable, startPrometheus, type PrometheusServer } from "../helpers/prometheus.js";
import { SHOP_CONFIG, startRuntimeApp, type RuntimeApp } from "../helpers/runtime-app.js";

// Prometheus' history of audit_chain_head_seq{writer} as the witness of each chain's head: a real
// app writes its trail, a real Prometheus (Debian's) scrapes it, and `mon verify --witness
// prometheus=URL` must notice entries deleted from the end of the trail, which nothing in the
// trail itself can. Skips locally without prometheus; fails in CI (CI=true) without it.
const available = prometheusAvailable();

describe.skipIf(!available)("mon verify --witness prometheus=URL", () => {
  let app: RuntimeApp;
  let prometheus: PrometheusServer;
  let promDir: Awaited<ReturnType<typeof makeTempDir>>;
  let logs: string;

  beforeAll(async () => {
    app = await startRuntimeApp({ config: SHOP_CONFIG });
    logs = join(app.dir, "logs");
    for (let i = 0; i < 5; i++) {
      const response = await fetch(`${app.url}/api/login`, { method: "POST", headers: { "content-type": "application/json", "x-shop": "KM" }, body: JSON.stringify({ user: `u${i}`, password: "wrong" }) });
      expect(response.status).toBe(401);
    }
    promDir = await makeTempDir("monwire-witness-prom-");
    const host = new URL(app.url).host;
    prometheus = await startPrometheus({
      dir: promDir.dir,
      configYaml: `global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: shop\n    static_configs:\n      - targets: ["${host}"]\n`,
    });
    await prometheus.waitForScrape(new Date(), 30_000);
    const heads = await prometheus.query("audit_chain_head_seq");
    expect(heads.length).toBe(1);
  }, 60_000);

  afterAll(async () => {
    await prometheus?.stop();
    await app?.cleanup();
    await promDir?.cleanup();
  });

  it("passes the intact trail and flags one whose newest entries were deleted", async () => {
    const verify = (extra: string[]) => runMon(["verify", "--dir", logs, "--witness", `prometheus=${prometheus.url}`, ...extra], { env: { MONWIRE_AUDIT_KEY: "" } });
    const intact = await verify([]);
    expect(intact.exitCode, String(intact.stdout) + String(intact.stderr)).toBe(0);
    expect(String(intact.stdout)).toMatch(/^witness\s+valid — the trail reaches the head the witness saw \(1 writer\(s\)\)/m);

    const [file] = (await readdir(logs)).filter((n) => n.endsWith(".log"));
    const path = join(logs, file as string);
    const lines = (await readFile(path, "utf8")).split("\n").filter(Boolean);
    await writeFile(path, `${lines.slice(0, -2).join("\n")}\n`);
    // Two entries cut from the end of an unsealed day: the trail alone cannot tell.
    expect((await runMon(["verify", "--dir", logs], { env: { MONWIRE_AUDIT_KEY: "" } })).exitCode).toBe(0);
    const truncated = await verify(["--witness-selector", '{job="shop"}']);
    expect(truncated.exitCode).toBe(1);
    expect(String(truncated.stdout)).toMatch(/^witness\s+INVALID: writer [0-9a-f]{12} ends at seq \d+, but the witness saw seq \d+: its newest 2 entries were deleted/m);
  }, 60_000);

  it("says what is wrong when Prometheus does not answer (exit 2)", async () => {
    const result = await runMon(["verify", "--dir", logs, "--witness", "prometheus=http://127.0.0.1:1"], { env: { MONWIRE_AUDIT_KEY: "" } });
    expect(result.exitCode).toBe(2);
    expect(String(result.stderr)).toMatch(/Prometheus at http:\/\/127\.0\.0\.1:1 did not answer the witness query/);
  });
});
