// The app's monitoring: request metrics, the /metrics endpoint, the audit trail and the error
// handler, configured by mon.config.json. Written by `mon init`; the logic lives in
// monwire/runtime, so upgrading monwire upgrades this app. Pass a tenantResolver or a
// databaseProbe here when the defaults do not fit.
import { createMonitoring } from "monwire/runtime";

export const monitoring = createMonitoring({{options}});
