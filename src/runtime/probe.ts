import { createHash } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { checkBearer } from "./metrics-handler.js";

/**
 * The error-handler probe `mon check` uses to prove at runtime that `monitoring.errorHandler` is
 * reachable — that no error middleware of the app answers before it (then no error reaches Sentry
 * or api_errors_total{kind="exception"}). The check sends a request carrying PROBE_HEADER and the
 * metrics bearer token, the one secret the app and `mon check` already share; the middleware then
 * passes a ProbeError down Express's error chain. monitoring.errorHandler answers it itself (200,
 * PROBE_HEADER: reached); when an app handler answers first, the header says only "started".
 *
 * No public surface: without a configured token the probe does not exist, a wrong token is an
 * ordinary request, and the comparison is constant-time. Probe requests are neither measured nor
 * reported to Sentry.
 */
export const PROBE_HEADER = "x-monwire-probe";
export const PROBE_KIND = "error-handler";

const PROBE = Symbol.for("monwire.probeError");

export class ProbeError extends Error {
  constructor() {
    super("monwire error-handler probe (sent by `mon check`; expected, not a failure of the app)");
    this.name = "MonwireProbeError";
    Object.defineProperty(this, PROBE, { value: true });
    // The app's own handler may answer in its place: a 500 keeps it from looking like success.
    Object.defineProperty(this, "status", { value: 500, enumerable: false });
  }
}

export function isProbeError(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as Record<symbol, unknown>)[PROBE] === true;
}

/** Whether a request is an authentic probe; always false when no token is configured. */
export function createProbeGate(token: string | undefined): (req: IncomingMessage) => boolean {
  if (!token) return () => false;
  const expected = createHash("sha256").update(token).digest();
  return (req) => req.headers[PROBE_HEADER] === PROBE_KIND && checkBearer(req.headers.authorization, expected) === "ok";
}
