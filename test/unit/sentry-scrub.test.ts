import { describe, expect, it } from "vitest";
import { REDACTED } from "../../src/audit/redact.js";
import { scrubBreadcrumb, scrubEvent, scrubQueryString, scrubSpan, scrubUrl } from "../../src/runtime/sentry/scrub.js";

const CANARY = "canary-pw-5f3a";

describe("scrubEvent", () => {
  const event = {
    message: "charge failed for card 4111 1111 1111 1111",
    request: {
      method: "POST",
      url: "https://shop.example/api/login?next=/home&token=abc123",
      query_string: "next=/home&api_key=k-99",
      data: JSON.stringify({ user: "ana", password: CANARY }),
      cookies: { sid: "s3cr3t" },
      headers: { authorization: "Bearer abcdefghijklmnop", "content-type": "application/json", cookie: "sid=s3cr3t" },
      env: { REMOTE_ADDR: "10.0.0.1" },
    },
    extra: { payload: { password: CANARY, amount: 1050 } },
    contexts: { login: { otp: "123456", method: "password" }, trace: { trace_id: "t1", span_id: "s1" } },
    tags: { tenant: "KM", session_token: "zzz" },
    breadcrumbs: [{ category: "http", data: { url: "http://api/x?password=" + CANARY, status_code: 200 } }],
    exception: { values: [{ type: "Error", value: "bad key ABCD-EFGH-IJKL-MNOP", stacktrace: { frames: [{ function: "f", vars: { password: CANARY, n: 1 } }] } }] },
  };
  const scrubbed = scrubEvent(event);
  const text = JSON.stringify(scrubbed);

  it("never lets the canary out, wherever it was", () => {
    expect(text).not.toContain(CANARY);
    expect(text).not.toContain("s3cr3t");
    expect(text).not.toContain("abcdefghijklmnop");
  });

  it.each([
    ["request body", () => scrubbed.request.data, REDACTED],
    ["cookies", () => (scrubbed.request as Record<string, unknown>).cookies, undefined],
    ["request env", () => (scrubbed.request as Record<string, unknown>).env, undefined],
    ["authorization header", () => scrubbed.request.headers.authorization, REDACTED],
    ["cookie header", () => scrubbed.request.headers.cookie, REDACTED],
    ["harmless header", () => scrubbed.request.headers["content-type"], "application/json"],
    ["query string", () => scrubbed.request.query_string, `next=/home&api_key=${REDACTED}`],
    ["url query", () => scrubbed.request.url, `https://shop.example/api/login?next=/home&token=${REDACTED}`],
    ["extra", () => scrubbed.extra.payload, { password: REDACTED, amount: 1050 }],
    ["contexts", () => scrubbed.contexts.login, { otp: REDACTED, method: "password" }],
    ["trace context kept", () => scrubbed.contexts.trace, { trace_id: "t1", span_id: "s1" }],
    ["tags", () => scrubbed.tags, { tenant: "KM", session_token: REDACTED }],
    ["frame vars", () => scrubbed.exception.values[0]?.stacktrace.frames[0]?.vars, { password: REDACTED, n: 1 }],
  ])("%s", (_name, read, expected) => {
    expect(read()).toEqual(expected);
  });

  it("masks card numbers and license keys in messages", () => {
    expect(scrubbed.message).toBe(`charge failed for card ${REDACTED}`);
    expect(scrubbed.exception.values[0]?.value).toMatch(/^bad key \*{4}-\*{4}-\*{4}-MNOP \(sha256:[0-9a-f]{8}\)$/);
  });

  it("does not modify the event it was given", () => {
    expect(event.request.data).toContain(CANARY);
    expect(event.extra.payload.password).toBe(CANARY);
  });

  it("survives odd shapes", () => {
    expect(scrubEvent({ request: "x", exception: { values: "y" }, breadcrumbs: [null] })).toEqual({ request: "x", exception: { values: "y" }, breadcrumbs: [null] });
  });
});

describe("scrubQueryString / scrubUrl", () => {
  it.each([
    ["a=1&password=x", `a=1&password=${REDACTED}`],
    ["access_token=abc&page=2", `access_token=${REDACTED}&page=2`],
    ["card%5Fnumber=4111", `card%5Fnumber=${REDACTED}`],
    ["q=shoes", "q=shoes"],
    ["flag", "flag"],
  ])("%s → %s", (query, expected) => {
    expect(scrubQueryString(query)).toBe(expected);
  });

  it("keeps the path and scrubs only the query", () => {
    expect(scrubUrl("/api/reset?secret=1&x=2")).toBe(`/api/reset?secret=${REDACTED}&x=2`);
    expect(scrubUrl("/api/licenses/42")).toBe("/api/licenses/42");
  });
});

describe("scrubBreadcrumb / scrubSpan", () => {
  it("scrubs breadcrumb data and URLs", () => {
    const crumb = scrubBreadcrumb({ message: "Bearer abcdefghijklmnop", data: { url: "/x?token=1", apiKey: "k" } });
    expect(crumb).toEqual({ message: `Bearer ${REDACTED}`, data: { url: `/x?token=${REDACTED}`, apiKey: REDACTED } });
  });

  it.each([
    ["SDK 11 streamed span attributes", { name: "GET /x", attributes: { "url.full": "http://h/x?token=1", "http.request.header.authorization": "Basic abc" } },
      { name: "GET /x", attributes: { "url.full": `http://h/x?token=${REDACTED}`, "http.request.header.authorization": REDACTED } }],
    ["SDK 10 span data", { description: "GET /x?password=1", data: { "http.query": "?password=2&a=b" } },
      { description: `GET /x?password=${REDACTED}`, data: { "http.query": `?password=${REDACTED}&a=b` } }],
  ])("%s", (_name, span, expected) => {
    expect(scrubSpan(span)).toEqual(expected);
  });
});
