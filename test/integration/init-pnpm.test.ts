import { existsSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";
import { describeHostFlow } from "../helpers/host-flow.js";
import { ensurePnpm } from "../helpers/host-app.js";

// Fixture (e): a member of a pnpm workspace (JavaScript ESM, Express 5, a workspace:* dependency).
// The install goes through pnpm — the workspace's own manager — never npm.
const pnpmBin = await ensurePnpm();
const PATH = `${pnpmBin}:${process.env.PATH}`;

describeHostFlow({
  fixture: "host-pnpm-workspace",
  member: "packages/api",
  env: { PATH },
  expected: { moduleSystem: "esm", entry: "src/index.js", packageManager: "pnpm" },
  checks: [["node", "--check", "src/index.js"]],
  installed: (cacheApp) => {
    // pnpm ran at the workspace root: its lockfile, no npm lockfile anywhere.
    expect(existsSync(join(cacheApp, "pnpm-lock.yaml"))).toBe(true);
    expect(existsSync(join(cacheApp, "package-lock.json"))).toBe(false);
    expect(existsSync(join(cacheApp, "packages", "api", "package-lock.json"))).toBe(false);
  },
  startScript: "start",
  rules: {
    "GET /api/licenses/:id": { event: "license.accessed", target: "params.id" },
    "POST /api/wallet/deposit": { event: "wallet.deposit", amount: "body.amountMinor", amountUnit: "minor" },
  },
  eventsFile: "src/events.js",
  eventsCode: `import { track } from "./monitoring/audit.js";

export async function onDeposit(amountMinor) {
  await track.walletTransaction({ type: "deposit", outcome: "success", amountMinor });
}
`,
});
