// The config both the instrument file and the app use in bench/sentry.mjs. BENCH_SENTRY picks
// the variant: "off" (Sentry disabled), "sdk" (the SDK initialised directly, without monwire's
// Sentry pieces: what a host gets from Sentry.init alone), "on" (monwire's initSentry, errors
// only), "traced" (on, 10 % of requests traced: the production default), "on-nodedupe" (on,
// sentry.dedupe "off").
export function benchConfig() {
  const mode = process.env.BENCH_SENTRY ?? "off";
  return {
    service: "bench",
    tenants: { values: ["EUR", "KM"], from: "header:x-shop", currency: { EUR: "EUR", KM: "BAM" } },
    metrics: { tokenEnv: "BENCH_UNSET_TOKEN" },
    audit: { enabled: false },
    actor: { id: "id", role: "role", segment: "accountType", branch: "branchId", branchParents: "branchPath" },
    sentry: {
      enabled: mode !== "off" && mode !== "sdk",
      loadEnvFile: false,
      environment: "production",
      release: "bench@1.0.0",
      tracesSampleRate: mode === "traced" ? 0.1 : 0,
      dedupe: mode === "on-nodedupe" ? "off" : "tenant",
    },
  };
}
