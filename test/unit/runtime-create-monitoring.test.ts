import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createMonitoring, type MonitoringOptions } from "../../src/runtime/create-monitoring.js";
import { addErrorObserver, createErrorHandler, REQUEST_STATE } from "../../src/runtime/error-handler.js";
import { findConfigFile } from "../../src/config/load.js";
import { makeTempDir } from "../helpers/cli.js";

describe("createMonitoring options", () => {
  it.each([
    [{ tenantResolve: () => "EUR" }, 'option "tenantResolve" is unknown'],
    [{ tenantResolver: "header" }, 'option "tenantResolver" must be a function'],
    [{ databaseProbe: true }, 'option "databaseProbe" must be a function'],
    [{ cwd: "" }, 'option "cwd" must be a non-empty string'],
    [{ config: {}, configPath: "mon.config.json" }, 'option "configPath" cannot be combined with "config"'],
    [{ sessionSource: 42 }, 'option "sessionSource" must be a session store'],
    [{ actorResolver: "req.user" }, 'option "actorResolver" must be a function'],
  ])("%j → %s", (options, message) => {
    expect(() => createMonitoring(options as unknown as MonitoringOptions)).toThrow(expect.objectContaining({ code: "E_OPTION_INVALID", message: expect.stringContaining(message) }));
  });

  it("validates an inline config with path-precise issues", () => {
    expect(() => createMonitoring({ config: { metrics: { buckets: [1, 0.5] }, tenants: { from: "cookie:x" as never } } })).toThrow(
      expect.objectContaining({
        code: "E_CONFIG_INVALID",
        issues: expect.arrayContaining([expect.objectContaining({ path: "metrics.buckets" }), expect.objectContaining({ path: "tenants.from" })]),
      }),
    );
  });
});

describe("createMonitoring config loading", () => {
  let temp: Awaited<ReturnType<typeof makeTempDir>>;
  beforeEach(async () => {
    temp = await makeTempDir();
  });
  afterEach(async () => temp.cleanup());

  it("finds mon.config.json by walking up from cwd, and resolves relative paths against its directory", async () => {
    await writeFile(join(temp.dir, "mon.config.json"), JSON.stringify({ service: "shop", metrics: { path: "/internal/metrics" } }));
    const nested = join(temp.dir, "server", "src");
    await mkdir(nested, { recursive: true });
    const monitoring = createMonitoring({ cwd: nested });
    expect(monitoring.config.service).toBe("shop");
    expect(monitoring.config.metrics.path).toBe("/internal/metrics");
    expect(monitoring.root).toBe(temp.dir);
    await monitoring.close();
  });

  it("uses the defaults when there is no config file anywhere up the tree", async (context) => {
    if (findConfigFile(temp.dir)) context.skip();
    const monitoring = createMonitoring({ cwd: temp.dir });
    expect(monitoring.config.service).toBe("app");
    expect(monitoring.root).toBe(temp.dir);
    await monitoring.close();
  });

  it("reports a broken config file with its path", async () => {
    await writeFile(join(temp.dir, "mon.config.json"), '{"service": "x",}');
    expect(() => createMonitoring({ cwd: temp.dir })).toThrow(expect.objectContaining({ code: "E_CONFIG_PARSE" }));
  });
});

describe("monitoring endpoints", () => {
  it("mounts the scrape handler at metrics.path on the app when no separate port is configured", () => {
    const mounted: string[] = [];
    const monitoring = createMonitoring({ config: { metrics: { path: "/m" }, audit: { enabled: false } } });
    monitoring.mountMetrics({ get: (path) => mounted.push(path) });
    expect(mounted).toEqual(["/m"]);
  });

  it("starts and closes a separate metrics server on loopback", async () => {
    const monitoring = createMonitoring({ config: { metrics: { tokenEnv: "MONWIRE_TEST_UNSET_TOKEN" }, audit: { enabled: false } } });
    const server = await monitoring.startMetricsServer({ port: 0 });
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const response = await fetch(server.url);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain("http_requests_total");
    await monitoring.close();
    await monitoring.close();
    await expect(fetch(server.url)).rejects.toThrow();
  });
});

describe("errorHandler", () => {
  it("marks the request as an exception, tells every observer, survives a throwing one, and passes the error on", () => {
    const seen: unknown[] = [];
    const removeThrowing = addErrorObserver(() => {
      throw new Error("observer broke");
    });
    const remove = addErrorObserver((error) => seen.push(error));
    const state = { exception: false };
    const req = { [REQUEST_STATE]: state } as never;
    const error = new Error("boom");
    let passed: unknown;
    createErrorHandler()(error, req, {} as never, (e) => (passed = e));
    remove();
    removeThrowing();
    expect(state.exception).toBe(true);
    expect(seen).toEqual([error]);
    expect(passed).toBe(error);
  });
});

describe("createMonitoring route rules", () => {
  let temp: Awaited<ReturnType<typeof makeTempDir>>;
  beforeEach(async () => {
    temp = await makeTempDir();
  });
  afterEach(async () => temp.cleanup());

  it("keeps the valid rules on, reports the broken ones with their paths, and opens the audit trail at once", async () => {
    const monitoring = createMonitoring({
      cwd: temp.dir,
      config: {
        audit: { dir: "logs" },
        events: { "POST /api/login": { event: "login" }, "POST /api/x": { event: "wallet.deposit", amount: "body..amount" } },
      },
    });
    try {
      expect(monitoring.rules.active.map((r) => r.key)).toEqual(["POST /api/login"]);
      expect(monitoring.rules.problems).toEqual([{ path: 'events["POST /api/x"].amount', message: expect.stringContaining("malformed path") }]);
      expect(monitoring.rules.unseen()).toEqual(["POST /api/login"]);
      expect(monitoring.rules.sessions).toBe("events");
      await monitoring.audit?.flush();
      const { readdir, readFile } = await import("node:fs/promises");
      const files = await readdir(join(temp.dir, "logs"));
      expect(files).toHaveLength(1);
      const first = JSON.parse((await readFile(join(temp.dir, "logs", files[0] as string), "utf8")).split("\n")[0] as string);
      expect(first).toMatchObject({ action: "audit.chain.started", seq: 1 });
    } finally {
      await monitoring.close();
    }
  });
});
