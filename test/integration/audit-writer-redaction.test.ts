import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createAuditTrail, MAX_DATA_BYTES, MAX_STRING_BYTES } from "../../src/runtime/audit/index.js";
import { runWithContext } from "../../src/runtime/context.js";
import { makeTempDir } from "../helpers/cli.js";
import { checkTrail } from "../fixtures/audit-writer/check-chain.js";

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  const temp = await makeTempDir("monwire-audit-redact-");
  dir = join(temp.dir, "logs");
  cleanup = temp.cleanup;
});
afterEach(() => cleanup());

// Card numbers are Luhn-valid test numbers; license keys follow the shop's format.
const CANARIES = {
  password: "hunter2-CANARY-pw",
  token: "tok_CANARY_abcdef123456",
  bearer: "CANARYbearer1234567890",
  apiKey: "ak_CANARY_0987654321",
  secret: "CANARY-client-secret-77",
  cookie: "sid=CANARYcookie42",
  visa: "4111111111111111",
  mastercardDashed: "5555-5555-5555-4444",
  visaSpaced: "4012 8888 8888 1881",
  license: "ABCD1-EFGH2-IJKL3-MNOP4",
  license2: "QRST5-UVWX6-YZAB7-CDEF8",
};

describe("audit writer redaction", () => {
  it("never writes passwords, tokens, card numbers or full license keys passed in data, reason or target", async () => {
    const audit = createAuditTrail({ dir, tenants: { values: ["KM"], currency: { KM: "BAM" } } });
    await runWithContext({ requestId: "r-1", tenant: "KM" }, async () => {
      await audit.record({
        category: "security",
        action: "login.suspicious",
        reason: `retry with Authorization: Bearer ${CANARIES.bearer} card ${CANARIES.visaSpaced} key ${CANARIES.license}`,
        target: { type: "card", id: CANARIES.mastercardDashed },
        data: {
          password: CANARIES.password,
          user: { name: "ana", pwd: CANARIES.password, session_token: CANARIES.token },
          headers: { authorization: `Bearer ${CANARIES.bearer}`, Cookie: CANARIES.cookie },
          apiKey: CANARIES.apiKey,
          "API-KEY": CANARIES.apiKey,
          client_secret: CANARIES.secret,
          attempts: [{ accessToken: CANARIES.token }, `paid with ${CANARIES.visa}`],
          cardNumber: CANARIES.visa,
          license_key: CANARIES.license,
          note: `keys ${CANARIES.license2} and ${CANARIES.visa}`,
        },
      });
      await audit.license.generated({ product: "pro", keys: [CANARIES.license, CANARIES.license2] });
      await audit.license.revoked({ key: CANARIES.license2, reason: `revoked ${CANARIES.license2}` });
      await audit.financial.purchase({ amount: { minor: 999 }, wallet: "w-1", product: "pro", data: { card: CANARIES.visa, cvv: "123" } });
      await audit.authentication.loginFailed({ username: "ana", data: { password: CANARIES.password } });
    });
    await audit.close();

    const check = checkTrail(dir);
    expect(check.problems).toEqual([]);
    const bytes = check.bytes.toString("utf8");
    for (const [name, canary] of Object.entries(CANARIES)) expect(bytes.includes(canary), name).toBe(false);
    for (const group of ["ABCD1", "EFGH2", "IJKL3", "QRST5", "UVWX6", "YZAB7"]) expect(bytes.includes(group), group).toBe(false);
    // Masked keys stay correlatable: the last group and a fingerprint remain.
    expect(bytes).toMatch(/\*{5}-\*{5}-\*{5}-MNOP4 \(sha256:[0-9a-f]{8}\)/);
    expect(bytes).toContain("[REDACTED]");
  });

  it("CR/LF in any field cannot forge a line, and oversized values are cut and listed in truncated", async () => {
    const audit = createAuditTrail({ dir });
    const forged = '{"action":"wallet.deposit","forged":true}';
    const entry = await runWithContext({ requestId: "r\n2", tenant: "none", userAgent: `ua\r\n${forged}\n${"u".repeat(5000)}` }, () =>
      audit.admin.action({
        action: "config.changed",
        reason: `first\n${forged}\r\nsecond`,
        target: { type: "config", id: `x\n${forged}` },
        data: { note: `a\n${forged}`, blob: "z".repeat(20_000), list: Array.from({ length: 2000 }, (_, i) => `item-${i}`), small: 1 },
      }),
    );
    await audit.close();
    const [file] = readdirSync(dir);
    const lines = readFileSync(join(dir, file as string), "utf8").split("\n").filter(Boolean);
    expect(lines).toHaveLength(2);
    expect(lines.some((l) => l.startsWith(forged.slice(0, 20)))).toBe(false);
    expect(checkTrail(dir).problems).toEqual([]);
    expect(entry.truncated).toEqual(expect.arrayContaining(["user_agent", "data.blob", "data.list"]));
    expect(Buffer.byteLength(entry.user_agent ?? "")).toBeLessThanOrEqual(MAX_STRING_BYTES);
    expect(entry.data).toMatchObject({ small: 1, note: `a\n${forged}` });
    expect(Buffer.byteLength(JSON.stringify(entry.data))).toBeLessThanOrEqual(MAX_DATA_BYTES);
    expect(Buffer.byteLength(lines[1] as string)).toBeLessThan(MAX_DATA_BYTES + 10 * MAX_STRING_BYTES);
  });
});
