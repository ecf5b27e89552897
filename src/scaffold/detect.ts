import { existsSync, readFileSync } from "node:fs";
import { join, posix } from "node:path";
import { EXIT, MonwireError } from "../errors.js";
import { analyzeEntry } from "./ast.js";
import { confirmEntry, findExistingUsage, listEntryCandidates } from "./detect-entry.js";
import { detectDatabase } from "./detect-db.js";
import { detectModule, readTsConfig } from "./detect-module.js";
import { detectPackageManager } from "./detect-pm.js";
import { detectPm2Ecosystem } from "./detect-scale.js";
import { stripRegions } from "./regions.js";
import { describeScripts } from "./scripts.js";
import type { DetectOverrides, Evidence, ProjectInfo } from "./types.js";

/**
 * Detection, printed first by `mon init`: every fact about the host with where it came from.
 * Unsupported projects fail here, before anything is planned, with the reason and a fix.
 */
export function readPackageJson(root: string): Record<string, unknown> {
  const file = join(root, "package.json");
  if (!existsSync(file)) {
    throw new MonwireError("E_USAGE", `no package.json in ${root}`, {
      exitCode: EXIT.usage,
      hint: "Run `mon init` in the root folder of your Node.js project (where package.json is).",
    });
  }
  try {
    return JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
  } catch (cause) {
    throw new MonwireError("E_UNSUPPORTED_PROJECT", `package.json is not valid JSON: ${(cause as Error).message}`, {
      exitCode: EXIT.usage,
      cause,
      hint: "Fix package.json, then run `mon init` again.",
    });
  }
}

/** Express major from the dependency range (npm aliases included) or the installed copy. */
export function detectExpressMajor(root: string, pkg: Record<string, unknown>): { major?: number; source: string } {
  for (const field of ["dependencies", "devDependencies", "peerDependencies"]) {
    const range = (pkg[field] as Record<string, string> | undefined)?.express;
    if (typeof range !== "string") continue;
    const match = /(?:^|[\s@^~=<>v]|\|\|\s*)(\d+)(?:\.|$|\s|x)/.exec(range.replace(/^npm:express@/, ""));
    if (match) return { major: Number(match[1]), source: `package.json ${field}.express "${range}"` };
    const installed = join(root, "node_modules", "express", "package.json");
    if (existsSync(installed)) {
      const version = (JSON.parse(readFileSync(installed, "utf8")) as { version: string }).version;
      return { major: Number(version.split(".")[0]), source: `node_modules/express ${version}` };
    }
    return { major: 5, source: `package.json ${field}.express "${range}" (assumed latest)` };
  }
  return { source: "package.json" };
}

export function getProjectInfo(root: string, overrides: DetectOverrides = {}, ownFiles: Set<string> = new Set()): ProjectInfo {
  const pkg = readPackageJson(root);
  const evidence: Evidence[] = [];
  const warnings: string[] = [];
  const express = detectExpressMajor(root, pkg);
  if (express.major === undefined) {
    throw new MonwireError("E_NOT_EXPRESS", "this project does not depend on express", {
      exitCode: EXIT.unsupported,
      hint: "monwire wires Express 4 and 5 apps. Add express to dependencies, or run mon init in the Express service's folder.",
    });
  }
  if (express.major !== 4 && express.major !== 5) {
    throw new MonwireError("E_UNSUPPORTED_PROJECT", `Express ${express.major} is not supported (${express.source})`, {
      exitCode: EXIT.unsupported,
      hint: "monwire supports Express 4 and 5. Upgrade Express first (https://expressjs.com/en/guide/migrating-5.html).",
    });
  }
  evidence.push({ fact: `Express ${express.major}`, source: express.source });

  const pm = detectPackageManager(root, overrides.pm);
  evidence.push(...pm.evidence);
  const scriptsField = (pkg.scripts ?? {}) as Record<string, string>;
  const scripts = describeScripts(scriptsField);

  let entryPath: string;
  let entryText: string;
  let entrySource: string;
  if (overrides.entry) {
    entryPath = posix.normalize(overrides.entry.replace(/\\/g, "/")).replace(/^\.\//, "");
    if (!existsSync(join(root, entryPath))) {
      throw new MonwireError("E_USAGE", `--entry ${overrides.entry}: no such file`, { exitCode: EXIT.usage, hint: "Pass the path of the file that calls express(), relative to the project root." });
    }
    entryText = readFileSync(join(root, entryPath), "utf8");
    if (!analyzeEntry(stripRegions(entryText), entryPath)) {
      throw new MonwireError("E_NOT_EXPRESS", `--entry ${entryPath} does not create an Express app (no express() call found)`, {
        exitCode: EXIT.unsupported,
        hint: "Point --entry at the file containing `const app = express()`.",
      });
    }
    entrySource = "--entry";
  } else {
    const candidates = listEntryCandidates(root, pkg, scripts);
    const confirmed = confirmEntry(root, candidates);
    if (!confirmed) {
      const looked = candidates.map((c) => c.path).join(", ") || "scripts, main and the usual places (server/index.ts, src/index.ts, index.js, …)";
      throw new MonwireError("E_NOT_EXPRESS", `no file creating an Express app was found (looked at ${looked})`, {
        exitCode: EXIT.unsupported,
        hint: "Pass --entry PATH with the file that calls express() and app.listen().",
      });
    }
    entryPath = confirmed.candidate.path;
    entryText = confirmed.text;
    entrySource = `${confirmed.candidate.source}; express()${confirmed.analysis.hasListen ? " and .listen(" : ""} found`;
  }
  evidence.push({ fact: `entry ${entryPath}`, source: entrySource });
  const analysis = analyzeEntry(stripRegions(entryText), entryPath)!;

  const tsconfig = readTsConfig(root);
  const moduleInfo = detectModule({ entry: entryPath, entryText, packageType: pkg.type, scripts: scriptsField, ...(tsconfig ? { tsconfig } : {}), ...(overrides.module ? { override: overrides.module } : {}) });
  evidence.push(...moduleInfo.evidence);
  const serverDir = posix.dirname(entryPath);
  evidence.push({ fact: `server folder ${serverDir === "." ? "(project root)" : `${serverDir}/`}`, source: "folder of the entry" });
  if (analysis.port !== undefined) evidence.push({ fact: `port ${analysis.port}`, source: entryPath });

  const usage = findExistingUsage(root, [serverDir.split("/")[0]!], ownFiles);
  if (usage.sentry) evidence.push({ fact: "Sentry already initialised", source: usage.sentry });
  if (usage.promClient) evidence.push({ fact: "prom-client already used", source: usage.promClient });
  if (usage.winston) evidence.push({ fact: "winston already used", source: usage.winston });
  if (usage.cluster) evidence.push({ fact: "node:cluster workers", source: usage.cluster });
  const pm2Ecosystem = detectPm2Ecosystem(root);
  if (pm2Ecosystem) evidence.push({ fact: `PM2${pm2Ecosystem.clustered ? " cluster mode" : ""}`, source: pm2Ecosystem.file });
  const metricsRoute = analysis.routePaths.find((p) => p === "/metrics");
  const database = detectDatabase(root, pkg, [...new Set([serverDir.split("/")[0]!, "src", "server", "db", "lib", "shared"])]);
  if (database) {
    const where = database.site ? `${database.site.file}:${database.site.line} ${database.site.construct}` : database.source;
    evidence.push({ fact: `database ${database.client}${database.site ? ` (${database.site.variable})` : ""}`, source: where });
  }

  const info: ProjectInfo = {
    root,
    installRoot: pm.installRoot,
    packageName: typeof pkg.name === "string" ? pkg.name : posix.basename(root),
    packageManager: pm.packageManager,
    workspace: pm.workspace,
    language: moduleInfo.language,
    moduleSystem: moduleInfo.moduleSystem,
    importExtension: moduleInfo.importExtension,
    expressMajor: express.major,
    entry: entryPath,
    serverDir,
    sourceExtension: /\.[cm]?[jt]sx?$/.exec(entryPath)![0].replace(/x$/, ""),
    scripts,
    nodeVersion: process.versions.node,
    evidence,
    warnings,
    ...(analysis.port !== undefined ? { port: analysis.port } : {}),
    ...(usage.sentry ? { existingSentry: usage.sentry } : {}),
    ...(usage.promClient ? { existingPromClient: usage.promClient } : {}),
    ...(usage.winston ? { existingWinston: usage.winston } : {}),
    ...(usage.cluster ? { clusterUsage: usage.cluster } : {}),
    ...(pm2Ecosystem ? { pm2Ecosystem } : {}),
    ...(metricsRoute ? { existingMetricsRoute: metricsRoute } : {}),
    ...(database ? { database } : {}),
  };
  return info;
}
