import { describeHostFlow } from "../helpers/host-flow.js";

// Fixture (b): TypeScript CommonJS, Express 5, compiled by tsc (module commonjs, node10 resolution).
describeHostFlow({
  fixture: "host-ts-cjs",
  expected: { moduleSystem: "cjs", entry: "src/index.ts", packageManager: "npm" },
  checks: [["npm", "run", "build"]],
  startScript: "start",
  rules: {
    "GET /api/licenses/:id": { event: "license.accessed", target: "params.id" },
    "POST /api/wallet/deposit": { event: "wallet.deposit", amount: "body.amountMinor", amountUnit: "minor" },
  },
  eventsFile: "src/events.ts",
  eventsCode: `import { track } from "./monitoring/audit";

export async function onDeposit(amountMinor: number): Promise<void> {
  await track.walletTransaction({ type: "deposit", outcome: "success", amountMinor });
}
`,
});
