// The Sentry benchmark's application (bench/sentry.mjs): the same nested route as app.mjs with
// monwire's middleware and error handler, Sentry on or off per the instrument file
// (sentry-instrument.mjs). BENCH_ROUTE=error makes every request throw, so each one takes the
// error path: monwire.errorHandler → Sentry capture → tags, user policy, scrubber, dedupe,
// envelope → a transport that discards it.
import express from "express";
import { createMonitoring } from "monwire/runtime";
import { benchConfig } from "./sentry-config.mjs";

export async function buildApp() {
  const monitoring = createMonitoring({ config: benchConfig() });
  const app = express();
  app.use(monitoring.middleware);
  // The host's auth: every request is a signed-in B2B user, so Sentry gets a user and its tags.
  app.use((req, _res, next) => {
    req.user = { id: `u-${req.params?.id ?? "1"}`, role: "owner", accountType: "b2b", branchId: "br-sa", branchPath: ["br-root", "br-ba"] };
    next();
  });
  const api = express.Router();
  api.get("/licenses/:id", (req, res) => {
    if (process.env.BENCH_ROUTE === "error") throw new Error(`license ${req.params.id} could not be activated`);
    res.json({ id: req.params.id, product: "pro", status: "active" });
  });
  app.use("/api", api);
  app.use(monitoring.errorHandler);
  // Without monwire's Sentry pieces a host reports errors with the SDK's own handler.
  if (process.env.BENCH_SENTRY === "sdk") (await import("@sentry/node")).setupExpressErrorHandler(app);
  app.use((error, _req, res, _next) => res.status(500).json({ error: "internal error" }));
  return app;
}

export { REQUESTS } from "./app.mjs";
