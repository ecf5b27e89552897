import { describe, expect, it } from "vitest";
import type { ServerResponse } from "node:http";
import { captureResponse, MAX_CAPTURE_BYTES } from "../../src/runtime/rules/capture.js";

/** An Express-shaped response: json() stringifies and calls send(), as Express does. */
function expressLike() {
  const sent: unknown[] = [];
  const res = {
    send(body: unknown) {
      if (typeof body === "object" && body !== null && !Buffer.isBuffer(body)) return res.json(body);
      sent.push(body);
      return res;
    },
    json(body: unknown) {
      return res.send(JSON.stringify(body));
    },
  };
  return { res, sent };
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
    const { res, sent } = expressLike();
    const target = { response: undefined as unknown };
    captureResponse(res as unknown as ServerResponse, target);
    act(res);
    expect(target.response).toEqual(expected);
    expect(sent).toHaveLength(1);
  });

  it("keeps the first body", () => {
    const { res } = expressLike();
    const target = { response: undefined as unknown };
    captureResponse(res as unknown as ServerResponse, target);
    res.json({ first: true });
    res.send('{"second":true}');
    expect(target.response).toEqual({ first: true });
  });
});
