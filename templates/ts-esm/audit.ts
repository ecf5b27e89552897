// The tamper-evident audit trail and the business-event helpers: `await track.walletTransaction(…)`
// updates the metric and returns once the audit line is durably written. Written by `mon init`.
import { monitoring } from "../middleware/monitoring{{ext}}";

export const audit = monitoring.audit;
export const track = monitoring.track;
