import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { getProjectInfo, detectExpressMajor } from "../../src/scaffold/detect.js";
import { detectModule, importExtensionFor, stripJsonComments } from "../../src/scaffold/detect-module.js";
import { detectPackageManager, readPnpmWorkspaceGlobs } from "../../src/scaffold/detect-pm.js";
import { MonwireError } from "../../src/errors.js";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A project tree in a temp dir: `{ "path": "content" }`. A .git folder stops the upward search. */
function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), "monwire-detect-"));
  dirs.push(root);
  mkdirSync(join(root, ".git"));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(root, path, ".."), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

describe("package manager", () => {
  it.each([
    ["no lockfile", { "package.json": "{}" }, ".", "npm", false],
    ["package-lock.json", { "package.json": "{}", "package-lock.json": "{}" }, ".", "npm", false],
    ["pnpm-lock.yaml", { "package.json": "{}", "pnpm-lock.yaml": "" }, ".", "pnpm", false],
    ["yarn.lock", { "package.json": "{}", "yarn.lock": "" }, ".", "yarn", false],
    ["bun.lock", { "package.json": "{}", "bun.lock": "" }, ".", "bun", false],
    ["packageManager field beats a lockfile", { "package.json": '{"packageManager":"yarn@4.1.0"}', "package-lock.json": "{}" }, ".", "yarn", false],
    ["pnpm workspace member", { "package.json": "{}", "pnpm-workspace.yaml": "packages:\n  - 'apps/*'\n", "apps/api/package.json": "{}" }, "apps/api", "pnpm", true],
    ["npm workspaces member uses the root lockfile", { "package.json": '{"workspaces":["services/*"]}', "package-lock.json": "{}", "services/api/package.json": "{}" }, "services/api", "npm", true],
    ["not a member of a workspace that excludes it", { "package.json": '{"workspaces":["services/*"]}', "yarn.lock": "", "tools/x/package.json": "{}" }, "tools/x", "npm", false],
  ])("%s", (_name, files, at, pm, workspace) => {
    const root = tree(files);
    const info = detectPackageManager(join(root, at));
    expect(info.packageManager).toBe(pm);
    expect(info.workspace).toBe(workspace);
    expect(info.installRoot).toBe(workspace ? root : join(root, at));
  });

  it("--pm overrides detection", () => {
    expect(detectPackageManager(tree({ "package.json": "{}", "yarn.lock": "" }), "pnpm").packageManager).toBe("pnpm");
  });

  it("reads pnpm workspace globs", () => {
    expect(readPnpmWorkspaceGlobs("packages:\n  - \"packages/*\"\n  - 'apps/**' # all apps\nonlyBuiltDependencies: []\n")).toEqual(["packages/*", "apps/**"]);
  });
});

describe("module system", () => {
  const scripts = (format?: string): Record<string, string> => (format ? { build: `esbuild server/index.ts --bundle --format=${format} --outdir=dist` } : {});
  it.each([
    ["server/index.ts", "module", undefined, undefined, "ts", "esm"],
    ["server/index.ts", undefined, "esm", undefined, "ts", "esm"],
    ["server/index.ts", undefined, "cjs", undefined, "ts", "cjs"],
    ["server/index.ts", undefined, undefined, undefined, "ts", "cjs"],
    ["server/index.ts", "commonjs", undefined, undefined, "ts", "cjs"],
    ["index.mjs", undefined, undefined, undefined, "js", "esm"],
    ["index.cjs", "module", undefined, undefined, "js", "cjs"],
    ["index.mts", undefined, undefined, undefined, "ts", "esm"],
    ["index.js", "module", undefined, "cjs", "js", "cjs"],
  ] as const)("%s, type %s, esbuild %s, --module %s → %s %s", (entry, type, format, override, language, moduleSystem) => {
    const result = detectModule({ entry, entryText: "", packageType: type, scripts: scripts(format), ...(override ? { override } : {}) });
    expect([result.language, result.moduleSystem]).toEqual([language, moduleSystem]);
  });

  it.each([
    [".js", "js", "esm", "", undefined, ".js"],
    [".mjs", "js", "esm", "", undefined, ".mjs"],
    [".js", "js", "cjs", "", undefined, ""],
    [".cjs", "js", "cjs", "", undefined, ".cjs"],
    [".ts", "ts", "esm", "", { moduleResolution: "nodenext" }, ".js"],
    [".ts", "ts", "cjs", "", { module: "node16" }, ".js"],
    [".ts", "ts", "esm", 'import { a } from "./a";', { moduleResolution: "bundler" }, ""],
    [".ts", "ts", "esm", 'import { a } from "./a.js";', { moduleResolution: "bundler" }, ".js"],
    [".ts", "ts", "cjs", "", { module: "commonjs" }, ""],
    [".mts", "ts", "esm", "", { moduleResolution: "node16" }, ".mjs"],
  ] as const)("import extension for %s %s %s (%j, %j) → %j", (ext, language, system, text, tsconfig, expected) => {
    expect(importExtensionFor(ext, language, system, text, tsconfig)).toBe(expected);
  });

  it("reads tsconfig comments and trailing commas", () => {
    expect(JSON.parse(stripJsonComments('{\n // a "comment"\n "a": "http://x", /* b */ "c": [1,],\n}'))).toEqual({ a: "http://x", c: [1] });
  });
});

describe("Express major", () => {
  it.each([
    ["^4.21.2", 4], ["~5.0.1", 5], ["5.x", 5], [">=4.0.0 <6", 4], ["npm:express@^4.22.3", 4], ["latest", 5],
  ])("%s → %d", (range, major) => {
    expect(detectExpressMajor("/nonexistent", { dependencies: { express: range } }).major).toBe(major);
  });
});

describe("getProjectInfo", () => {
  const pkg = (extra = "") => `{"name":"shop","dependencies":{"express":"^5.1.0"}${extra}}`;
  const app = 'const express = require("express");\nconst app = express();\napp.listen(process.env.PORT || 4100);\n';

  it("confirms the entry named by a script, with its port and folder", () => {
    const info = getProjectInfo(tree({ "package.json": pkg(',"scripts":{"start":"node src/main.js"}'), "src/main.js": app, "index.js": app }));
    expect(info).toMatchObject({ entry: "src/main.js", serverDir: "src", port: 4100, moduleSystem: "cjs", language: "js", expressMajor: 5 });
    expect(info.evidence.map((e) => e.fact)).toContain("entry src/main.js");
  });

  it("skips a script target that does not create an app and falls back to the usual places", () => {
    const info = getProjectInfo(tree({ "package.json": pkg(',"scripts":{"start":"node worker.js"}'), "worker.js": "console.log(1);\n", "server/index.js": app }));
    expect(info.entry).toBe("server/index.js");
  });

  it("finds existing Sentry, prom-client and winston usage in host code", () => {
    const info = getProjectInfo(tree({
      "package.json": pkg(),
      "index.js": app,
      "lib/sentry.js": 'const Sentry = require("@sentry/node");\nSentry.init({ dsn: process.env.DSN });\n',
      "lib/log.js": 'const winston = require("winston");\nconst client = require("prom-client");\n',
    }));
    expect(info.existingSentry).toBe("lib/sentry.js");
    expect(info.existingWinston).toBe("lib/log.js");
    expect(info.existingPromClient).toBe("lib/log.js");
  });

  it("fails with exit 3 and the places it looked when nothing creates an app", () => {
    try {
      getProjectInfo(tree({ "package.json": pkg(), "index.js": "module.exports = {};\n" }));
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(MonwireError);
      expect((error as MonwireError).exitCode).toBe(3);
      expect((error as MonwireError).message).toContain("index.js");
      expect((error as MonwireError).hint).toContain("--entry");
    }
  });
});
