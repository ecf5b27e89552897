import { describe, expect, it } from "vitest";
import { policyTransport, scrubEnvelope } from "../../src/runtime/sentry/envelope-policy.js";

// A session item as SDK 10 serialises it after a request called Sentry.setUser.
const session = (did: string) => ({ sid: "s1", status: "crashed", errors: 1, did, attrs: { release: "shop@1.0.0", environment: "production", ip_address: "203.0.113.9", user_agent: "ShopClient/1" } });
const envelope = (did = "u-1") => [{ sent_at: "now" }, [[{ type: "session" }, session(did)], [{ type: "event" }, { user: { ip_address: "203.0.113.9" } }]]];

describe("scrubEnvelope", () => {
  it("drops the session's IP address and user agent under the restrictive policy, and an email used as its id", () => {
    const [, items] = scrubEnvelope(envelope("buyer@shop.example"), "none", false) as [unknown, Array<[unknown, Record<string, any>]>];
    expect(items[0]![1]).toEqual({ sid: "s1", status: "crashed", errors: 1, attrs: { release: "shop@1.0.0", environment: "production" } });
    // Events are the before* hooks' business: left as they are.
    expect(items[1]![1]).toEqual({ user: { ip_address: "203.0.113.9" } });
  });

  it("keeps what the policy allows", () => {
    const [, items] = scrubEnvelope(envelope("buyer@shop.example"), "ip+email", true) as [unknown, Array<[unknown, Record<string, any>]>];
    expect(items[0]![1]).toEqual(session("buyer@shop.example"));
    const [, ipOnly] = scrubEnvelope(envelope(), "ip", false) as [unknown, Array<[unknown, Record<string, any>]>];
    expect(ipOnly[0]![1]).toMatchObject({ did: "u-1", attrs: { ip_address: "203.0.113.9" } });
    expect(ipOnly[0]![1].attrs.user_agent).toBeUndefined();
  });

  it("leaves shapes it does not know alone, and the transport sends the scrubbed envelope", async () => {
    expect(scrubEnvelope("not an envelope", "none", false)).toBe("not an envelope");
    const sent: unknown[] = [];
    const transport = policyTransport({ send: async (e) => (sent.push(e), { statusCode: 200 }), flush: async () => true }, "none", true);
    expect(await transport.send(envelope())).toEqual({ statusCode: 200 });
    expect(JSON.stringify(sent)).not.toContain('"ip_address":"203.0.113.9","user_agent"');
    expect((sent[0] as any)[1][0][1].attrs).toEqual({ release: "shop@1.0.0", environment: "production", user_agent: "ShopClient/1" });
  });
});
