import { describeHostFlow } from "../helpers/host-flow.js";

// Fixture (d): JavaScript CommonJS, Express 4, CRLF line endings, entry at the project root;
// shares the install of fixture (a) (a superset of its dependencies).
describeHostFlow({
  fixture: "host-js-cjs",
  cacheFrom: "host-ts-esm",
  expected: { moduleSystem: "cjs", entry: "server.js", packageManager: "npm" },
  checks: [["node", "--check", "server.js"], ["node", "--check", "monitoring/sentry.js"]],
  startScript: "start",
  rules: {
    "GET /api/licenses/:id": { event: "license.accessed", target: "params.id" },
    "POST /api/wallet/deposit": { event: "wallet.deposit", amount: "body.amountMinor", amountUnit: "minor" },
  },
  eventsFile: "events.js",
  eventsCode: `"use strict";\r\nconst { track } = require("./monitoring/audit");\r\n\r\nasync function onDeposit(amountMinor) {\r\n  await track.walletTransaction({ type: "deposit", outcome: "success", amountMinor });\r\n}\r\n\r\nmodule.exports = { onDeposit };\r\n`,
});
