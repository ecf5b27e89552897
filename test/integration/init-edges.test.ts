import { lstatSync, readFileSync, readlinkSync, renameSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { copyFixture, makeTempDir, REPO_ROOT, runMon } from "../helpers/cli.js";
import { hashTree, startScript } from "../helpers/host-app.js";

/**
 * init/uninstall on a real fixture copy (JavaScript ESM + Express 5, which runs without a build):
 * a symlinked entry file, and uninstall after the user edited one of monwire's regions.
 */
const ARGS = ["init", "--yes", "--tenants", "EUR,KM", "--tenant-from", "header:x-shop", "--skip-install", "--monwire-from", "/opt/monwire.tgz"];
const ENTRY = "src/server.js";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

async function fixtureCopy(): Promise<string> {
  const { dir, cleanup } = await copyFixture("host-js-esm");
  cleanups.push(cleanup);
  return dir;
}

const text = (result: { stdout: unknown; stderr: unknown }) => `${String(result.stdout)}\n${String(result.stderr)}`;

describe("a symlinked entry file", () => {
  it("is followed inside the project: the target gets monwire's regions and the link stays a link, through init and uninstall", async () => {
    const app = await fixtureCopy();
    renameSync(join(app, ENTRY), join(app, "src/real-server.js"));
    symlinkSync("real-server.js", join(app, ENTRY));
    const original = readFileSync(join(app, "src/real-server.js"), "utf8");

    const init = await runMon(ARGS, { cwd: app });
    expect(init.exitCode, text(init)).toBe(0);
    expect(lstatSync(join(app, ENTRY)).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(app, ENTRY))).toBe("real-server.js");
    expect(readFileSync(join(app, "src/real-server.js"), "utf8")).toContain("// monwire:begin middleware");
    expect(String(init.stdout)).toMatch(/src\/server\.js.*symlink.*src\/real-server\.js/);

    const removed = await runMon(["uninstall", "--yes", "--skip-install"], { cwd: app });
    expect(removed.exitCode, text(removed)).toBe(0);
    expect(lstatSync(join(app, ENTRY)).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(app, "src/real-server.js"), "utf8")).toBe(original);
  });

  it("is refused when it leads outside the project: exit 3, the reason and a fix, nothing written", async () => {
    const app = await fixtureCopy();
    const outside = await makeTempDir("monwire-outside-");
    cleanups.push(outside.cleanup);
    const target = join(outside.dir, "server.js");
    writeFileSync(target, readFileSync(join(app, ENTRY)));
    const original = readFileSync(target, "utf8");
    symlinkSync(target, join(app, "src/linked.js"));
    renameSync(join(app, "src/linked.js"), join(app, ENTRY));
    const tree = hashTree(app, []);

    const init = await runMon(ARGS, { cwd: app });
    expect(init.exitCode, text(init)).toBe(3);
    expect(String(init.stderr)).toContain(`${ENTRY} is a symbolic link to ${target}, outside the project`);
    expect(String(init.stderr)).toMatch(/Fix: /);
    expect(readFileSync(target, "utf8")).toBe(original);
    expect(lstatSync(join(app, ENTRY)).isSymbolicLink()).toBe(true);
    expect(hashTree(app, [])).toEqual(tree);
  });
});

describe("uninstall after the user edited a marked region", () => {
  async function initAndEdit(): Promise<{ app: string; edited: string }> {
    const app = await fixtureCopy();
    const init = await runMon(ARGS, { cwd: app });
    expect(init.exitCode, text(init)).toBe(0);
    const entry = readFileSync(join(app, ENTRY), "utf8");
    const edited = entry.replace("monitoring.mountMetrics(app);", "monitoring.mountMetrics(app);\napp.use((_req, res, next) => { res.setHeader(\"x-edited\", \"1\"); next(); });");
    expect(edited).not.toBe(entry);
    writeFileSync(join(app, ENTRY), edited);
    return { app, edited };
  }

  it("never leaves the import removed and the region kept: CONFLICT, exit 1, nothing changed", async () => {
    const { app, edited } = await initAndEdit();
    const tree = hashTree(app, []);
    const removed = await runMon(["uninstall", "--yes", "--skip-install"], { cwd: app });
    expect(removed.exitCode, text(removed)).toBe(1);
    expect(String(removed.stdout)).toMatch(/CONFLICT\s+src\/server\.js/);
    expect(String(removed.stdout)).toMatch(/region "middleware"/);
    expect(String(removed.stdout)).toMatch(/nothing was removed/);
    expect(String(removed.stdout)).toMatch(/--force/);
    expect(readFileSync(join(app, ENTRY), "utf8")).toBe(edited);
    expect(hashTree(app, [])).toEqual(tree);
  });

  it("--force removes monwire's regions including the edited one, and the app starts", async () => {
    const { app } = await initAndEdit();
    const removed = await runMon(["uninstall", "--yes", "--skip-install", "--force"], { cwd: app });
    expect(removed.exitCode, text(removed)).toBe(0);
    const entry = readFileSync(join(app, ENTRY), "utf8");
    expect(entry).not.toContain("monwire");
    expect(entry).not.toContain("monitoring");
    // The host's own dependencies (Express 5) are enough once monwire is gone.
    symlinkSync(join(REPO_ROOT, "node_modules"), join(app, "node_modules"), "dir");
    const started = await startScript(app, "start", {});
    try {
      const response = await fetch(`${started.url}/api/nope`);
      expect(response.status).toBe(404);
      expect(started.output()).not.toMatch(/ReferenceError/);
    } finally {
      await started.stop();
    }
  });
});
