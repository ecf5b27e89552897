import { execa } from "execa";
import { cpSync, existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FIXTURES, makeTempDir, REPO_ROOT } from "../helpers/cli.js";
import { startScript } from "../helpers/host-app.js";

/**
 * The README as a new user follows it: a fresh clone (of this commit), its Quick start
 * (`npm ci`, `npm run demo`), then "In your app" on a new Express app with the clone packed
 * (`npm pack`) and given by a relative path — a real install, the app started, `mon check
 * --strict` against it. Each step's exit code and key lines are asserted.
 */
// `npm ci` in the clone compiles better-sqlite3 (a devDependency of the database tests) from source
// when no prebuilt binary can be downloaded: minutes on a busy 2-core host.
const run = (file: string, args: string[], cwd: string, env: Record<string, string> = {}) =>
  execa(file, args, { cwd, reject: false, env: { FORCE_COLOR: "0", NO_COLOR: "1", CI: "true", ...env }, timeout: 600_000 });

let root: string;
let cleanup: () => Promise<void>;
let clone: string;

beforeAll(async () => {
  const temp = await makeTempDir("monwire-readme-");
  root = temp.dir;
  cleanup = temp.cleanup;
  clone = join(root, "monwire");
  const cloned = await run("git", ["clone", "-q", REPO_ROOT, clone], root);
  expect(cloned.exitCode, String(cloned.stderr)).toBe(0);
}, 60_000);

afterAll(async () => cleanup?.());

describe("the README from a fresh clone", () => {
  it("Quick start: npm ci && npm run demo", async () => {
    const ci = await run("npm", ["ci", "--no-audit", "--no-fund", "--prefer-offline"], clone);
    expect(ci.exitCode, String(ci.stderr)).toBe(0);
    const demo = await run("npm", ["run", "demo", "--", "--duration", "1"], clone, { TMPDIR: root });
    expect(demo.exitCode, `${demo.stdout}\n${demo.stderr}`).toBe(0);
    const out = String(demo.stdout);
    for (const heading of ["1. mon check", "2. mon report (today, UTC)", "3. mon verify", "4. Sentry", "5. Where everything lives"]) expect(out).toContain(heading);
    expect(out).toMatch(/entries — intact/);
    expect(out).toContain(`Report (HTML)    ${join(root, "monwire-demo-report.html")}`);
    // The demo removed its temporary directory; only the report stays.
    expect(readdirSync(root).filter((n) => n.startsWith("monwire-demo-"))).toEqual(["monwire-demo-report.html"]);
  }, 900_000);

  it("In your app (after the Quick start built the clone): init from the packed clone by a relative path, install, start, check --strict", async () => {
    expect(existsSync(join(clone, "dist", "cli", "main.js")), "the Quick start step builds the clone; run the whole file").toBe(true);
    const packed = await run("npm", ["pack", "--pack-destination", root], clone);
    expect(packed.exitCode, String(packed.stderr)).toBe(0);
    const tarball = String(packed.stdout).trim().split("\n").at(-1) as string;
    expect(tarball).toMatch(/^monwire-\d+\.\d+\.\d+\.tgz$/);
    const app = join(root, "shop");
    cpSync(join(FIXTURES, "host-js-esm"), app, { recursive: true });
    const init = await run(process.execPath, [join(clone, "bin", "mon.js"), "init", "--yes", "--tenants", "EUR,KM", "--tenant-from", "header:x-shop", "--monwire-from", `../${tarball}`], app,
      { npm_config_prefer_offline: "true" });
    expect(init.exitCode, `${init.stdout}\n${init.stderr}`).toBe(0);
    expect(String(init.stdout)).toMatch(/done: \d+ created, \d+ updated/);
    expect(String(init.stdout)).toContain("Next steps");
    expect(JSON.parse(readFileSync(join(app, "package.json"), "utf8")).dependencies.monwire).toBe(`file:../${tarball}`);
    expect(existsSync(join(app, "node_modules", "monwire", "dist", "runtime", "index.js"))).toBe(true);
    const started = await startScript(app, "start", {});
    try {
      const check = await run("npx", ["monwire", "check", "--strict", "--only", "metrics", "--url", `${started.url}/metrics`], app);
      expect(String(check.stdout)).toMatch(/✓ scrape http:\/\/127\.0\.0\.1:\d+\/metrics — HTTP 200/);
      const json = await run("npx", ["monwire", "check", "--strict", "--only", "metrics", "--json", "--url", `${started.url}/metrics`], app);
      const report = JSON.parse(String(json.stdout)) as { checks: Array<{ id: string; status: string; findings: Array<{ family?: string }> }> };
      expect(report.checks.map((c) => c.id)).toEqual(["metrics.scrape", "metrics.content-type", "metrics.parse", "metrics.promlint", "metrics.rules", "metrics.catalog"]);
      // This app has no database, so nothing about a database is asked of it: every check passes.
      expect(report.checks.filter((c) => c.status !== "pass"), `${check.stdout}`).toEqual([]);
      expect(check.exitCode, `${check.stdout}\n${check.stderr}`).toBe(0);
    } finally {
      await started.stop();
    }
  }, 300_000);
});
