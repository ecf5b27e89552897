import { keepsEmail, keepsIp, REDACTED, isSensitiveKey, redact, redactPii, redactString, type PiiPolicy } from "../../audit/redact.js";

/**
 * The Sentry side of the one deny-list (src/audit/redact.ts): what the audit trail would never
 * write, Sentry never receives. It runs in beforeSend/beforeSendTransaction/beforeBreadcrumb, after
 * every SDK integration has added its data, so it also covers what an SDK version collects on its
 * own (SDK 10 attaches request bodies and raw Authorization headers by default).
 */
type Json = Record<string, unknown>;

const isRecord = (value: unknown): value is Json => typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * Any string Sentry would receive in a message, an exception value, breadcrumb data, extra,
 * contexts or the user: secrets always go, emails and IP addresses unless `sentry.pii` allows them.
 */
export function scrubText(text: string, policy: PiiPolicy = "none"): string {
  return redactPii(redactString(text), policy);
}

/** `a=1&token=x` → `a=1&token=[REDACTED]`; the rest of the string goes through redactString. */
export function scrubQueryString(query: string): string {
  return redactString(
    query.replace(/(^|[?&;])([^=&;#]+)=([^&;#]*)/g, (whole, sep: string, name: string) => {
      let key = name;
      try {
        key = decodeURIComponent(name.replace(/\+/g, " "));
      } catch {
        // A malformed escape: judge the raw name.
      }
      return isSensitiveKey(key) ? `${sep}${name}=${REDACTED}` : whole;
    }),
  );
}

/** Scrubs the query part of a URL, leaving scheme, host and path as they are. */
export function scrubUrl(url: string): string {
  const q = url.indexOf("?");
  return q === -1 ? redactString(url) : `${redactString(url.slice(0, q))}?${scrubQueryString(url.slice(q + 1))}`;
}

function scrubQuery(value: unknown): unknown {
  if (typeof value === "string") return scrubQueryString(value);
  // The SDK may also send query_string as [[key, value], …] or as an object.
  if (Array.isArray(value)) {
    return value.map((pair) =>
      Array.isArray(pair) && typeof pair[0] === "string" && isSensitiveKey(pair[0]) ? [pair[0], REDACTED] : redact(pair),
    );
  }
  return redact(value);
}

function scrubRequest(request: Json): Json {
  const out: Json = { ...request };
  // Bodies and cookies never leave: a body is where passwords and card numbers travel.
  if (out.data !== undefined && out.data !== null && out.data !== "") out.data = REDACTED;
  delete out.cookies;
  delete out.env;
  if (isRecord(out.headers)) out.headers = redact(out.headers);
  if (out.query_string !== undefined) out.query_string = scrubQuery(out.query_string);
  if (typeof out.url === "string") out.url = scrubUrl(out.url);
  return out;
}

function scrubException(exception: Json, policy: PiiPolicy): Json {
  if (!Array.isArray(exception.values)) return exception;
  return {
    ...exception,
    values: exception.values.map((value: unknown) => {
      if (!isRecord(value)) return value;
      const out: Json = { ...value };
      if (typeof out.value === "string") out.value = scrubText(out.value, policy);
      const stacktrace = out.stacktrace;
      if (isRecord(stacktrace) && Array.isArray(stacktrace.frames)) {
        out.stacktrace = {
          ...stacktrace,
          frames: stacktrace.frames.map((frame: unknown) => (isRecord(frame) && frame.vars !== undefined ? { ...frame, vars: redact(frame.vars) } : frame)),
        };
      }
      return out;
    }),
  };
}

/** Scrubs one breadcrumb: its data by key, its message and any URL by content. */
export function scrubBreadcrumb<B extends object>(breadcrumb: B, policy: PiiPolicy = "none"): B {
  const out: Json = { ...(breadcrumb as Json) };
  if (typeof out.message === "string") out.message = scrubText(out.message, policy);
  if (isRecord(out.data)) {
    const data = redact(out.data, { text: (value) => scrubText(value, policy) });
    if (typeof data.url === "string") data.url = scrubUrl(data.url);
    out.data = data;
  }
  return out as B;
}

/**
 * Returns a scrubbed copy of a Sentry error or transaction event. Never throws on odd shapes:
 * a scrubber that crashes would make the SDK drop the event, hiding the very error it reports.
 */
export function scrubEvent<E extends object>(event: E, policy: PiiPolicy = "none"): E {
  const out: Json = { ...(event as Json) };
  if (isRecord(out.request)) out.request = scrubRequest(out.request);
  const text = (value: string) => scrubText(value, policy);
  for (const key of ["extra", "contexts", "tags", "user"] as const) {
    if (out[key] !== undefined) out[key] = redact(out[key], { text });
  }
  if (isRecord(out.user)) out.user = scrubUser(out.user, policy);
  if (typeof out.message === "string") out.message = scrubText(out.message, policy);
  if (isRecord(out.logentry)) {
    out.logentry = redact(out.logentry, { text });
  }
  if (isRecord(out.exception)) out.exception = scrubException(out.exception, policy);
  if (Array.isArray(out.breadcrumbs)) {
    out.breadcrumbs = out.breadcrumbs.map((crumb: unknown) => (isRecord(crumb) ? scrubBreadcrumb(crumb, policy) : crumb));
  }
  if (Array.isArray(out.spans)) out.spans = out.spans.map((span: unknown) => (isRecord(span) ? scrubSpan(span, policy) : span));
  return out as E;
}

/** The event's user keeps its id; the IP address and email only when the policy allows them. */
function scrubUser(user: Json, policy: PiiPolicy): Json {
  const out: Json = { ...user };
  if (!keepsIp(policy)) delete out.ip_address;
  if (!keepsEmail(policy)) delete out.email;
  return out;
}

const URL_ATTRIBUTE = /(?:^|[._])(?:url|target|query)(?:$|[._])/;

/** Span attributes naming the client's address or the user's email (OpenTelemetry and older names). */
const CLIENT_IP_ATTRIBUTES = ["client.address", "http.client_ip", "net.peer.ip", "net.sock.peer.addr", "network.peer.address"];
const EMAIL_ATTRIBUTES = ["user.email", "enduser.email"];

function scrubAttributes(attributes: unknown, policy: PiiPolicy): unknown {
  if (!isRecord(attributes)) return redact(attributes);
  const out = redact(attributes);
  for (const [key, value] of Object.entries(out)) {
    if (typeof value === "string" && URL_ATTRIBUTE.test(key)) out[key] = key.endsWith("query") ? scrubQueryString(value) : scrubUrl(value);
  }
  if (!keepsIp(policy)) for (const key of CLIENT_IP_ATTRIBUTES) delete out[key];
  if (!keepsEmail(policy)) for (const key of EMAIL_ATTRIBUTES) delete out[key];
  return out;
}

/**
 * Scrubs a span before it is sent: SDK 11 streams spans with `attributes`, SDK 10 sends them with
 * `data`. Header attributes go by the deny-list, URL attributes lose sensitive query values, and
 * the client's address and the user's email stay only when `sentry.pii` allows them.
 */
export function scrubSpan<S extends object>(span: S, policy: PiiPolicy = "none"): S {
  const out: Json = { ...(span as Json) };
  if (out.attributes !== undefined) out.attributes = scrubAttributes(out.attributes, policy);
  if (out.data !== undefined) out.data = scrubAttributes(out.data, policy);
  if (typeof out.description === "string") out.description = scrubUrl(out.description);
  if (typeof out.name === "string") out.name = scrubUrl(out.name);
  return out as S;
}
