/**
 * The loopback Sentry envelope receiver now ships with `mon demo` (src/demo/sentry-receiver.ts);
 * tests use that same implementation.
 */
export * from "../../src/demo/sentry-receiver.js";
