import { execa } from "execa";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { copyFixture, makeTempDir, runMon } from "../helpers/cli.js";
import { hashTree } from "../helpers/host-app.js";

// What `mon init` refuses, and how it says so: exit 2 for usage (missing or bad answers), exit 3
// for projects it cannot wire, always with a Fix line and without touching a file.
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

describe("unsupported projects and missing answers", () => {
  async function project(files: Record<string, string | undefined>): Promise<string> {
    const { dir, cleanup } = await makeTempDir("monwire-init-");
    cleanups.push(cleanup);
    for (const [path, content] of Object.entries(files)) {
      if (content === undefined) continue;
      mkdirSync(join(dir, path, ".."), { recursive: true });
      writeFileSync(join(dir, path), content);
    }
    return dir;
  }
  const app = 'const express = require("express");\nconst app = express();\napp.listen(3000);\n';

  it.each([
    { name: "no package.json", files: {}, extra: [], code: 2, message: "no package.json" },
    { name: "no express dependency", files: { "package.json": '{"name":"x"}' }, extra: [], code: 3, message: "does not depend on express" },
    { name: "Express 3", files: { "package.json": '{"name":"x","dependencies":{"express":"^3.21.0"}}', "index.js": app }, extra: [], code: 3, message: "Express 3 is not supported" },
    { name: "no file creates an app", files: { "package.json": '{"name":"x","dependencies":{"express":"^5.1.0"}}', "index.js": "console.log(1);\n" }, extra: [], code: 3, message: "no file creating an Express app" },
    { name: "--entry that does not exist", files: { "package.json": '{"name":"x","dependencies":{"express":"^5.1.0"}}' }, extra: ["--entry", "nope.js"], code: 2, message: "--entry nope.js: no such file" },
    { name: "--entry without express()", files: { "package.json": '{"name":"x","dependencies":{"express":"^5.1.0"}}', "lib.js": "module.exports = 1;\n" }, extra: ["--entry", "lib.js"], code: 3, message: "does not create an Express app" },
  ])("$name → exit $code", async ({ files, extra, code, message }) => {
    const dir = await project(files);
    const before = hashTree(dir, []);
    const result = await runMon(["init", "--yes", "--skip-install", ...extra], { cwd: dir });
    expect(result.exitCode).toBe(code);
    expect(result.stderr).toContain(message);
    expect(result.stderr).toContain("Fix:");
    expect(hashTree(dir, [])).toEqual(before);
  });

  it.each([
    [[], "--tenants EUR,KM"],
    [["--tenants", "EUR"], "--tenant-from"],
    [["--tenants", "EUR", "--tenant-from", "cookie:shop"], "--tenant-from"],
    [["--yes", "--port", "70000"], "--port"],
    [["--yes", "--no-sentry", "--no-metrics", "--no-audit"], "nothing to set up"],
  ])("non-interactive %j fails with exit 2 naming %s", async (args, named) => {
    const dir = await project({ "package.json": '{"name":"x","dependencies":{"express":"^5.1.0"}}', "index.js": app });
    const before = hashTree(dir, []);
    const result = await runMon(["init", "--skip-install", ...args], { cwd: dir });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(named);
    expect(hashTree(dir, [])).toEqual(before);
  });

  it("warns about uncommitted changes in the git work tree", async () => {
    const { dir, cleanup } = await copyFixture("host-js-esm");
    cleanups.push(cleanup);
    const git = (...args: string[]) => execa("git", ["-c", "user.email=t@example.com", "-c", "user.name=t", ...args], { cwd: dir });
    await git("init", "-q");
    await git("add", ".");
    await git("commit", "-qm", "app");
    writeFileSync(join(dir, "src", "api.js"), "// work in progress\n", { flag: "a" });
    const result = await runMon(["init", "--yes", "--tenants", "EUR", "--tenant-from", "subdomain", "--skip-install", "--dry-run"], { cwd: dir });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain("warning: the git work tree has 1 uncommitted change(s) (src/api.js)");
  });

  it("--json prints one document with the plan and the result", async () => {
    const { dir: app, cleanup } = await copyFixture("host-js-cjs");
    cleanups.push(cleanup);
    const result = await runMon(["init", "--yes", "--tenants", "EUR", "--tenant-from", "subdomain", "--skip-install", "--json"], { cwd: app });
    expect(result.exitCode).toBe(0);
    const doc = JSON.parse(String(result.stdout)) as { status: string; plan: { changes: Array<{ path: string; kind: string; diff?: string }> } };
    expect(doc.status).toBe("applied");
    const entry = doc.plan.changes.find((c) => c.path === "server.js");
    expect(entry?.kind).toBe("update");
    expect(entry?.diff).toContain("+// monwire:begin instrument");
    expect(existsSync(join(app, ".monwire", "manifest.json"))).toBe(true);
  });
});
