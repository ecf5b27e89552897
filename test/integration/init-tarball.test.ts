import { execa } from "execa";
import { copyFileSync, existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyFixture, makeTempDir } from "../helpers/cli.js";
import { hashTree, packMonwire } from "../helpers/host-app.js";

// The CLI installed from a packed tarball (not a checkout, not the registry): init gives the app
// that same build, copied to .monwire/ and named by a relative file: path, and the install works.
const VERSION = (JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }).version;
const BUNDLE = `.monwire/monwire-${VERSION}.tgz`;
const INIT = ["init", "--yes", "--tenants", "EUR", "--tenant-from", "header:x-shop"];

let tool: string;
let tarball: string;
const cleanups: Array<() => Promise<void>> = [];

beforeAll(async () => {
  const temp = await makeTempDir("monwire-tool-");
  cleanups.push(temp.cleanup);
  tool = temp.dir;
  tarball = join(tool, `monwire-${VERSION}.tgz`);
  copyFileSync(await packMonwire(), tarball);
  const installed = await execa("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", `./monwire-${VERSION}.tgz`], { cwd: tool, reject: false, timeout: 240_000 });
  expect(installed.exitCode, String(installed.stderr)).toBe(0);
}, 300_000);

afterAll(async () => {
  await Promise.all(cleanups.map((cleanup) => cleanup()));
});

const monFromTool = (args: string[], cwd: string) => execa(process.execPath, [join(tool, "node_modules", "monwire", "bin", "mon.js"), ...args], {
  cwd, reject: false, timeout: 240_000, env: { CI: "true", NO_COLOR: "1", FORCE_COLOR: "0", npm_config_prefer_offline: "true" },
});

async function app(): Promise<string> {
  const { dir, cleanup } = await copyFixture("host-js-esm");
  cleanups.push(cleanup);
  return dir;
}

describe("mon init run from a tarball install", () => {
  it("installs that same build from .monwire/ by a relative path, says so, and uninstall takes it out", async () => {
    const dir = await app();
    const original = hashTree(dir, ["node_modules", "package-lock.json"]);
    const init = await monFromTool(INIT, dir);
    expect(init.exitCode, `${init.stdout}\n${init.stderr}`).toBe(0);
    expect(String(init.stderr)).toContain(`monwire runs from a tarball install (file:monwire-${VERSION}.tgz)`);
    expect(String(init.stderr)).toContain(`as "file:${BUNDLE}"`);
    expect(String(init.stdout)).toMatch(new RegExp(`CREATE\\s+${BUNDLE.replace(/[.]/g, "\\.")}`));
    const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { dependencies: Record<string, string> };
    expect(pkg.dependencies.monwire).toBe(`file:${BUNDLE}`);
    expect(readFileSync(join(dir, BUNDLE)).equals(readFileSync(tarball))).toBe(true);
    // The real install took it: the app's node_modules holds this build.
    expect(String(init.stdout)).toContain("installed with `npm install");
    const lock = JSON.parse(readFileSync(join(dir, "package-lock.json"), "utf8")) as { packages: Record<string, { resolved?: string }> };
    expect(lock.packages["node_modules/monwire"]?.resolved).toBe(`file:${BUNDLE}`);
    expect(existsSync(join(dir, "node_modules", "monwire", "dist", "runtime", "index.js"))).toBe(true);

    // A re-run (the same CLI, the app now depending on its copy) changes nothing.
    const again = await monFromTool(INIT, dir);
    expect(again.exitCode, `${again.stdout}\n${again.stderr}`).toBe(0);
    expect(String(again.stdout)).toContain("already set up — nothing to do");

    const removed = await monFromTool(["uninstall", "--yes", "--skip-install"], dir);
    expect(removed.exitCode, `${removed.stdout}\n${removed.stderr}`).toBe(0);
    expect(existsSync(join(dir, ".monwire"))).toBe(false);
    expect(hashTree(dir, ["node_modules", "package-lock.json"])).toEqual(original);
  }, 300_000);

  it("packs the running build when the tarball it came from is gone", async () => {
    const dir = await app();
    rmSync(tarball);
    const init = await monFromTool([...INIT, "--skip-install"], dir);
    expect(init.exitCode, `${init.stdout}\n${init.stderr}`).toBe(0);
    expect(String(init.stderr)).toMatch(/the app will depend on this same build, packed from .*node_modules\/monwire/);
    const listing = await execa("tar", ["tzf", join(dir, BUNDLE)]);
    expect(String(listing.stdout).split("\n")).toEqual(expect.arrayContaining(["package/package.json", "package/dist/cli/main.js", "package/bin/mon.js"]));
    expect(String(listing.stdout)).not.toContain("node_modules");
  }, 120_000);
});
