import { describe, expect, it } from "vitest";
import { REDACTED } from "../../src/audit/redact.js";
import { scrubBreadcrumb, scrubEvent, scrubSpan } from "../../src/runtime/sentry/scrub.js";

const event = () => ({
  message: "login by ana@example.com from 203.0.113.7 failed: password=hunter2",
  exception: { values: [{ type: "Error", value: "user bo@example.org at 2001:db8::7 sent cvv2=123 and api_key=ak_live_9" }] },
  breadcrumbs: [{ message: "retry from 198.51.100.4 for cy@example.net, pin_code: 4321" }],
  user: { id: "u-7", email: "ana@example.com", ip_address: "203.0.113.7" },
});

describe("scrubEvent: personal data follows sentry.pii, secrets always go", () => {
  it("none (default): no email, no IP, no secret", () => {
    const text = JSON.stringify(scrubEvent(event()));
    for (const gone of ["ana@example.com", "bo@example.org", "cy@example.net", "203.0.113.7", "2001:db8::7", "198.51.100.4", "hunter2", "=123", "ak_live_9", "4321"]) {
      expect(text, gone).not.toContain(gone);
    }
    expect(scrubEvent(event()).user).toEqual({ id: "u-7" });
  });

  it("ip: IPs stay, emails and secrets go", () => {
    const out = scrubEvent(event(), "ip");
    expect(out.message).toBe(`login by ${REDACTED} from 203.0.113.7 failed: password=${REDACTED}`);
    expect(out.user).toEqual({ id: "u-7", ip_address: "203.0.113.7" });
  });

  it("ip+email: both stay, secrets still go", () => {
    const out = scrubEvent(event(), "ip+email");
    expect(out.exception.values[0]?.value).toBe(`user bo@example.org at 2001:db8::7 sent cvv2=${REDACTED} and api_key=${REDACTED}`);
    expect(out.breadcrumbs[0]?.message).toBe(`retry from 198.51.100.4 for cy@example.net, pin_code: ${REDACTED}`);
    expect(out.user).toEqual({ id: "u-7", email: "ana@example.com", ip_address: "203.0.113.7" });
  });

  it("scrubs a breadcrumb message on its own (beforeBreadcrumb)", () => {
    expect(scrubBreadcrumb({ message: "mail ana@example.com token=abc" }).message).toBe(`mail ${REDACTED} token=${REDACTED}`);
  });

  it("drops client address and user email span attributes unless the policy keeps them", () => {
    const span = { attributes: { "client.address": "203.0.113.7", "user.email": "a@b.example", "http.route": "/api/x" } };
    expect(scrubSpan(span).attributes).toEqual({ "http.route": "/api/x" });
    expect(scrubSpan(span, "ip").attributes).toEqual({ "client.address": "203.0.113.7", "http.route": "/api/x" });
    expect(scrubSpan(span, "ip+email").attributes).toEqual(span.attributes);
  });
});
