import { appendFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { copyFixture, runMon } from "../helpers/cli.js";
import { hashTree } from "../helpers/host-app.js";

// Safety of init and uninstall on every fixture, without installing anything: the preview changes
// no byte, a second run changes no byte, user edits are never overwritten, a failure mid-apply
// restores the tree, and uninstall gives the original tree back.
const ARGS = ["init", "--yes", "--tenants", "EUR,KM", "--tenant-from", "header:x-shop", "--skip-install", "--monwire-from", "/opt/monwire.tgz"];

const FIXTURES: Array<[fixture: string, member: string, scaffolded: string]> = [
  ["host-ts-esm", ".", "server/middleware/monitoring.ts"],
  ["host-ts-cjs", ".", "src/middleware/monitoring.ts"],
  ["host-js-esm", ".", "src/middleware/monitoring.js"],
  ["host-js-cjs", ".", "middleware/monitoring.js"],
  ["host-pnpm-workspace", "packages/api", "src/middleware/monitoring.js"],
];

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

async function fixtureCopy(fixture: string, member: string): Promise<{ root: string; app: string }> {
  const { dir, cleanup } = await copyFixture(fixture);
  cleanups.push(cleanup);
  return { root: dir, app: join(dir, member) };
}

describe.each(FIXTURES)("%s", (fixture, member, scaffolded) => {
  it("--dry-run previews the plan and leaves the tree byte-identical", async () => {
    const { root, app } = await fixtureCopy(fixture, member);
    const before = hashTree(root, []);
    const result = await runMon([...ARGS, "--dry-run"], { cwd: app });
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(result.stdout).toMatch(/CREATE\s+mon\.config\.json/);
    expect(result.stdout).toContain("+// monwire:begin middleware");
    expect(hashTree(root, [])).toEqual(before);
  });

  it("init twice changes nothing the second time; uninstall restores the original tree", async () => {
    const { root, app } = await fixtureCopy(fixture, member);
    const original = hashTree(root, []);
    const first = await runMon(ARGS, { cwd: app });
    expect(first.exitCode, `${first.stdout}\n${first.stderr}`).toBe(0);
    const afterInit = hashTree(root, []);
    expect(afterInit).not.toEqual(original);
    const second = await runMon(ARGS, { cwd: app });
    expect(second.stdout).toContain("already set up — nothing to do");
    expect(hashTree(root, [])).toEqual(afterInit);
    const removed = await runMon(["uninstall", "--yes", "--skip-install"], { cwd: app });
    expect(removed.exitCode, `${removed.stdout}\n${removed.stderr}`).toBe(0);
    expect(hashTree(root, [])).toEqual(original);
  });

  it("never overwrites a scaffolded file the user edited (exit 1); uninstall keeps it", async () => {
    const { root, app } = await fixtureCopy(fixture, member);
    const original = hashTree(root, []);
    const first = await runMon(ARGS, { cwd: app });
    expect(first.exitCode, String(first.stderr)).toBe(0);
    appendFileSync(join(app, scaffolded), "// my own tweak\n");
    const edited = readFileSync(join(app, scaffolded), "utf8");
    const treeBefore = hashTree(root, []);
    const rerun = await runMon(ARGS, { cwd: app });
    expect(rerun.exitCode, `${rerun.stdout}\n${rerun.stderr}`).toBe(1);
    expect(rerun.stdout).toMatch(new RegExp(`CONFLICT\\s+${scaffolded.replace(/[.]/g, "\\.")}`));
    expect(hashTree(root, [])).toEqual(treeBefore);

    const removed = await runMon(["uninstall", "--yes", "--skip-install"], { cwd: app });
    expect(removed.exitCode, String(removed.stderr)).toBe(0);
    expect(removed.stdout).toContain(`${scaffolded}: changed since monwire wrote it — kept`);
    expect(readFileSync(join(app, scaffolded), "utf8")).toBe(edited);
    const rest = hashTree(root, []);
    const extra = Object.keys(rest).filter((path) => original[path] === undefined);
    // Only the kept file (and the folders holding it) remain of what init added.
    const kept = join(member, scaffolded);
    const folders = kept.split("/").slice(0, -1).map((_, i, parts) => `${parts.slice(0, i + 1).join("/")}/`);
    expect(extra.sort()).toEqual([...folders.filter((f) => original[f] === undefined), kept].sort());
  });

  it("--force overwrites the edited file with monwire's version", async () => {
    const { app } = await fixtureCopy(fixture, member);
    expect((await runMon(ARGS, { cwd: app })).exitCode).toBe(0);
    const pristine = readFileSync(join(app, scaffolded), "utf8");
    appendFileSync(join(app, scaffolded), "// my own tweak\n");
    const forced = await runMon([...ARGS, "--force"], { cwd: app });
    expect(forced.exitCode, String(forced.stdout)).toBe(0);
    expect(readFileSync(join(app, scaffolded), "utf8")).toBe(pristine);
  });

  it("restores every file and folder when applying fails midway", async () => {
    const { root, app } = await fixtureCopy(fixture, member);
    const original = hashTree(root, []);
    const result = await runMon(ARGS, { cwd: app, env: { MONWIRE_TEST_FAIL_AFTER: "6" } });
    expect(result.exitCode, String(result.stderr)).toBe(1);
    expect(result.stderr).toContain("simulated failure");
    expect(result.stderr).toMatch(/all \d+ file\(s\) touched were restored/);
    expect(hashTree(root, [])).toEqual(original);
  });
});
