import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTempDir, runMon } from "../helpers/cli.js";
import { freePort } from "../helpers/cluster-app.js";
import { SHOP_CONFIG, startRuntimeApp, type RuntimeApp } from "../helpers/runtime-app.js";

/**
 * `mon check` over several instances: repeated --url or a file_sd targets file. Two real runtime
 * apps answer, a third target has nothing listening: each instance gets its own checks, named by
 * host, and the one that is down fails the run.
 */
interface JsonCheck {
  id: string;
  title: string;
  status: string;
}

describe("mon check over several instances", () => {
  const apps: RuntimeApp[] = [];
  let project: { dir: string; cleanup: () => Promise<void> };
  let hosts: string[];
  let downHost: string;

  beforeAll(async () => {
    apps.push(await startRuntimeApp({}), await startRuntimeApp({}));
    for (const app of apps) await fetch(`${app.url}/api/licenses/7`, { headers: { "x-shop": "KM" } }).then((r) => r.arrayBuffer());
    hosts = apps.map((a) => new URL(a.url).host);
    downHost = `127.0.0.1:${await freePort()}`;
    project = await makeTempDir("monwire-check-targets-");
    await writeFile(join(project.dir, "mon.config.json"), JSON.stringify(SHOP_CONFIG));
  }, 60000);
  afterAll(async () => {
    for (const app of apps) await app.cleanup();
    await project?.cleanup();
  });

  const check = async (args: string[]) => {
    const result = await runMon(["check", "--only", "metrics", "--json", ...args], { cwd: project.dir });
    const report = JSON.parse(String(result.stdout)) as { checks: JsonCheck[] };
    return { exitCode: result.exitCode, checks: report.checks };
  };

  it("repeated --url checks each instance and passes when all are healthy", async () => {
    const { exitCode, checks } = await check(hosts.flatMap((h) => ["--url", `http://${h}/metrics`]));
    for (const host of hosts) {
      const scrape = checks.find((c) => c.id === `metrics.scrape@${host}`);
      expect(scrape?.status, host).toBe("pass");
      expect(scrape?.title).toContain(host);
      expect(checks.find((c) => c.id === `metrics.catalog@${host}`)?.status).toBe("pass");
    }
    expect(exitCode).toBe(0);
  }, 60000);

  it("--targets reads a file_sd file: a target that is down fails the run and is named", async () => {
    const file = join(project.dir, "targets.json");
    await writeFile(file, JSON.stringify([{ targets: hosts, labels: { service: "shop" } }, { targets: [downHost] }]));
    const { exitCode, checks } = await check(["--targets", "targets.json"]);
    expect(exitCode).toBe(1);
    for (const host of hosts) expect(checks.find((c) => c.id === `metrics.scrape@${host}`)?.status).toBe("pass");
    expect(checks.find((c) => c.id === `metrics.scrape@${downHost}`)?.status).toBe("fail");
  }, 60000);

  it("a broken targets file is a usage error (exit 2) that says what is wrong", async () => {
    await writeFile(join(project.dir, "bad.json"), JSON.stringify([{ targets: ["http://10.0.0.1:5000/metrics"] }]));
    const result = await runMon(["check", "--only", "metrics", "--targets", "bad.json"], { cwd: project.dir });
    expect(result.exitCode).toBe(2);
    expect(String(result.stderr)).toContain('group 1 needs "targets": a list of "host:port" strings');
    const both = await runMon(["check", "--url", `http://${hosts[0]}/metrics`, "--targets", "bad.json"], { cwd: project.dir });
    expect(both.exitCode).toBe(2);
  }, 60000);
});
