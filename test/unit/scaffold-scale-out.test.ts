import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { defaultAnswers } from "../../src/scaffold/answers.js";
import { getProjectInfo } from "../../src/scaffold/detect.js";
import { detectPm2Ecosystem, usesNodeCluster } from "../../src/scaffold/detect-scale.js";
import { planInit } from "../../src/scaffold/plan.js";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function project(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), "monwire-scale-"));
  dirs.push(root);
  mkdirSync(join(root, ".git"));
  writeFileSync(join(root, "package.json"), JSON.stringify({ name: "shop", scripts: { start: "node server.js" }, dependencies: { express: "^5.1.0" } }));
  writeFileSync(join(root, "server.js"), 'const express = require("express");\nconst app = express();\napp.listen(3100);\n');
  for (const [path, text] of Object.entries(files)) writeFileSync(join(root, path), text);
  return root;
}

const notesOf = (root: string) =>
  planInit({ project: getProjectInfo(root), answers: { ...defaultAnswers({ port: 3100 }), tenants: ["EUR", "KM"], tenantFrom: "header:x-shop" }, monwireFrom: "/opt/monwire.tgz" }).notes;

describe("scale-out detection", () => {
  it("recognises node:cluster in ESM, CJS and dynamic imports, not a word in a comment", () => {
    expect(usesNodeCluster('import cluster from "node:cluster";')).toBe(true);
    expect(usesNodeCluster("const cluster = require('cluster');")).toBe(true);
    expect(usesNodeCluster('const { default: c } = await import("node:cluster");')).toBe(true);
    expect(usesNodeCluster("// we might cluster later\nconst clusterName = 'x';")).toBe(false);
  });

  it("init notes a node:cluster primary and points to createClusterMetrics", () => {
    const root = project({ "cluster.js": 'const cluster = require("node:cluster");\nif (cluster.isPrimary) cluster.fork(); else require("./server.js");\n' });
    expect(getProjectInfo(root).evidence).toContainEqual({ fact: "node:cluster workers", source: "cluster.js" });
    const notes = notesOf(root).join("\n");
    expect(notes).toContain("cluster.js uses node:cluster");
    expect(notes).toContain("createClusterMetrics");
    expect(notes).toContain("Cluster and PM2");
  });

  it("init notes a PM2 ecosystem in cluster mode, and stays quiet for a single fork-mode instance", () => {
    const clustered = project({ "ecosystem.config.js": 'module.exports = { apps: [{ name: "shop", script: "server.js", exec_mode: "cluster", instances: "max" }] };\n' });
    expect(detectPm2Ecosystem(clustered)).toEqual({ file: "ecosystem.config.js", clustered: true });
    expect(notesOf(clustered).join("\n")).toMatch(/ecosystem\.config\.js runs PM2 in cluster mode/);

    const single = project({ "ecosystem.config.cjs": 'module.exports = { apps: [{ name: "shop", script: "server.js", instances: 1 }] };\n' });
    expect(detectPm2Ecosystem(single)).toEqual({ file: "ecosystem.config.cjs", clustered: false });
    expect(notesOf(single).join("\n")).not.toContain("PM2");
    expect(notesOf(project({})).join("\n")).not.toMatch(/cluster/i);
  });
});
