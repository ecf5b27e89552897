// Loaded with node --import before the benchmark driver, as a host's instrument file is. The
// SDK sends to a transport that counts envelopes and discards them: no network in the numbers,
// and the count proves the error path really ran (bench/sentry.mjs checks it).
import { initSentry } from "monwire/runtime";
import { benchConfig } from "./sentry-config.mjs";

globalThis.__benchEnvelopes = 0;
const transport = () => ({
  send(envelope) {
    globalThis.__benchEnvelopes += 1;
    // What the SDK's own transport does first: serialise the envelope.
    JSON.stringify(envelope);
    return Promise.resolve({ statusCode: 200, headers: {} });
  },
  flush: () => Promise.resolve(true),
});

const DSN = "http://0123456789abcdef@127.0.0.1:9/1";
if (process.env.BENCH_SENTRY === "sdk") {
  const Sentry = await import("@sentry/node");
  Sentry.init({ dsn: DSN, transport, tracesSampleRate: 0 });
} else if (process.env.BENCH_SENTRY !== "off") {
  const status = await initSentry({ config: benchConfig(), env: { SENTRY_DSN: DSN }, sentryOptions: { transport } });
  if (!status.active) throw new Error(`Sentry did not start: ${status.state} ${status.message ?? ""}`);
}
