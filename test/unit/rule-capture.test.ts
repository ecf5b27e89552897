import { describe, expect, it } from "vitest";
import type { ServerResponse } from "node:http";
import { REQUEST_STATE } from "../../src/runtime/error-handler.js";
import { captureResponse, MAX_CAPTURE_BYTES } from "../../src/runtime/rules/capture.js";

/**
 * An Express-shaped response: json() stringifies and calls send(), as Express does, on a
 * prototype of its own (Express gives each app one), with `res.req` holding the request state.
 */
function expressLike(rule: unknown = { key: "GET /x" }) {
  const sent: unknown[] = [];
  class Response {
    req: Record<symbol, unknown>;
    constructor(target: object) {
      this.req = { [REQUEST_STATE]: target };
    }
    send(body: unknown): unknown {
      if (typeof body === "object" && body !== null && !Buffer.isBuffer(body)) return this.json(body);
      sent.push(body);
      return this;
    }
    json(body: unknown): unknown {
      return this.send(JSON.stringify(body));
    }
  }
  const target = { rule, response: undefined as unknown };
  return { res: new Response(target), sent, target, Response };
}

describe("captureResponse", () => {
  it.each([
    ["res.json(object)", (r: any) => r.json({ total: 5 }), { total: 5 }],
    ["res.send(object)", (r: any) => r.send({ total: 6 }), { total: 6 }],
    ["res.send(JSON string)", (r: any) => r.send('{"total":7}'), { total: 7 }],
    ["res.send(JSON Buffer)", (r: any) => r.send(Buffer.from("[1,2]")), [1, 2]],
    ["res.send(html)", (r: any) => r.send("<p>hi</p>"), null],
    ["res.send(broken JSON)", (r: any) => r.send("{oops"), null],
    ["res.send(too big)", (r: any) => r.send(JSON.stringify({ pad: "x".repeat(MAX_CAPTURE_BYTES) })), null],
  ])("%s", (_name, act, expected) => {
    const { res, sent, target } = expressLike();
    captureResponse(res as unknown as ServerResponse);
    act(res);
    expect(target.response).toEqual(expected);
    expect(sent).toHaveLength(1);
  });

  it("keeps the first body", () => {
    const { res, target } = expressLike();
    captureResponse(res as unknown as ServerResponse);
    res.json({ first: true });
    res.send('{"second":true}');
    expect(target.response).toEqual({ first: true });
  });

  it("patches the prototype once, never the response object, and leaves requests without a rule alone", () => {
    const { res, Response } = expressLike();
    captureResponse(res as unknown as ServerResponse);
    captureResponse(res as unknown as ServerResponse);
    expect(Object.keys(res)).toEqual(["req"]);
    const wrapped = Response.prototype.json;
    captureResponse(res as unknown as ServerResponse);
    expect(Response.prototype.json).toBe(wrapped);
    const other = new Response({ rule: undefined, response: undefined });
    other.json({ a: 1 });
    expect((other.req[REQUEST_STATE] as { response: unknown }).response).toBeUndefined();
  });
});
