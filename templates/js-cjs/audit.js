// The tamper-evident audit trail and the business-event helpers: `await track.walletTransaction(…)`
// updates the metric and returns once the audit line is durably written. Written by `mon init`.
const { monitoring } = require("../middleware/monitoring{{ext}}");

module.exports = { audit: monitoring.audit, track: monitoring.track };
