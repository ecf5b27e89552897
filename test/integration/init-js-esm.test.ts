import { describeHostFlow } from "../helpers/host-flow.js";

// Fixture (c): JavaScript ESM, Express 5, no error middleware of its own; shares the install of
// fixture (b) (a superset of its dependencies).
describeHostFlow({
  fixture: "host-js-esm",
  cacheFrom: "host-ts-cjs",
  expected: { moduleSystem: "esm", entry: "src/server.js", packageManager: "npm" },
  checks: [["npm", "run", "check"], ["node", "--check", "src/monitoring/sentry.js"]],
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
