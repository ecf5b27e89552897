/**
 * monwire's contracts for tools and scripts: config schema, metric catalog, audit format.
 * Host apps import `monwire/runtime` instead.
 */
export * from "./config/index.js";
export * from "./metrics/index.js";
export * from "./audit/index.js";
export { MonwireError, isMonwireError, EXIT, type ErrorCode, type ConfigIssue } from "./errors.js";
