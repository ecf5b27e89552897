import { execa } from "execa";
import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyFixture } from "../helpers/cli.js";
import { packMonwire } from "../helpers/host-app.js";

/**
 * What a host gets in production: the packed tarball installed with `npm install --omit=dev` into
 * a minimal Express app (no parent node_modules to hide a missing dependency). The CLI's own
 * packages ship bundled inside monwire (dist/vendor), so none of them may be installed, while the
 * runtime and the installed `mon` still work.
 */
const CLI_ONLY = ["commander", "@inquirer/prompts", "chalk", "cli-table3", "execa", "@babel/parser", "diff", "winston-daily-rotate-file", "winston", "winston-transport"];
const env = { CI: "true", FORCE_COLOR: "0", NO_COLOR: "1" };

let app: string;
let cleanup: (() => Promise<void>) | undefined;
const mon = (args: string[]) => execa(join(app, "node_modules", ".bin", "mon"), args, { cwd: app, reject: false, env, timeout: 60_000 });

beforeAll(async () => {
  // MONWIRE_TEST_TARBALL: another build's `npm pack` output (e.g. the previous commit's, to see this fail there).
  const tarball = process.env.MONWIRE_TEST_TARBALL ?? (await packMonwire());
  const temp = await copyFixture("host-js-esm");
  app = temp.dir;
  cleanup = temp.cleanup;
  const install = await execa("npm", ["install", "--omit=dev", "--no-audit", "--no-fund", "--prefer-offline", tarball], { cwd: app, reject: false, env, timeout: 300_000 });
  expect(install.exitCode, `${install.stdout}\n${install.stderr}`).toBe(0);
}, 320_000);

afterAll(async () => cleanup?.());

describe("a host's production install of monwire", () => {
  it("installs none of the CLI-only packages; monwire depends on prom-client alone", () => {
    const installed = CLI_ONLY.filter((name) => existsSync(join(app, "node_modules", name, "package.json")));
    expect(installed).toEqual([]);
    const pkg = JSON.parse(readFileSync(join(app, "node_modules", "monwire", "package.json"), "utf8")) as { dependencies: Record<string, string> };
    expect(Object.keys(pkg.dependencies)).toEqual(["prom-client"]);
  });

  it("brings prom-client's tree and nothing else into the host (as npm resolves it)", async () => {
    type Node = { version?: string; dependencies?: Record<string, Node> };
    const ls = await execa("npm", ["ls", "--all", "--omit=dev", "--json"], { cwd: app, reject: false, env });
    const tree = JSON.parse(String(ls.stdout)) as Node;
    const names = (node: Node | undefined): string[] =>
      Object.entries(node?.dependencies ?? {}).filter(([, child]) => child.version).flatMap(([name, child]) => [name, ...names(child)]);
    expect(names(tree.dependencies?.monwire).sort()).toEqual(["@opentelemetry/api", "bintrees", "prom-client", "tdigest"]);
  });

  it("runs monwire/runtime: audit entries written without winston, metrics rendered", async () => {
    writeFileSync(join(app, "probe.mjs"), [
      'import { createAuditTrail, getMetrics, renderMetrics } from "monwire/runtime";',
      'const audit = createAuditTrail({ dir: "logs" });',
      'for (let i = 0; i < 3; i++) await audit.security.event({ action: "probe.ran", tenant: "EUR", data: { i } });',
      "const stats = audit.stats();",
      "await audit.close();",
      'const text = await renderMetrics(getMetrics().registry, "text");',
      'const line = text.split("\\n").find((l) => l.includes("audit_events_total{") && l.includes(\'category="security"\'));',
      'const winston = await import("winston").then(() => "installed", (error) => error.code);',
      "console.log(JSON.stringify({ written: stats.written, seq: stats.seq, counted: line?.split(\" \").pop(), winston }));",
    ].join("\n"));
    const run = await execa(process.execPath, ["probe.mjs"], { cwd: app, reject: false, env });
    expect(run.exitCode, String(run.stderr)).toBe(0);
    expect(JSON.parse(String(run.stdout).trim())).toEqual({ written: 4, seq: 4, counted: "3", winston: "ERR_MODULE_NOT_FOUND" });
  });

  it("runs the installed CLI: npx mon --version, check --help, verify, report as a table, init --dry-run", async () => {
    const version = await execa("npx", ["--no", "--", "mon", "--version"], { cwd: app, reject: false, env });
    expect(version.exitCode, String(version.stderr)).toBe(0);
    expect(String(version.stdout).trim()).toBe(JSON.parse(readFileSync(join(app, "node_modules", "monwire", "package.json"), "utf8")).version);

    const help = await mon(["check", "--help"]);
    expect(help.exitCode, String(help.stderr)).toBe(0);
    expect(String(help.stdout)).toContain("Usage: mon check [options]");

    // The trail the runtime test wrote: verify (worker pool) and the table renderer (cli-table3).
    const verify = await mon(["verify", "--dir", "logs"]);
    expect(verify.exitCode, `${verify.stdout}\n${verify.stderr}`).toBe(0);
    expect(String(verify.stdout)).toMatch(/intact/);
    const report = await mon(["report", "--dir", "logs", "--format", "table"]);
    expect(report.exitCode, `${report.stdout}\n${report.stderr}`).toBe(0);
    expect(String(report.stdout)).toContain("probe.ran");
    expect(String(report.stdout)).toMatch(/[┌│]/);

    // Scaffolding parses the host's source (Babel parser) and shows diffs (diff).
    const init = await mon(["init", "--dry-run", "--yes", "--no-sentry"]);
    expect(init.exitCode, `${init.stdout}\n${init.stderr}`).toBe(0);
    expect(String(init.stdout)).toContain("src/server.js");
    expect(String(init.stdout)).toMatch(/^\+\+\+ /m);
  }, 120_000);

  it("ships the license notices of every package bundled into the CLI", () => {
    const notices = readFileSync(join(app, "node_modules", "monwire", "dist", "THIRD_PARTY_LICENSES.md"), "utf8");
    for (const name of CLI_ONLY.filter((n) => !n.startsWith("winston"))) expect(notices).toContain(`## ${name} `);
    expect(notices).toContain("Permission is hereby granted");
    expect(readdirSync(join(app, "node_modules", "monwire", "dist", "vendor"))).toContain("commander.js");
  });
});
