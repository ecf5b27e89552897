import { gzipSync, deflateSync } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import { parseEnvelope, startSentryReceiver, type SentryReceiver } from "../helpers/sentry-receiver.js";

// The receiver is shared by several test suites (sentry, mon check, init, demo): its parsing and
// its scripted answers must be right on their own.
const attachment = "line one\nline two — ü";
const envelope = Buffer.concat([
  Buffer.from('{"event_id":"e1","sdk":{"name":"sentry.javascript.node","version":"11.0.0"}}\n'),
  Buffer.from('{"type":"event"}\n{"message":"hello","tags":{"tenant":"KM"}}\n'),
  Buffer.from(`{"type":"attachment","length":${Buffer.byteLength(attachment)},"filename":"a.txt"}\n${attachment}\n`),
  Buffer.from('{"type":"client_report"}\n{"discarded_events":[]}'),
]);

describe("parseEnvelope", () => {
  it("reads the header, newline-delimited items and length-prefixed payloads (in bytes)", () => {
    const parsed = parseEnvelope(envelope);
    expect(parsed.header).toMatchObject({ event_id: "e1" });
    expect(parsed.items.map((i) => i.header.type)).toEqual(["event", "attachment", "client_report"]);
    expect(parsed.items[0]?.payload).toEqual({ message: "hello", tags: { tenant: "KM" } });
    expect(parsed.items[1]?.payload).toBe(attachment);
    expect(parsed.items[2]?.payload).toEqual({ discarded_events: [] });
  });
});

describe("startSentryReceiver", () => {
  let receiver: SentryReceiver | undefined;
  afterEach(async () => {
    await receiver?.close();
    receiver = undefined;
  });

  const send = (body: Buffer, encoding?: string) =>
    fetch(`http://127.0.0.1:${receiver?.port}/api/1/envelope/?sentry_key=public`, {
      method: "POST",
      headers: encoding ? { "content-encoding": encoding } : {},
      body,
    });

  it.each([
    ["plain", (b: Buffer) => b, undefined],
    ["gzip", (b: Buffer) => gzipSync(b), "gzip"],
    ["deflate", (b: Buffer) => deflateSync(b), "deflate"],
  ])("decodes %s bodies, keeps the raw body, and answers 200", async (_name, encode, encoding) => {
    receiver = await startSentryReceiver();
    const raw = encode(envelope);
    const res = await send(raw, encoding);
    expect(res.status).toBe(200);
    const received = await receiver.waitFor(() => true);
    expect(received.projectId).toBe("1");
    expect(received.rawBody.equals(raw)).toBe(true);
    expect(received.body.equals(envelope)).toBe(true);
    expect(receiver.items("event")).toEqual([{ message: "hello", tags: { tenant: "KM" } }]);
    expect(receiver.allText()).toContain("line two — ü");
  });

  it("answers what it is told: 403, then 429 with Retry-After and X-Sentry-Rate-Limits", async () => {
    receiver = await startSentryReceiver({ status: 403 });
    expect((await send(envelope)).status).toBe(403);
    receiver.reply({ status: 429, retryAfter: 30, rateLimits: "30:error:key" });
    const limited = await send(envelope);
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("30");
    expect(limited.headers.get("x-sentry-rate-limits")).toBe("30:error:key");
    expect(receiver.envelopes.map((e) => e.answeredStatus)).toEqual([403, 429]);
  });

  it("builds a DSN the SDK accepts and rejects waitFor after its timeout", async () => {
    receiver = await startSentryReceiver();
    expect(receiver.dsn()).toBe(`http://public@127.0.0.1:${receiver.port}/1`);
    expect(receiver.dsn({ publicKey: "k", projectId: "9" })).toBe(`http://k@127.0.0.1:${receiver.port}/9`);
    await expect(receiver.waitFor(() => true, 50)).rejects.toThrow(/no matching envelope within 50 ms/);
  });
});
