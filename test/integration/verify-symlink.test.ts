import { mkdir, rename, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { addDays, dayFileName } from "../../src/audit/chain.js";
import { TestTrail } from "../helpers/audit-trail.js";
import { makeTempDir, runMon } from "../helpers/cli.js";

// The writer refuses a symlinked day file (O_NOFOLLOW), so a reader must not accept one either:
// whoever can plant a link can point a day at any file they control. Every reader that gives an
// integrity verdict (verify, report, check) names the link as a finding, even when the bytes it
// leads to would verify.
const today = new Date().toISOString().slice(0, 10);
const D1 = addDays(today, -2);
const D2 = addDays(today, -1);

let root: string;
let logs: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ dir: root, cleanup } = await makeTempDir("monwire-symlink-"));
  logs = join(root, "logs");
  const trail = new TestTrail({ start: `${D1}T09:00:00.000Z`, stepMs: 3_600_000 });
  const writer = trail.writer();
  for (let i = 0; i < 4; i++) writer.record({ amount: { minor: 100 + i, currency: "EUR" } });
  trail.at(`${D2}T09:00:00.000Z`);
  for (let i = 0; i < 3; i++) writer.record();
  await trail.write(logs);
  // The same bytes, moved out of the directory and linked back in.
  await mkdir(join(root, "elsewhere"));
  await rename(join(logs, dayFileName(D1)), join(root, "elsewhere", dayFileName(D1)));
  await symlink(join(root, "elsewhere", dayFileName(D1)), join(logs, dayFileName(D1)));
  await writeFile(join(root, "mon.config.json"), JSON.stringify({ service: "shop", audit: { dir: "logs" } }));
});
afterEach(async () => cleanup());

const LINK_MESSAGE = new RegExp(`${dayFileName(D1).replace(/\./g, "\\.")} is a symbolic link`);

describe("a symlinked day file", () => {
  it("mon verify: TAMPERED, exit 1, naming the file and that it is a symbolic link", async () => {
    const result = await runMon(["verify", "--dir", logs], { env: { MONWIRE_AUDIT_KEY: "" } });
    expect(result.exitCode).toBe(1);
    expect(String(result.stdout)).toMatch(new RegExp(`^${dayFileName(D1).replace(/\./g, "\\.")}\\s+INVALID: .*is a symbolic link`, "m"));
    expect(String(result.stdout)).toMatch(/TAMPERED/);
    const json = JSON.parse(String((await runMon(["verify", "--dir", logs, "--json"], { env: { MONWIRE_AUDIT_KEY: "" } })).stdout));
    const file = json.files.find((f: { name: string }) => f.name === dayFileName(D1));
    expect(file.status).toBe("invalid");
    expect(file.issues).toContainEqual(expect.objectContaining({ kind: "symlink", severity: "tamper", message: expect.stringMatching(LINK_MESSAGE) }));
    // The day next to it is untouched and stays valid.
    expect(json.files.find((f: { name: string }) => f.name === dayFileName(D2)).status).toBe("valid");
  });

  it("mon report: the integrity verdict is tampered and names the link", async () => {
    const result = await runMon(["report", "--dir", logs, "--from", D1, "--to", D2, "--json"], { env: { MONWIRE_AUDIT_KEY: "" } });
    expect(result.exitCode).toBe(1);
    const report = JSON.parse(String(result.stdout));
    expect(report.integrity.status).toBe("tampered");
    expect(report.integrity.dirs[0].findings).toContainEqual(expect.objectContaining({ name: dayFileName(D1), status: "invalid", verdict: expect.stringMatching(LINK_MESSAGE) }));
  });

  it("mon check: the audit chain check fails on it", async () => {
    const result = await runMon(["check", "--only", "audit", "--json"], { cwd: root, env: { MONWIRE_AUDIT_KEY: "" } });
    expect(result.exitCode).toBe(1);
    const chain = JSON.parse(String(result.stdout)).checks.find((c: { id: string }) => c.id === "audit.chain");
    expect(chain.status).toBe("fail");
    expect(chain.summary).toMatch(new RegExp(`^TAMPERED: ${dayFileName(D1).replace(/\./g, "\\.")}: INVALID: .*is a symbolic link`));
  });

  it("a regular file in its place verifies intact (the link alone is the finding)", async () => {
    await rename(join(root, "elsewhere", dayFileName(D1)), join(logs, dayFileName(D1)));
    const result = await runMon(["verify", "--dir", logs], { env: { MONWIRE_AUDIT_KEY: "" } });
    expect(result.exitCode, String(result.stdout)).toBe(0);
  });
});
