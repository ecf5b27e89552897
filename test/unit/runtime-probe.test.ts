import type { IncomingMessage } from "node:http";
import { describe, expect, it } from "vitest";
import { createProbeGate, isProbeError, ProbeError } from "../../src/runtime/probe.js";

const request = (headers: Record<string, string>) => ({ headers }) as unknown as IncomingMessage;

describe("the error-handler probe gate", () => {
  const gate = createProbeGate("s3cret-token");
  it.each([
    [{ "x-monwire-probe": "error-handler", authorization: "Bearer s3cret-token" }, true],
    [{ "x-monwire-probe": "error-handler", authorization: "Bearer wrong" }, false],
    [{ "x-monwire-probe": "error-handler" }, false],
    [{ "x-monwire-probe": "other", authorization: "Bearer s3cret-token" }, false],
    [{ authorization: "Bearer s3cret-token" }, false],
  ])("%j → %s", (headers, expected) => {
    expect(gate(request(headers))).toBe(expected);
  });
  it("does not exist without a configured token", () => {
    expect(createProbeGate(undefined)(request({ "x-monwire-probe": "error-handler", authorization: "Bearer " }))).toBe(false);
    expect(createProbeGate("")(request({ "x-monwire-probe": "error-handler", authorization: "Bearer x" }))).toBe(false);
  });
  it("marks its error so Sentry and the app can tell it apart, with a 500 status", () => {
    const error = new ProbeError();
    expect(isProbeError(error)).toBe(true);
    expect(isProbeError(new Error(error.message))).toBe(false);
    expect((error as unknown as { status: number }).status).toBe(500);
  });
});
