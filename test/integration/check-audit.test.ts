import { chmod, mkdir, readdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { addDays, dayFileName } from "../../src/audit/chain.js";
import { TestTrail, readLines, writeLines } from "../helpers/audit-trail.js";
import { makeTempDir, runMon } from "../helpers/cli.js";

/**
 * `mon check --only audit` on real trails in temp dirs: a healthy, sealed trail passes; each
 * problem an auditor would find is named with its fix.
 */
interface JsonCheck {
  id: string;
  status: string;
  summary: string;
  hint?: string;
  findings: Array<{ message: string; severity: string; file?: string; hint?: string }>;
}

const today = new Date().toISOString().slice(0, 10);
const DAYS = [addDays(today, -2), addDays(today, -1), today];
const days = DAYS;
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** A project whose trail has entries on the last three UTC days, the closed ones sealed, with the runtime's modes. */
async function project(config: Record<string, unknown> = {}, daysAgo = 0): Promise<{ dir: string; logs: string }> {
  const days = DAYS.map((d) => addDays(d, -daysAgo));
  const temp = await makeTempDir("monwire-check-audit-");
  cleanups.push(temp.cleanup);
  const logs = join(temp.dir, "logs");
  const trail = new TestTrail({ start: `${days[0]}T09:00:00.000Z` });
  const writer = trail.writer();
  for (const day of days) {
    trail.at(`${day}T10:00:00.000Z`);
    writer.record();
    writer.record({ action: "license_key.generated", category: "license" });
  }
  await trail.write(logs);
  await trail.seal(logs, days[1] as string);
  for (const name of await readdir(logs)) await chmod(join(logs, name), 0o640);
  await chmod(logs, 0o750);
  await writeFile(join(temp.dir, "mon.config.json"), JSON.stringify({ service: "shop", audit: { dir: "logs" }, ...config }));
  return { dir: temp.dir, logs };
}

async function check(cwd: string, args: string[] = []) {
  const result = await runMon(["check", "--only", "audit", "--json", ...args], { cwd, env: { MONWIRE_AUDIT_KEY: "" } });
  if (!String(result.stdout).startsWith("{")) throw new Error(`mon check printed no JSON (exit ${result.exitCode}):\n${String(result.stderr)}`);
  const report = JSON.parse(String(result.stdout)) as { checks: JsonCheck[] };
  return { exitCode: result.exitCode, byId: (id: string) => report.checks.find((c) => c.id === id) as JsonCheck, checks: report.checks };
}

describe("mon check --only audit", () => {
  it("passes a healthy, sealed, private trail with exit 0", async () => {
    const { dir } = await project();
    const { exitCode, checks } = await check(dir);
    expect(checks.map((c) => [c.id, c.status])).toEqual([
      ["audit.dir", "pass"], ["audit.names", "pass"], ["audit.recent", "pass"], ["audit.schema", "pass"],
      ["audit.chain", "pass"], ["audit.permissions", "pass"], ["audit.retention", "pass"], ["audit.disk", "pass"], ["audit.rules", "skip"],
    ]);
    expect(exitCode).toBe(0);
  });

  it("names a world-readable file with the chmod that fixes it", async () => {
    const { dir, logs } = await project();
    await chmod(join(logs, dayFileName(days[1] as string)), 0o644);
    const { exitCode, byId } = await check(dir);
    expect(exitCode).toBe(1);
    const permissions = byId("audit.permissions");
    expect(permissions.status).toBe("fail");
    expect(permissions.summary).toBe(`1 audit file is world-readable (${dayFileName(days[1] as string)}: mode 0644)`);
    expect(permissions.hint).toBe(`chmod o-rw ${join(logs, "audit-*")}`);
  });

  it("names a world-accessible directory", async () => {
    const { dir, logs } = await project();
    await chmod(logs, 0o755);
    const { byId } = await check(dir);
    expect(byId("audit.permissions").findings[0]?.message).toBe("the audit directory is accessible to every user (mode 0755)");
    expect(byId("audit.permissions").findings[0]?.hint).toBe(`chmod o-rwx ${logs}`);
  });

  it("reports a tampered line through the verifier, with the first problem and the command to see all", async () => {
    const { dir, logs } = await project();
    const file = join(logs, dayFileName(days[1] as string));
    const lines = await readLines(file);
    lines[0] = (lines[0] as string).replace('"tenant":"EUR"', '"tenant":"KM"');
    await writeLines(file, lines);
    await chmod(file, 0o640);
    const { exitCode, byId } = await check(dir);
    expect(exitCode).toBe(1);
    const chain = byId("audit.chain");
    expect(chain.status).toBe("fail");
    expect(chain.summary).toMatch(new RegExp(`^TAMPERED: ${dayFileName(days[1] as string).replace(/\./g, "\\.")}: INVALID`));
    expect(chain.hint).toBe(`Run \`mon verify --dir ${logs}\` for every finding; treat the trail as tampered until explained.`);
  });

  it("reports a missing day file inside the sealed range", async () => {
    const { dir, logs } = await project();
    await rm(join(logs, dayFileName(days[1] as string)));
    const { exitCode, byId } = await check(dir);
    expect(exitCode).toBe(1);
    expect(byId("audit.chain").summary).toContain(`TAMPERED: ${dayFileName(days[1] as string)}: `);
    expect(byId("audit.chain").summary).toMatch(/MISSING/i);
  });

  it("fails a retention below the compliance minimum, naming the config field", async () => {
    const { dir } = await project({ audit: { dir: "logs", retentionDays: 30 } });
    const { exitCode, byId } = await check(dir);
    expect(exitCode).toBe(1);
    const retention = byId("audit.retention");
    expect(retention.summary).toBe("audit.retentionDays is 30, below the compliance minimum of 2555 days (7 years)");
    expect(retention.hint).toBe('Set "audit": { "retentionDays": 2555 } in mon.config.json.');
  });

  it("warns when the newest day is long past", async () => {
    const { dir } = await project({}, 10);
    const { exitCode, byId } = await check(dir);
    expect(byId("audit.recent").status).toBe("warn");
    expect(byId("audit.recent").summary).toBe(`the newest day is ${addDays(today, -10)} (10 days ago): is the app writing to this directory?`);
    expect(exitCode).toBe(0);
  });

  it("warns about misnamed files", async () => {
    const { dir, logs } = await project();
    await writeFile(join(logs, "audit-2025-3-1.log"), "");
    const names = await check(dir);
    expect(names.byId("audit.names").status).toBe("warn");
    expect(names.byId("audit.names").findings[0]?.message).toBe("audit-2025-3-1.log does not follow audit-YYYY-MM-DD.log: mon verify, report and prune ignore it");
    expect(names.exitCode).toBe(0);
    expect((await check(dir, ["--strict"])).exitCode).toBe(1);
  });

  it("skips, not fails, a fresh install whose app has not run yet, and fails it only under --strict", async () => {
    const { dir, logs } = await project();
    await rm(logs, { recursive: true });
    const none = await check(dir);
    expect(none.exitCode).toBe(0);
    expect(none.byId("audit.dir").status).toBe("skip");
    expect(none.byId("audit.dir").summary).toBe(`${logs} does not exist yet: the runtime creates it when the app starts`);
    expect(none.byId("audit.dir").hint).toBe("Start the app, then run mon check again; if the app is running, set audit.dir in mon.config.json to the directory it writes to.");
    expect(none.byId("audit.chain").status).toBe("skip");
    expect(none.byId("audit.retention").status).toBe("pass");
    expect((await check(dir, ["--strict"])).exitCode).toBe(1);
  });

  it("fails a path that exists but is not a directory", async () => {
    const { dir, logs } = await project();
    await rm(logs, { recursive: true });
    await writeFile(logs, "");
    const file = await check(dir);
    expect(file.exitCode).toBe(1);
    expect(file.byId("audit.dir").summary).toBe(`${logs} exists but is not a directory`);
  });

  it("passes an empty directory the app just created, saying nothing was recorded yet", async () => {
    const { dir, logs } = await project();
    await rm(logs, { recursive: true });
    await mkdir(logs, { mode: 0o750 });
    const empty = await check(dir);
    expect(empty.exitCode).toBe(0);
    expect(empty.byId("audit.dir").status).toBe("pass");
    expect(empty.byId("audit.recent").status).toBe("pass");
    expect(empty.byId("audit.recent").summary).toBe("no day file yet: the trail starts with the app's first audit entry");
  });
});

describe("audit.rules: the route rules in mon.config.json", () => {
  const SERVER = 'const express = require("express");\nconst app = express();\napp.post("/api/orders", (req, res) => res.json({}));\napp.get("/api/licenses/:id", (req, res) => res.json({}));\napp.listen(3000);\n';
  const PKG = JSON.stringify({ name: "shop", scripts: { start: "node server.js" }, dependencies: { express: "^4.21.2" } });

  async function withRules(events: Record<string, unknown>) {
    const { dir } = await project({ events });
    await writeFile(join(dir, "server.js"), SERVER);
    await writeFile(join(dir, "package.json"), PKG);
    return check(dir);
  }

  it("passes valid rules whose templates the app registers", async () => {
    const ok = await withRules({ "POST /api/orders": { event: "wallet.purchase", amount: "response.total" }, "GET /api/licenses/:id": { event: "license.accessed", target: "params.id" } });
    expect(ok.byId("audit.rules").status).toBe("pass");
    expect(ok.byId("audit.rules").summary).toBe("2 route rules, each valid and matching a route the app registers");
    expect(ok.exitCode).toBe(0);
  });

  it("fails an unknown event, a malformed path and a template no route has, each by its config path", async () => {
    const bad = await withRules({
      "POST /api/orders": { event: "wallet.purchase", amount: "response..total" },
      "GET /api/licenses/:id": { event: "license.downloaded" },
      "POST /api/refunds": { event: "wallet.refund", amount: "body.amount" },
    });
    expect(bad.exitCode).toBe(1);
    expect(bad.byId("audit.rules").status).toBe("fail");
    expect(bad.byId("audit.rules").findings.map((f) => f.message)).toEqual([
      'events["POST /api/orders"].amount: malformed path "response..total": segment 2 ("") must be a name, optionally followed by []',
      'events["GET /api/licenses/:id"].event: unknown event "license.downloaded" (allowed: login, logout, wallet.deposit, wallet.purchase, wallet.refund, wallet.withdrawal, license.generated, license.accessed, branch.created, role.changed, user.created, admin.action, security.event)',
      'events["POST /api/refunds"]: no route POST /api/refunds in the app (server.js)',
    ]);
    expect(bad.byId("audit.rules").summary).toBe("3 problems in the route rules: a rule with a problem is off, the others record");
  });

  it("skips when there are no rules", async () => {
    const { dir } = await project();
    expect((await check(dir)).byId("audit.rules")).toMatchObject({ status: "skip", summary: 'no route rules in mon.config.json "events"' });
  });
});
