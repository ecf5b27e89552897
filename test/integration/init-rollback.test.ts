import { afterEach, describe, expect, it } from "vitest";
import { copyFixture, runMon } from "../helpers/cli.js";
import { hashTree } from "../helpers/host-app.js";

// A failed install must not leave a half-initialised app (imports of a package that is not
// there crash it at start): init puts every file back and says what to run.
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

describe("mon init when the install fails", () => {
  it("rolls every file back (byte-identical tree, no lockfile left) and names the commands to run", async () => {
    const { dir: app, cleanup } = await copyFixture("host-js-esm");
    cleanups.push(cleanup);
    const original = hashTree(app, ["node_modules"]);
    const result = await runMon(
      ["init", "--yes", "--tenants", "EUR", "--tenant-from", "header:x-shop", "--monwire-from", "./no-such-monwire.tgz"],
      // An unreachable registry and a missing tarball: the install fails, fast and offline.
      { cwd: app, env: { npm_config_registry: "http://127.0.0.1:9/", npm_config_fetch_retries: "0", npm_config_fetch_timeout: "2000" }, timeout: 120_000 },
    );
    expect(result.exitCode, `${result.stdout}\n${result.stderr}`).toBe(1);
    const stdout = String(result.stdout);
    expect(stdout).toMatch(/install failed: `npm install --no-audit --no-fund` exited \d+/);
    expect(stdout).toMatch(/rolled back: all \d+ file\(s\) init wrote were put back/);
    expect(stdout).toContain("the same `mon init` with --skip-install");
    expect(stdout).toContain("then `npm install`");
    expect(stdout).not.toContain("Next steps");
    expect(hashTree(app, ["node_modules"])).toEqual(original);

    const json = await runMon(
      ["init", "--yes", "--json", "--tenants", "EUR", "--tenant-from", "header:x-shop", "--monwire-from", "./no-such-monwire.tgz"],
      { cwd: app, env: { npm_config_registry: "http://127.0.0.1:9/", npm_config_fetch_retries: "0" }, timeout: 120_000 },
    );
    const doc = JSON.parse(String(json.stdout)) as { status: string; exitCode: number; unrestored: string[] };
    expect(doc).toMatchObject({ status: "rolled-back", exitCode: 1, unrestored: [] });
    expect(hashTree(app, ["node_modules"])).toEqual(original);
  }, 180_000);
});
