import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { defaultConfig } from "../../src/config/schema.js";
import { checkSentry } from "../../src/probe/check-sentry.js";
import type { CheckContext } from "../../src/probe/check-context.js";

/**
 * sentry.versions on the trees npm really installs for @sentry/node 10 and 11 (recorded in
 * test/fixtures/sentry-trees/trees.json from fresh installs): packages that version on their own
 * (@sentry/conventions, the CLI, the wizard) are not "mixed", and the fix never names a version
 * the tree does not hold.
 */
type Tree = Record<string, { version: string; dependencies: Record<string, string> }>;
const TREES = JSON.parse(readFileSync(join(__dirname, "../fixtures/sentry-trees/trees.json"), "utf8")) as Record<"v10" | "v11", Tree>;

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function host(tree: Tree, direct: Record<string, string>, nested: Record<string, Tree> = {}): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "monwire-sentry-tree-"));
  dirs.push(dir);
  await writeFile(join(dir, "package.json"), JSON.stringify({ name: "host", dependencies: direct }));
  const install = async (base: string, packages: Tree) => {
    for (const [name, info] of Object.entries(packages)) {
      await mkdir(join(base, name), { recursive: true });
      await writeFile(join(base, name, "package.json"), JSON.stringify({ name, version: info.version, dependencies: info.dependencies }));
    }
  };
  await install(join(dir, "node_modules"), tree);
  for (const [owner, packages] of Object.entries(nested)) await install(join(dir, "node_modules", owner, "node_modules"), packages);
  return dir;
}

async function versions(root: string) {
  const options: CheckContext["options"] = { cwd: root, only: ["sentry"], offline: true, online: false, timeoutMs: 1000, seriesBudget: 1, sloEdges: [], env: {}, now: new Date() };
  const ctx: CheckContext = { root, config: { ...defaultConfig(), service: "host" }, options, userAgent: "test" };
  return (await checkSentry(ctx)).find((c) => c.id === "sentry.versions")!;
}

const separately: Tree = {
  "@sentry/cli": { version: "2.58.2", dependencies: {} },
  "@sentry/wizard": { version: "6.6.1", dependencies: {} },
};

describe("sentry.versions on real installed trees", () => {
  it.each([["v10", "10.78.0", 5], ["v11", "11.12.0", 6]] as const)("a fresh @sentry/node %s install is aligned", async (label, version, count) => {
    const check = await versions(await host({ ...TREES[label], ...separately }, { "@sentry/node": `^${version}`, "@sentry/cli": "^2.58.2" }));
    expect(check.status).toBe("pass");
    expect(check.summary).toBe(`${count} @sentry/* packages at ${version} (node_modules)`);
  });

  it("reads monwire's own package-lock.json (a real @sentry/node 11 resolution) before the first install", async () => {
    const dir = await mkdtemp(join(tmpdir(), "monwire-sentry-lock-"));
    dirs.push(dir);
    await writeFile(join(dir, "package-lock.json"), readFileSync(join(__dirname, "../../package-lock.json")));
    const check = await versions(dir);
    expect(check.status).toBe("pass");
    expect(check.summary).toMatch(/^6 @sentry\/\* packages at 11\.\d+\.\d+ \(package-lock\.json\)$/);
  });

  it("fails a real mix and names only versions the tree holds", async () => {
    const old: Tree = { "@sentry/core": { version: "10.70.0", dependencies: { "@sentry/conventions": "^0.16.0" } } };
    const check = await versions(await host(TREES.v10, { "@sentry/node": "^10.78.0" }, { "some-lib": old }));
    expect(check.status).toBe("fail");
    expect(check.summary).toBe("mixed versions in node_modules: @sentry/core 10.78.0/10.70.0, @sentry/node 10.78.0, @sentry/node-core 10.78.0, @sentry/opentelemetry 10.78.0, @sentry/server-utils 10.78.0");
    expect(check.hint).toBe("Run `npm ls @sentry/core` to see which dependency brings another @sentry/core version, and update it (or your @sentry/* dependencies) so every SDK package shares one version.");
  });

  it("suggests installing the newest version only for direct dependencies installed at it", async () => {
    const tree: Tree = { ...TREES.v10, "@sentry/profiling-node": { version: "10.70.0", dependencies: { "@sentry/core": "10.70.0" } } };
    const nested: Record<string, Tree> = { "@sentry/profiling-node": { "@sentry/core": { version: "10.70.0", dependencies: {} } } };
    const check = await versions(await host(tree, { "@sentry/node": "^10.78.0", "@sentry/profiling-node": "10.70.0" }, nested));
    expect(check.status).toBe("fail");
    // @sentry/profiling-node@10.78.0 is not in the tree, so no install command names it.
    expect(check.hint).toContain("npm ls @sentry/core");
    expect(check.hint).not.toContain("npm install");
  });
});
