import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, chmodSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { defaultAnswers, inferCurrencies, missingAnswers } from "../../src/scaffold/answers.js";
import { applyChanges } from "../../src/scaffold/apply.js";
import { getProjectInfo } from "../../src/scaffold/detect.js";
import { formatManifest, MANIFEST_PATH, readManifest } from "../../src/scaffold/manifest.js";
import { dependenciesToAdd, detectJsonStyle, formatJson, localSpec, sentryRangeFor, withKeys } from "../../src/scaffold/package-edit.js";
import { isNoop, planInit } from "../../src/scaffold/plan.js";
import { editRegionFile } from "../../src/scaffold/text-files.js";
import { planUninstall } from "../../src/scaffold/uninstall.js";
import type { InitAnswers } from "../../src/scaffold/types.js";
import { MonwireError } from "../../src/errors.js";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  delete process.env.MONWIRE_TEST_FAIL_AFTER;
});

const PACKAGE_JSON = '{\n    "name": "shop",\n    "scripts": {\n        "start": "node server.js"\n    },\n    "dependencies": {\n        "express": "^4.21.2"\n    }\n}\n';

function project(): string {
  const root = mkdtempSync(join(tmpdir(), "monwire-plan-"));
  dirs.push(root);
  mkdirSync(join(root, ".git"));
  writeFileSync(join(root, "package.json"), PACKAGE_JSON);
  writeFileSync(join(root, "server.js"), 'const express = require("express");\nconst app = express();\napp.listen(process.env.PORT || 3100);\n');
  writeFileSync(join(root, ".gitignore"), "node_modules\n.env\n");
  return root;
}

const answers = (root: string): InitAnswers => ({ ...defaultAnswers({ port: 3100 }), tenants: ["EUR", "KM"], tenantFrom: "header:x-shop" });
const plan = (root: string, force = false) =>
  planInit({ project: getProjectInfo(root), answers: answers(root), force, monwireFrom: "/opt/monwire.tgz" });

describe("a local monwire (--monwire-from)", () => {
  it.each([
    ["/work/shop", "../monwire/monwire-0.1.0.tgz", "file:../monwire/monwire-0.1.0.tgz"],
    ["/work/shop", "/work/monwire-0.1.0.tgz", "file:../monwire-0.1.0.tgz"],
    ["/work/shop", "vendor/monwire.tgz", "file:vendor/monwire.tgz"],
    ["/work/shop", "/work/shop", "file:."],
  ])("from %s, %s is %s in package.json", (app, from, spec) => {
    expect(localSpec(app, from)).toBe(spec);
    expect(dependenciesToAdd({}, { sentry: false, metrics: false, audit: false }, { monwireFrom: from, cwd: app, nodeVersion: "20.19.0" })).toEqual({ monwire: spec });
  });
});

describe("planInit", () => {
  it("plans every file in memory, writing nothing", () => {
    const root = project();
    const result = plan(root);
    const kinds = Object.fromEntries(result.changes.map((c) => [c.path, c.kind]));
    expect(kinds).toMatchObject({ "mon.config.json": "create", "monitoring/sentry.js": "create", "middleware/monitoring.js": "create", "server.js": "update", "package.json": "update", ".gitignore": "update", [MANIFEST_PATH]: "create" });
    expect(existsSync(join(root, "mon.config.json"))).toBe(false);
    const config = JSON.parse(result.changes.find((c) => c.path === "mon.config.json")!.after!) as Record<string, unknown>;
    expect(Object.entries(config)[0]).toEqual(["$schema", "./node_modules/monwire/schema/mon.config.schema.json"]);
    const pkg = result.changes.find((c) => c.path === "package.json")!.after!;
    expect(pkg).toContain(`        "monwire": "file:${relative(root, "/opt/monwire.tgz")}"`);
    // .env is already ignored: only the audit dir is added.
    expect(result.changes.find((c) => c.path === ".gitignore")!.after).toBe("node_modules\n.env\n# monwire:begin ignore\n/logs/\n# monwire:end ignore\n");
  });

  it("applies, then plans nothing; a user-edited file is a conflict unless forced", () => {
    const root = project();
    const first = plan(root);
    applyChanges(root, first.changes);
    const manifest = readManifest(root)!;
    expect(manifest.files.map((f) => f.path)).toContain("middleware/monitoring.js");
    expect(manifest.dependencies).toMatchObject({ monwire: `file:${relative(root, "/opt/monwire.tgz")}`, "@sentry/node": expect.stringMatching(/^\^1[01]\./) });
    expect(isNoop(plan(root))).toBe(true);
    writeFileSync(join(root, "middleware/monitoring.js"), "// mine\n");
    const conflicted = plan(root);
    expect(conflicted.changes.find((c) => c.path === "middleware/monitoring.js")!.kind).toBe("conflict");
    // The manifest still remembers the file, so uninstall can tell it was changed.
    expect(conflicted.manifest.files.some((f) => f.path === "middleware/monitoring.js")).toBe(true);
    expect(plan(root, true).changes.find((c) => c.path === "middleware/monitoring.js")!.kind).toBe("update");
  });

  it("removes what a feature turned off no longer needs, unless the user changed it", () => {
    const root = project();
    applyChanges(root, plan(root).changes);
    writeFileSync(join(root, "monitoring/vector.toml"), "# my pipeline\n");
    const off = planInit({ project: getProjectInfo(root), answers: { ...answers(root), sentry: false, audit: false }, monwireFrom: "/opt/monwire.tgz" });
    const kinds = Object.fromEntries(off.changes.map((c) => [c.path, c.kind]));
    expect(kinds).toMatchObject({ "monitoring/sentry.js": "delete", "monitoring/audit.js": "delete", "server.js": "update" });
    expect(kinds["monitoring/vector.toml"]).toBeUndefined();
    expect(off.manifest.files.some((f) => f.path === "monitoring/vector.toml")).toBe(true);
    expect(off.changes.find((c) => c.path === "server.js")!.after).not.toContain("monitoring/sentry");
  });

  it("gives the start script back when Sentry is turned off in an ESM host", () => {
    const root = project();
    writeFileSync(join(root, "package.json"), PACKAGE_JSON.replace('"name": "shop",', '"name": "shop",\n    "type": "module",'));
    writeFileSync(join(root, "server.js"), 'import express from "express";\nconst app = express();\napp.listen(3100);\n');
    applyChanges(root, plan(root).changes);
    expect(JSON.parse(readFileSync(join(root, "package.json"), "utf8")).scripts.start).toBe("node --import ./monitoring/sentry.js server.js");
    const off = planInit({ project: getProjectInfo(root), answers: { ...answers(root), sentry: false }, monwireFrom: "/opt/monwire.tgz" });
    expect(JSON.parse(off.changes.find((c) => c.path === "package.json")!.after!).scripts.start).toBe("node server.js");
    expect(off.manifest.scripts).toEqual({});
  });

  it("adds no second Sentry.init when the host already has one", () => {
    const root = project();
    mkdirSync(join(root, "lib"));
    writeFileSync(join(root, "lib/instrument.js"), 'const Sentry = require("@sentry/node");\nSentry.init({ dsn: process.env.DSN });\n');
    const result = plan(root);
    expect(result.changes.map((c) => c.path)).not.toContain("monitoring/sentry.js");
    expect(result.changes.find((c) => c.path === "server.js")!.after).not.toContain("monitoring/sentry");
    expect(result.warnings.join(" ")).toContain("lib/instrument.js");
  });

  it("uninstall removes what init added and keeps what the user changed", () => {
    const root = project();
    applyChanges(root, plan(root).changes);
    writeFileSync(join(root, "monitoring/audit.js"), "// my audit wiring\n");
    const removal = planUninstall(root);
    expect(removal.left).toEqual(["monitoring/audit.js: changed since monwire wrote it — kept"]);
    expect(removal.changes.find((c) => c.path === "server.js")!.after).toBe('const express = require("express");\nconst app = express();\napp.listen(process.env.PORT || 3100);\n');
    expect(removal.changes.find((c) => c.path === ".gitignore")!.after).toBe("node_modules\n.env\n");
    expect(removal.changes.find((c) => c.path === "package.json")!.after).toBe(PACKAGE_JSON);
    expect(removal.changes.find((c) => c.path === "monitoring/audit.js")).toBeUndefined();
    expect(removal.changes.find((c) => c.path === "monitoring/sentry.js")!.kind).toBe("delete");
  });
});

describe("applyChanges", () => {
  it("rolls back every file and folder when a write fails (MONWIRE_TEST_FAIL_AFTER)", () => {
    const root = project();
    chmodSync(join(root, "server.js"), 0o755);
    const before = readFileSync(join(root, "server.js"), "utf8");
    const changes = plan(root).changes;
    process.env.MONWIRE_TEST_FAIL_AFTER = String(changes.filter((c) => c.kind !== "skip").length - 1);
    expect(() => applyChanges(root, changes)).toThrow(MonwireError);
    expect(readFileSync(join(root, "server.js"), "utf8")).toBe(before);
    expect(existsSync(join(root, "monitoring"))).toBe(false);
    expect(existsSync(join(root, "mon.config.json"))).toBe(false);
    delete process.env.MONWIRE_TEST_FAIL_AFTER;
    applyChanges(root, changes);
    // rename() swaps inodes: the original file mode is carried over.
    expect(statSync(join(root, "server.js")).mode & 0o777).toBe(0o755);
  });
});

describe("helpers", () => {
  it.each([
    ["20.20.0", undefined, "^11.0.0"],
    ["20.18.1", undefined, "^10.0.0"],
    ["22.12.0", ">=18", "^10.0.0"],
    ["22.12.0", ">=20.19", "^11.0.0"],
    ["24.1.0", "^20.19.0 || >=22.12", "^11.0.0"],
  ])("@sentry/node for Node %s with engines %s → %s", (node, engines, range) => {
    expect(sentryRangeFor(node, engines)).toBe(range);
  });

  it("keeps the host's own versions and sorted dependency order", () => {
    const added = dependenciesToAdd({ dependencies: { "prom-client": "^14.0.0" } }, { sentry: false, metrics: true, audit: true }, { cwd: "/", nodeVersion: "20.20.0" });
    // The audit trail writes without winston, so init adds no logging library for it.
    expect(Object.keys(added)).toEqual(["monwire"]);
    expect(Object.keys(withKeys({ b: "1", d: "1" }, { c: "1", a: "1" }))).toEqual(["a", "b", "c", "d"]);
    expect(Object.keys(withKeys({ z: "1", b: "1" }, { c: "1" }))).toEqual(["z", "b", "c"]);
  });

  it("re-serialises JSON in the file's own style", () => {
    const text = '{\r\n\t"a": 1\r\n}';
    expect(formatJson({ a: 1, b: 2 }, detectJsonStyle(text))).toBe('{\r\n\t"a": 1,\r\n\t"b": 2\r\n}');
  });

  it("adds only missing .env.example variables", () => {
    const edit = editRegionFile("PORT=3000\nSENTRY_DSN=https://x@y/1\n", "env", ["# dsn", "SENTRY_DSN=", "# key", "MONWIRE_AUDIT_KEY="]);
    expect(edit.text).toBe("PORT=3000\nSENTRY_DSN=https://x@y/1\n# monwire:begin env\n# key\nMONWIRE_AUDIT_KEY=\n# monwire:end env\n");
  });

  it.each([
    [["EUR", "KM", "acme"], {}, { EUR: "EUR", KM: "BAM" }],
    [["EUR", "shop1"], { shop1: "USD" }, { EUR: "EUR", shop1: "USD" }],
  ])("currencies for %j with %j", (tenants, given, expected) => {
    expect(inferCurrencies(tenants, given)).toEqual(expected);
  });

  it("asks for tenants and their source only when not given", () => {
    expect(missingAnswers({}, { port: 5000 })).toEqual(["tenants", "tenantFrom"]);
    expect(missingAnswers({ tenants: [] }, {})).toEqual(["port"]);
    expect(missingAnswers({ tenants: ["A"], tenantFrom: "subdomain" }, { port: 1 })).toEqual([]);
  });

  it("writes a deterministic manifest", () => {
    const manifest = { version: 1 as const, monwire: "0.1.0", files: [{ path: "b", sha256: "2", ownership: "created" as const }, { path: "a", sha256: "1", ownership: "edited" as const }], scripts: {}, dependencies: { z: "1", a: "2" } };
    expect(formatManifest(manifest)).toBe(formatManifest({ ...manifest, files: [...manifest.files].reverse() }));
    expect(formatManifest(manifest).indexOf('"a"')).toBeLessThan(formatManifest(manifest).indexOf('"b"'));
  });
});
