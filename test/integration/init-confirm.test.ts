import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { copyFixture, runMon } from "../helpers/cli.js";
import { hashTree } from "../helpers/host-app.js";
import { drive } from "../helpers/pty.js";

// Confirmation before writing, in a real pseudo-terminal: init and uninstall show the plan, ask
// "Apply these N changes?", and write nothing on no. Without a terminal, uninstall needs --yes.
const INIT = ["init", "--yes", "--tenants", "EUR", "--tenant-from", "header:x-shop", "--skip-install", "--monwire-from", "/opt/monwire.tgz"];
const TERMINAL_INIT = ["init", "--tenants", "EUR", "--tenant-from", "header:x-shop", "--no-sentry", "--skip-install", "--monwire-from", "/opt/monwire.tgz"];

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

async function fixture(): Promise<string> {
  const { dir, cleanup } = await copyFixture("host-js-esm");
  cleanups.push(cleanup);
  return dir;
}

describe("mon init in a terminal asks before writing", () => {
  it("writes nothing when the answer is no, and everything when it is yes", async () => {
    const app = await fixture();
    const original = hashTree(app, []);
    const declined = await drive(app, TERMINAL_INIT, [[/Route rules/, "\r"], [/Apply these \d+ changes\? \(Y\/n\)/, "n\r"]]);
    expect(declined.code, declined.output).toBe(0);
    expect(declined.output.indexOf("UPDATE")).toBeLessThan(declined.output.indexOf("Apply these"));
    expect(declined.output).toContain("nothing was written (you answered no)");
    expect(hashTree(app, [])).toEqual(original);

    const accepted = await drive(app, TERMINAL_INIT, [[/Route rules/, "\r"], [/Apply these \d+ changes\?/, "y\r"]]);
    expect(accepted.code, accepted.output).toBe(0);
    expect(accepted.output).toMatch(/done: \d+ created/);
    expect(existsSync(join(app, "mon.config.json"))).toBe(true);
  }, 90_000);

  it("does not ask with --yes", async () => {
    const app = await fixture();
    const { output, code } = await drive(app, [...TERMINAL_INIT, "--yes"], []);
    expect(code, output).toBe(0);
    expect(output).not.toContain("Apply these");
    expect(existsSync(join(app, "mon.config.json"))).toBe(true);
  }, 60_000);
});

describe("mon uninstall asks before deleting", () => {
  it("in a terminal: no keeps every file (the default), yes removes monwire", async () => {
    const app = await fixture();
    const original = hashTree(app, []);
    expect((await runMon(INIT, { cwd: app })).exitCode).toBe(0);
    const afterInit = hashTree(app, []);

    const declined = await drive(app, ["uninstall", "--skip-install"], [[/Apply these \d+ changes\? \(y\/N\)/, "\r"]]);
    expect(declined.code, declined.output).toBe(0);
    expect(declined.output.indexOf("DELETE")).toBeLessThan(declined.output.indexOf("Apply these"));
    expect(declined.output).toContain("nothing was changed (you answered no)");
    expect(hashTree(app, [])).toEqual(afterInit);

    const accepted = await drive(app, ["uninstall", "--skip-install"], [[/Apply these \d+ changes\?/, "y\r"]]);
    expect(accepted.code, accepted.output).toBe(0);
    expect(accepted.output).toMatch(/removed monwire: \d+ file\(s\) changed/);
    expect(hashTree(app, [])).toEqual(original);
  }, 90_000);

  it.each([["CI=true", { CI: "true" }], ["no CI, no terminal", { CI: "" }]])("without a terminal (%s) and without --yes: exit 2 naming --yes, nothing deleted", async (_name, env) => {
    const app = await fixture();
    expect((await runMon(INIT, { cwd: app })).exitCode).toBe(0);
    const afterInit = hashTree(app, []);
    const refused = await runMon(["uninstall", "--skip-install"], { cwd: app, env });
    expect(refused.exitCode, String(refused.stderr)).toBe(2);
    expect(String(refused.stderr)).toContain("--yes");
    expect(hashTree(app, [])).toEqual(afterInit);
    const json = await runMon(["uninstall", "--skip-install", "--json"], { cwd: app, env });
    expect(json.exitCode).toBe(2);
    expect(hashTree(app, [])).toEqual(afterInit);

    const removed = await runMon(["uninstall", "--yes", "--skip-install"], { cwd: app, env });
    expect(removed.exitCode, String(removed.stderr)).toBe(0);
    expect(existsSync(join(app, "mon.config.json"))).toBe(false);
  }, 60_000);

  it("without --yes still reports what stands first: no manifest (exit 2) and a conflict (exit 1), nothing deleted", async () => {
    const app = await fixture();
    const none = await runMon(["uninstall", "--skip-install"], { cwd: app });
    expect(none.exitCode).toBe(2);
    expect(String(none.stderr)).toContain("nothing to uninstall");
    expect((await runMon(INIT, { cwd: app })).exitCode).toBe(0);
    writeFileSync(join(app, "src", "extra.js"), 'import { monitoring } from "./middleware/monitoring.js";\nexport const m = monitoring;\n');
    const before = hashTree(app, []);
    const conflict = await runMon(["uninstall", "--skip-install"], { cwd: app });
    expect(conflict.exitCode, String(conflict.stderr)).toBe(1);
    expect(String(conflict.stdout)).toMatch(/CONFLICT\s+src\/middleware\/monitoring\.js/);
    expect(hashTree(app, [])).toEqual(before);
  }, 60_000);
});
