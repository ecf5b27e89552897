import { keepsEmail, keepsIp, type PiiPolicy } from "../../audit/redact.js";
import type { SentryTransport } from "./sdk.js";

/**
 * The privacy policy for what no before* hook sees: release-health sessions. SDK 10 copies the
 * scope's user into the process session whenever a request calls `Sentry.setUser` (a forked
 * scope shares the session object), and sends `attrs.ip_address`, `attrs.user_agent` and a
 * `did` (the user's id, else email, else username) in a `session` envelope item that skips
 * beforeSend. The transport is the last place monwire sees it, so the policy is applied there.
 */
type Json = Record<string, any>;

const EMAIL = /@/;

function scrubSession(session: Json, pii: PiiPolicy, sendUserAgent: boolean): Json {
  const out: Json = { ...session };
  if (out.attrs && typeof out.attrs === "object") {
    const attrs: Json = { ...out.attrs };
    if (!keepsIp(pii)) delete attrs.ip_address;
    if (!sendUserAgent) delete attrs.user_agent;
    out.attrs = attrs;
  }
  if (!keepsEmail(pii) && typeof out.did === "string" && EMAIL.test(out.did)) delete out.did;
  return out;
}

/** The envelope with each session item (`session`, or `sessions` aggregates' attrs) under the policy; other items untouched. */
export function scrubEnvelope(envelope: unknown, pii: PiiPolicy, sendUserAgent: boolean): unknown {
  if (!Array.isArray(envelope) || !Array.isArray(envelope[1])) return envelope;
  const items = (envelope[1] as unknown[]).map((item) => {
    if (!Array.isArray(item)) return item;
    const [header, payload] = item as [Json | undefined, unknown];
    const type = header?.type;
    if ((type !== "session" && type !== "sessions") || !payload || typeof payload !== "object") return item;
    return [header, scrubSession(payload as Json, pii, sendUserAgent)];
  });
  return [envelope[0], items];
}

/** Wraps a transport so every envelope passes scrubEnvelope before it is serialised and sent. */
export function policyTransport(inner: SentryTransport, pii: PiiPolicy, sendUserAgent: boolean): SentryTransport {
  return {
    send: (envelope) => inner.send(scrubEnvelope(envelope, pii, sendUserAgent)),
    flush: (timeout) => inner.flush(timeout),
  };
}
