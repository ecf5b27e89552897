// Loaded before the shop (node --import ./instrument.mjs server.mjs) so Sentry can instrument
// Express as it loads. The shop passes its own @sentry/node, so the SDK is the one installed
// beside the shop even when monwire itself was installed without the optional peer.
import { initSentry } from "monwire/runtime";

let sdk;
try {
  sdk = await import("@sentry/node");
} catch {
  // Without the SDK initSentry says how to install it, and the shop runs on without Sentry.
}
await initSentry(sdk ? { sdk } : {});
