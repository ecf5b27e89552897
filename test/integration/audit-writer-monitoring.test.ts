import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runWithContext } from "../../src/runtime/context.js";
import { createMonitoring } from "../../src/runtime/create-monitoring.js";
import { makeTempDir } from "../helpers/cli.js";
import { checkTrail } from "../fixtures/audit-writer/check-chain.js";

let root: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  const temp = await makeTempDir("monwire-audit-monitoring-");
  root = temp.dir;
  cleanup = temp.cleanup;
});
afterEach(() => cleanup());

const config = {
  tenants: { values: ["EUR", "KM"], currency: { EUR: "EUR", KM: "BAM" } },
  audit: { dir: "var/audit", keyEnv: "MONWIRE_TEST_MONITORING_KEY" },
};

describe("createMonitoring with the audit trail", () => {
  it("track helpers update the metric and resolve once the audit entry is on disk", async () => {
    process.env.MONWIRE_TEST_MONITORING_KEY = "monitoring-hmac-key";
    const monitoring = createMonitoring({ config, cwd: root });
    delete process.env.MONWIRE_TEST_MONITORING_KEY;
    const audit = monitoring.audit;
    expect(audit?.dir).toBe(join(root, "var", "audit"));
    expect(audit?.algorithm).toBe("hmac-sha256");
    const walletBefore = (await monitoring.metrics.walletTx.get()).values.find((v) => v.labels.tenant === "KM" && v.labels.type === "deposit")?.value ?? 0;

    const context = { requestId: "req-1", tenant: "KM", ip: "192.0.2.4", userAgent: "shop-test", actor: { id: "u-5", role: "cashier", type: "user" as const } };
    await runWithContext(context, async () => {
      const pending = monitoring.track.walletTransaction({ type: "deposit", outcome: "success", amountMinor: 1050, walletId: "w-9", txId: "tx-1" });
      // The metric moves synchronously; the promise waits for the durable entry.
      const walletNow = (await monitoring.metrics.walletTx.get()).values.find((v) => v.labels.tenant === "KM" && v.labels.type === "deposit")?.value ?? 0;
      expect(walletNow - walletBefore).toBe(1);
      await pending;
      expect(checkTrail(audit?.dir as string, { key: "monitoring-hmac-key" }).entries.map((e) => e.action)).toContain("wallet.deposit");
      await monitoring.track.licenseKeysGenerated({ product: "pro", keys: ["WXYZ-1234-ABCD-9876"] });
      await monitoring.track.login({ outcome: "failure", method: "password" });
      await monitoring.track.branchCreated({ branchId: "b-3", name: "Mostar" });
    });
    await monitoring.track.walletTransaction({ type: "refund", outcome: "success", amountMinor: 99 });
    await monitoring.close();
    await expect(audit?.record({ category: "admin", action: "a.b" })).rejects.toMatchObject({ code: "E_AUDIT_CLOSED" });

    const check = checkTrail(audit?.dir as string, { key: "monitoring-hmac-key" });
    expect(check.problems).toEqual([]);
    const [, deposit, license, login, branch, refund] = check.entries;
    expect(deposit).toMatchObject({
      category: "financial", action: "wallet.deposit", tenant: "KM", amount: { minor: 1050, currency: "BAM" }, target: { type: "wallet", id: "w-9" },
      tx_id: "tx-1", ip: "192.0.2.4", user_agent: "shop-test", request_id: "req-1", actor: { id: "u-5", role: "cashier", type: "user" },
    });
    expect(license).toMatchObject({ category: "license", action: "license_key.generated", data: { product: "pro", count: 1, keys: [expect.stringMatching(/-9876 \(sha256:/)] } });
    expect(login).toMatchObject({ category: "authentication", action: "login.failed", outcome: "failure", data: { method: "password" } });
    expect(branch).toMatchObject({ category: "user_management", action: "branch.created", target: { type: "branch", id: "b-3" }, data: { name: "Mostar" } });
    // Outside a request there is no tenant and so no currency: the entry is still written.
    expect(refund).toMatchObject({ action: "wallet.refund", tenant: "none", actor: { type: "system" }, data: { amount_minor: 99, currency: "unconfigured" } });
    expect(check.bytes.includes("WXYZ-1234-ABCD")).toBe(false);
  });

  it("has no trail when audit.enabled is false, and the track helpers still work", async () => {
    const monitoring = createMonitoring({ config: { ...config, audit: { enabled: false } }, cwd: root });
    expect(monitoring.audit).toBeUndefined();
    await monitoring.track.branchCreated({ branchId: "b-1" });
    await monitoring.close();
  });
});
