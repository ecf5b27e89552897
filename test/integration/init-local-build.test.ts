import { readFileSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { localBuildSource } from "../../src/scaffold/local-build.js";
import { copyFixture, makeTempDir, REPO_ROOT, runMon } from "../helpers/cli.js";

/**
 * Run from a git checkout (the README's Quick start), `mon init` makes the app depend on that
 * checkout by a relative path and says so; it never writes a registry range the registry may not
 * have. An explicit --monwire-from still wins.
 */
describe("mon init from a checkout", () => {
  it("depends on this checkout by a path relative to the app, and says so", async () => {
    const app = await copyFixture("host-js-cjs");
    try {
      const result = await runMon(["init", "--yes", "--tenants", "EUR,KM", "--skip-install"], { cwd: app.dir });
      expect(result.exitCode, String(result.stderr)).toBe(0);
      const spec = `file:${relative(app.dir, REPO_ROOT)}`;
      expect(JSON.parse(readFileSync(join(app.dir, "package.json"), "utf8")).dependencies.monwire).toBe(spec);
      expect(spec).toMatch(/^file:\.\.\//);
      expect(String(result.stderr)).toContain(`mon init: monwire runs from a git checkout (${REPO_ROOT})`);
      const other = await copyFixture("host-js-cjs");
      try {
        await runMon(["init", "--yes", "--tenants", "EUR,KM", "--skip-install", "--monwire-from", join(other.dir, "..", "monwire.tgz")], { cwd: other.dir });
        expect(JSON.parse(readFileSync(join(other.dir, "package.json"), "utf8")).dependencies.monwire).toBe("file:../monwire.tgz");
      } finally {
        await other.cleanup();
      }
    } finally {
      await app.cleanup();
    }
  });

  it("treats a registry or tarball install (no .git, no src/) as not a checkout", async () => {
    const temp = await makeTempDir("monwire-local-build-");
    try {
      await writeFile(join(temp.dir, "package.json"), "{}");
      expect(localBuildSource(temp.dir)).toBeUndefined();
      await mkdir(join(temp.dir, "src"));
      await mkdir(join(temp.dir, ".git"));
      expect(localBuildSource(temp.dir)).toBe(temp.dir);
    } finally {
      await temp.cleanup();
    }
  });
});
