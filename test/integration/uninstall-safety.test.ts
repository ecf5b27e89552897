import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { copyFixture, runMon } from "../helpers/cli.js";
import { hashTree } from "../helpers/host-app.js";

// What uninstall must not break: a generated file the user's own code imports stays (CONFLICT,
// nothing removed), and the audit directory it keeps on disk stays out of git.
const INIT = ["init", "--yes", "--tenants", "EUR", "--tenant-from", "header:x-shop", "--skip-install", "--monwire-from", "/opt/monwire.tgz"];
const UNINSTALL = ["uninstall", "--yes", "--skip-install"];

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

async function initialised(fixture: string): Promise<string> {
  const { dir, cleanup } = await copyFixture(fixture);
  cleanups.push(cleanup);
  const init = await runMon(INIT, { cwd: dir });
  expect(init.exitCode, `${init.stdout}\n${init.stderr}`).toBe(0);
  return dir;
}

describe("uninstall and the user's imports", () => {
  it("refuses (CONFLICT, exit 1, nothing removed) to delete a generated file that user code imports", async () => {
    const app = await initialised("host-js-esm");
    writeFileSync(join(app, "src", "extra.js"), '// my own helper\nimport { monitoring } from "./middleware/monitoring.js";\nexport const m = monitoring;\n');
    const before = hashTree(app, []);
    const removed = await runMon(UNINSTALL, { cwd: app });
    expect(removed.exitCode, `${removed.stdout}\n${removed.stderr}`).toBe(1);
    expect(String(removed.stdout)).toMatch(/CONFLICT\s+src\/middleware\/monitoring\.js.*imported by your code at src\/extra\.js:2/);
    expect(String(removed.stdout)).toContain("nothing was removed");
    expect(hashTree(app, [])).toEqual(before);

    const json = await runMon([...UNINSTALL, "--json"], { cwd: app });
    const doc = JSON.parse(String(json.stdout)) as { status: string; changes: Array<{ path: string; kind: string }> };
    expect(doc.status).toBe("conflicts");
    expect(doc.changes).toContainEqual(expect.objectContaining({ path: "src/middleware/monitoring.js", kind: "conflict" }));
  });

  it("finds require() importers in CommonJS and imports in TypeScript", async () => {
    const cjs = await initialised("host-js-cjs");
    writeFileSync(join(cjs, "lib.js"), 'const { monitoring } = require("./middleware/monitoring");\nmodule.exports = monitoring;\n');
    const cjsRun = await runMon(UNINSTALL, { cwd: cjs });
    expect(cjsRun.exitCode, String(cjsRun.stdout)).toBe(1);
    expect(String(cjsRun.stdout)).toMatch(/CONFLICT\s+middleware\/monitoring\.js.*lib\.js:1/);

    const ts = await initialised("host-ts-cjs");
    writeFileSync(join(ts, "src", "extra.ts"), 'import type {} from "node:fs";\nimport { monitoring } from "./middleware/monitoring";\nexport const m = monitoring;\n');
    const tsRun = await runMon(UNINSTALL, { cwd: ts });
    expect(tsRun.exitCode, String(tsRun.stdout)).toBe(1);
    expect(String(tsRun.stdout)).toMatch(/CONFLICT\s+src\/middleware\/monitoring\.ts.*src\/extra\.ts:2/);
  });

  it("--force deletes it anyway", async () => {
    const app = await initialised("host-js-esm");
    writeFileSync(join(app, "src", "extra.js"), 'import { monitoring } from "./middleware/monitoring.js";\nexport const m = monitoring;\n');
    const removed = await runMon([...UNINSTALL, "--force"], { cwd: app });
    expect(removed.exitCode, String(removed.stdout)).toBe(0);
    expect(existsSync(join(app, "src", "middleware", "monitoring.js"))).toBe(false);
  });
});

describe("uninstall and .gitignore", () => {
  it("keeps /logs/ ignored while the audit directory exists, and says so", async () => {
    const app = await initialised("host-js-esm");
    expect(readFileSync(join(app, ".gitignore"), "utf8")).toContain("/logs/");
    mkdirSync(join(app, "logs"));
    writeFileSync(join(app, "logs", "audit-2026-12-03.jsonl"), "{}\n");
    const removed = await runMon(UNINSTALL, { cwd: app });
    expect(removed.exitCode, `${removed.stdout}\n${removed.stderr}`).toBe(0);
    const ignore = readFileSync(join(app, ".gitignore"), "utf8");
    expect(ignore.split("\n")).toContain("/logs/");
    expect(ignore).not.toContain("monwire:");
    expect(ignore).not.toContain(".env");
    expect(String(removed.stdout)).toContain('.gitignore: "/logs/" stays');
    expect(existsSync(join(app, "logs", "audit-2026-12-03.jsonl"))).toBe(true);
  });

  it("removes the line when the directory is gone", async () => {
    const app = await initialised("host-js-esm");
    const removed = await runMon(UNINSTALL, { cwd: app });
    expect(removed.exitCode).toBe(0);
    expect(existsSync(join(app, ".gitignore"))).toBe(false);
  });
});
