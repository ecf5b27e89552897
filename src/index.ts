/**
 * monwire's contracts for tools and scripts: config schema, metric catalog, audit format.
 * Host apps import `monwire/runtime` instead.
 */
export * from "./config/index.js";
export * from "./metrics/index.js";
export * from "./audit/index.js";
// Public since the first release; the renderer itself lives with the other renderers in src/cli.
export { formatVerifyReport } from "./cli/render-verify.js";
export { MonwireError, isMonwireError, EXIT, type ErrorCode, type ConfigIssue } from "./errors.js";
