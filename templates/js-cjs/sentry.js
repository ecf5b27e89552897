// Sentry error tracking, required first by the entry file. Written by `mon init`; settings live in
// mon.config.json and the DSN in the SENTRY_DSN environment variable (or in .env, which this file
// loads before Sentry starts, never overriding the real environment). See docs/sentry.md.
const Sentry = require("@sentry/node");
const { initSentry } = require("monwire/runtime");

// CommonJS loads modules one after another: handing over the SDK starts Sentry synchronously,
// before the app's next require and before its first request.
void initSentry({ sdk: Sentry });
