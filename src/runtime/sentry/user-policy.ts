import type { RequestContext } from "../context.js";

/**
 * The client's IP address and user agent are personal data (GDPR Art. 4(1)); the shop wants them
 * in error reports to tell one customer's broken browser from an attack. They are sent only as
 * `sentry.pii` ("ip" or "ip+email") and `sentry.sendUserAgent` say: the IP is off unless asked for (init asks),
 * the user agent on unless switched off. The IP is the one the middleware resolved (Express's
 * `req.ip`, honouring `trust proxy`), never a header the SDK guesses from.
 */
export interface UserPolicy {
  sendUserIp: boolean;
  sendUserAgent: boolean;
}

type Json = Record<string, any>;

const UA_HEADER = /^user-agent$/i;
/** Span attributes that carry the client's address or user agent (OTel HTTP semantic conventions, old and new). */
const IP_ATTRIBUTES = ["client.address", "http.client_ip", "net.peer.ip", "network.peer.address", "user.ip_address"];
const UA_ATTRIBUTES = ["user_agent.original", "http.user_agent", "http.request.header.user-agent"];

function withoutUserAgent(request: Json): Json {
  if (!request.headers || typeof request.headers !== "object") return request;
  const headers = Object.fromEntries(Object.entries(request.headers as Json).filter(([name]) => !UA_HEADER.test(name)));
  return { ...request, headers };
}

/** Applies the policy to an error or transaction event, with the request context it happened in. */
export function applyUserPolicy<E extends Json>(event: E, context: RequestContext | undefined, policy: UserPolicy): E {
  const out: Json = { ...event };
  const user: Json = { ...(out.user ?? {}) };
  if (policy.sendUserIp && context?.ip) user.ip_address = context.ip;
  if (!policy.sendUserIp) delete user.ip_address;
  if (Object.keys(user).length > 0) out.user = user;
  else delete out.user;
  if (out.request && typeof out.request === "object") {
    if (!policy.sendUserAgent) out.request = withoutUserAgent(out.request);
    else if (context?.userAgent && !Object.keys(out.request.headers ?? {}).some((h) => UA_HEADER.test(h))) {
      out.request = { ...out.request, headers: { ...(out.request.headers ?? {}), "user-agent": context.userAgent } };
    }
  }
  if (!policy.sendUserAgent && out.contexts && typeof out.contexts === "object") {
    // The SDK's own browser/OS contexts are parsed from the user agent.
    const { browser: _b, client_os: _o, ...rest } = out.contexts as Json;
    out.contexts = rest;
  }
  return out as E;
}

/** The same policy for a span's attributes (SDK 11 `attributes`, SDK 10 `data`). */
export function applyUserPolicyToSpan<S extends Json>(span: S, policy: UserPolicy): S {
  const drop = [...(policy.sendUserIp ? [] : IP_ATTRIBUTES), ...(policy.sendUserAgent ? [] : UA_ATTRIBUTES)];
  if (drop.length === 0) return span;
  const out: Json = { ...span };
  for (const key of ["attributes", "data"]) {
    if (out[key] && typeof out[key] === "object") {
      const copy: Json = { ...out[key] };
      for (const name of drop) delete copy[name];
      out[key] = copy;
    }
  }
  return out as S;
}
