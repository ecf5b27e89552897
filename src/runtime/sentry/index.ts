/** Sentry error tracking for monwire/runtime: the instrument-file entry and its helpers. */
export { initSentry, isSentryActive, flushSentry, type InitSentryOptions, type SentryStatus, type SentryState } from "./init.js";
export { sentryErrorHandler, captureRequestError } from "./capture.js";
export { setErrorCategory, categorizeError, ERROR_CATEGORIES, type ErrorCategory } from "./tags.js";
export { parseDsn, maskDsn, type DsnResult, type ParsedDsn, type DsnWarning } from "./dsn.js";
