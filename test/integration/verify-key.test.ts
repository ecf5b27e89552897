import { readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { TestTrail, appendRaw, downgradeTrail } from "../helpers/audit-trail.js";
import { TEST_DIST, makeTempDir, runMon } from "../helpers/cli.js";

// With a key, every entry and anchor must be signed with it, except what the trail itself (in an
// entry signed with the key) records as written before signing began; a key the trail was not
// signed with is reported once, as "wrong key". verify, check and report share the verifier.
type Runtime = typeof import("../../src/runtime/audit/index.js");
const { createAuditTrail } = (await import(join(TEST_DIST, "runtime/audit/index.js"))) as Runtime;

const KEY = "key-downgrade-key";
const D1 = "2025-03-10";
const D2 = "2025-03-11";
const D3 = "2025-03-12";
let root: string;
let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ dir: root, cleanup } = await makeTempDir("monwire-verify-key-"));
  dir = join(root, "logs");
});
afterEach(async () => cleanup());

async function keyedTrail(): Promise<void> {
  const trail = new TestTrail({ key: KEY, start: `${D1}T08:00:00.000Z`, stepMs: 60_000 });
  const a = trail.writer({ id: "aaaaaaaaaaaa" });
  for (let i = 0; i < 4; i++) a.record({ amount: { minor: 100 + i, currency: "EUR" } });
  trail.at(`${D2}T08:00:00.000Z`);
  const b = trail.writer({ id: "bbbbbbbbbbbb" });
  for (let i = 0; i < 4; i++) (i % 2 ? a : b).record({ tenant: "KM", amount: { minor: 50 + i, currency: "BAM" } });
  trail.at(`${D3}T08:00:00.000Z`);
  a.record();
  await trail.write(dir);
  await trail.seal(dir, D2);
}

const verify = (key: string, extra: string[] = []) => runMon(["verify", "--dir", dir, ...extra], { env: { MONWIRE_AUDIT_KEY: key } });

describe("a key downgrade is tampering, in verify, check and report", () => {
  it("mon verify, mon check and mon report reject a keyed trail rewritten and re-sealed without the key", async () => {
    await keyedTrail();
    expect((await verify(KEY)).exitCode).toBe(0);
    await downgradeTrail(dir, D3);
    // Without the key the rewritten trail is a fine unsigned trail: nothing else can tell.
    expect((await verify("")).exitCode).toBe(0);

    const verified = await verify(KEY, ["--json"]);
    expect(verified.exitCode).toBe(1);
    const report = JSON.parse(String(verified.stdout));
    expect(report.status).toBe("tampered");
    expect(report.files[0].issues.map((i: { kind: string }) => i.kind)).toContain("downgrade");
    expect(report.anchors[0].verdict).toMatch(/anchor is not signed with the key.*key downgrade/);

    await writeFile(join(root, "mon.config.json"), JSON.stringify({ service: "shop", audit: { dir: "logs" } }));
    const check = await runMon(["check", "--only", "audit", "--json"], { cwd: root, env: { MONWIRE_AUDIT_KEY: KEY } });
    const chain = JSON.parse(String(check.stdout)).checks.find((c: { id: string }) => c.id === "audit.chain");
    expect(chain.status).toBe("fail");
    expect(chain.summary).toMatch(/TAMPERED: audit-2025-03-10\.log: INVALID: writer a{12} \(line 1\) is not signed with the key/);
    expect(check.exitCode).toBe(1);

    const reported = await runMon(["report", "--dir", dir, "--from", D1, "--to", D3, "--format", "json"], { env: { MONWIRE_AUDIT_KEY: KEY } });
    expect(reported.exitCode).toBe(1);
    expect(JSON.parse(String(reported.stdout)).integrity.status).toBe("tampered");
  });

  it("reports a wrong key once, as WRONG KEY with both key ids, exit 1 — not every line as tampered", async () => {
    await keyedTrail();
    const result = await verify("some-other-key");
    expect(result.exitCode).toBe(1);
    const out = String(result.stdout);
    expect(out).toMatch(/^WRONG KEY: the trail is signed with key id [0-9a-f]{16}, not with the given key \(key id [0-9a-f]{16}\) — TAMPERED or wrong key$/m);
    expect(out).not.toMatch(/hash mismatch|INVALID/);
    expect(out).not.toContain(KEY);
    expect(out).not.toContain("some-other-key");
    const json = JSON.parse(String((await verify("some-other-key", ["--json"])).stdout));
    expect(json).toMatchObject({ status: "tampered", wrongKey: { given: expect.stringMatching(/^[0-9a-f]{16}$/), trail: [expect.stringMatching(/^[0-9a-f]{16}$/)] } });
  });
});

describe("signing that begins in the middle of a trail", () => {
  it("accepts unsigned days before the runtime writer recorded that signing began, and nothing unsigned after", async () => {
    let now = Date.parse(`${D1}T10:00:00.000Z`);
    const clock = () => new Date(now);
    const before = createAuditTrail({ dir, clock, sealGraceMs: 0 });
    for (let i = 0; i < 3; i++, now += 1000) await before.financial.deposit({ tenant: "KM", amount: { minor: 10 + i, currency: "BAM" }, wallet: "w-1" });
    await before.close();
    now = Date.parse(`${D2}T10:00:00.000Z`);
    const keyed = createAuditTrail({ dir, key: KEY, clock, sealGraceMs: 0 });
    for (let i = 0; i < 3; i++, now += 1000) await keyed.financial.deposit({ tenant: "KM", amount: { minor: 20 + i, currency: "BAM" }, wallet: "w-1" });
    await keyed.close();
    const started = (await import("node:fs/promises")).readFile(join(dir, `audit-${D2}.log`), "utf8");
    expect(await started).toMatch(/"key_id":"[0-9a-f]{16}","pid":\d+,"prev_anchor":null,"prev_writer":\{[^}]*\},"signing_began":true/);
    expect(await readdir(dir)).toContain(`audit-${D1}.anchor.json`);
    const clean = await verify(KEY);
    expect(clean.exitCode, String(clean.stdout)).toBe(0);

    // An unsigned writer after signing began: written without the key.
    const forger = new TestTrail({ start: `${D2}T11:00:00.000Z` });
    forger.writer({ id: "eeeeeeeeeeee" }).record({ amount: { minor: 99_999, currency: "EUR" } });
    for (const [, lines] of forger.linesByDay()) await appendRaw(join(dir, `audit-${D2}.log`), lines.join(""));
    const forged = await verify(KEY);
    expect(forged.exitCode).toBe(1);
    expect(String(forged.stdout)).toMatch(/writer e{12} \(line \d+\) is not signed with the key and they continue after signing with the key began/);
  });
});
