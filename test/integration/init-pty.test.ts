import { appendFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { copyFixture } from "../helpers/cli.js";
import { drive, type Step } from "../helpers/pty.js";

// The interactive path in a real pseudo-terminal (test/helpers/pty.ts).
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

describe("mon init in a terminal", () => {
  it("asks for tenants, their source and the features, and writes the answers", async () => {
    const { dir, cleanup } = await copyFixture("host-ts-esm");
    cleanups.push(cleanup);
    const { output, code } = await drive(dir, ["init", "--skip-install"], [
      [/Tenant ids/, "EUR,KM\r"],
      [/tenant come from/, "header:x-shop\r"],
      // Uncheck the audit trail (third item): down twice, space, enter.
      [/Set up/, "\u001b[B\u001b[B \r"],
      // Personal data: keep the IP, uncheck the user agent (second item).
      [/Personal data/, "\u001b[B \r"],
      [/Profile CPU/, "\r"],
      // The route-rule checklist: untick the first proposal (the license fetch), keep the deposit.
      [/Route rules/, " \r"],
      // The plan and diffs are on screen; enter takes the default (yes).
      [/Apply these \d+ changes\? \(Y\/n\)/, "\r"],
    ]);
    expect(code, output).toBe(0);
    const config = JSON.parse(readFileSync(join(dir, "mon.config.json"), "utf8")) as {
      tenants: { values: string[]; from: string; currency: Record<string, string> };
      audit: { enabled: boolean };
      sentry: { enabled: boolean; pii: string; sendUserAgent: boolean; profiling?: boolean };
    };
    expect(config.tenants).toEqual({ values: ["EUR", "KM"], from: "header:x-shop", currency: { EUR: "EUR", KM: "BAM" } });
    expect(config.audit.enabled).toBe(false);
    expect(config.sentry).toMatchObject({ enabled: true, pii: "ip", sendUserAgent: false });
    expect(config.sentry.profiling).toBeUndefined();
    expect((config as unknown as { events: Record<string, unknown> }).events).toEqual({
      "POST /api/wallet/deposit": { event: "wallet.deposit", amount: "body.amountMinor", amountUnit: "minor" },
    });
    expect(output).toContain("CREATE");
    expect(output).toContain("- GET /api/licenses/:id → license.accessed (target params.id)");
  }, 60_000);

  it("asks before overwriting a file the user changed, and keeps it on no", async () => {
    const { dir, cleanup } = await copyFixture("host-js-esm");
    cleanups.push(cleanup);
    const answers: Step[] = [[/Tenant ids/, "EUR\r"], [/tenant come from/, "header:x-shop\r"], [/Set up/, "\r"], [/Personal data/, "\r"], [/Profile CPU/, "\r"], [/Route rules/, "\r"], [/Apply these/, "y\r"]];
    expect((await drive(dir, ["init", "--skip-install"], answers)).code).toBe(0);
    const file = join(dir, "src", "middleware", "monitoring.js");
    appendFileSync(file, "// mine\n");
    // The answers are in mon.config.json now: the re-run asks only about the changed file.
    const { output, code } = await drive(dir, ["init", "--skip-install"], [[/\(y\/N\)/, "n\r"]]);
    expect(output).not.toContain("Tenant ids");
    expect(output).not.toContain("Route rules for business events");
    expect(code, output).toBe(1);
    expect(readFileSync(file, "utf8")).toContain("// mine");
  }, 60_000);
});
