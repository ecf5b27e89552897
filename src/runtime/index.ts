/**
 * monwire/runtime: what host apps import. Scaffolded files stay thin and call into this module,
 * so upgrading monwire upgrades every host.
 */
export { getRequestContext, runWithContext, setActor, setContextFields, type RequestContext } from "./context.js";
export { MonwireError, isMonwireError } from "../errors.js";
export { redact, maskLicenseKey } from "../audit/redact.js";
