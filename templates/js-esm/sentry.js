// Sentry error tracking, preloaded before the app with `node --import` (see package.json scripts)
// so Sentry can instrument Express as it loads. Written by `mon init`; settings live in
// mon.config.json and the DSN in the SENTRY_DSN environment variable (or in .env, which this file
// loads before Sentry starts, never overriding the real environment). See docs/sentry.md.
import { initSentry } from "monwire/runtime";

await initSentry();
