import { describeHostFlow } from "../helpers/host-flow.js";

// Fixture (a): TypeScript ESM, Express 4, server/index.ts, tsx for dev, an esbuild bundle for
// the build, port 5000 — the common full-stack template shape.
describeHostFlow({
  fixture: "host-ts-esm",
  expected: { moduleSystem: "esm", entry: "server/index.ts", packageManager: "npm" },
  checks: [["npm", "run", "check"], ["npm", "run", "build"]],
  startScript: "start",
  rules: {
    "GET /api/licenses/:id": { event: "license.accessed", target: "params.id" },
    "POST /api/wallet/deposit": { event: "wallet.deposit", amount: "body.amountMinor", amountUnit: "minor" },
  },
  eventsFile: "server/events.ts",
  eventsCode: `import { track } from "./monitoring/audit";

export async function onDeposit(amountMinor: number): Promise<void> {
  await track.walletTransaction({ type: "deposit", outcome: "success", amountMinor });
}
`,
});
