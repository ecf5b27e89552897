import { makeDsn } from "@sentry/core";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { maskDsn, parseDsn, type DsnProblemCode, type DsnWarningCode } from "../../src/runtime/sentry/dsn.js";

// The SDK prints "Invalid Sentry Dsn" for strings its regex rejects; keep the test output clean.
beforeAll(() => void vi.spyOn(console, "error").mockImplementation(() => undefined));
afterAll(() => vi.restoreAllMocks());

describe("parseDsn: accepted DSNs", () => {
  it.each<[string, string, Record<string, string | undefined>, DsnWarningCode[]]>([
    ["valid SaaS", "https://0123456789abcdef0123456789abcdef@o4506.ingest.us.sentry.io/4507123",
      { protocol: "https", host: "o4506.ingest.us.sentry.io", path: "", projectId: "4507123" }, []],
    ["self-hosted with path prefix and port", "https://abc123@sentry.example.com:9000/tools/sentry/42",
      { host: "sentry.example.com", port: "9000", path: "tools/sentry", projectId: "42" }, []],
    ["IPv6 host", "http://abc@[::1]:8080/7", { host: "[::1]", port: "8080", projectId: "7" }, []],
    ["IPv6 public host over http", "http://abc@[2001:db8::5]/7", { host: "[2001:db8::5]" }, ["plain-http"]],
    ["http to a public host", "http://abc@sentry.example.com/3", { protocol: "http" }, ["plain-http"]],
    ["http to loopback", "http://abc@127.0.0.1:9999/3", { host: "127.0.0.1" }, []],
    ["secret present", "https://abc:def@sentry.example.com/3", { publicKey: "abc", secret: "def" }, ["secret-key"]],
    ["documentation placeholder", "https://examplePublicKey@o0.ingest.sentry.io/0", { projectId: "0" }, ["placeholder"]],
    ["xxx placeholder", "https://xxxx@sentry.example.com/1", {}, ["placeholder"]],
    ["project id with a suffix", "https://abc@sentry.example.com/123?x=1", { projectId: "123" }, ["project-id-suffix"]],
  ])("%s", (_name, dsn, expected, warnings) => {
    const result = parseDsn(dsn);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.dsn).toMatchObject(expected);
    expect(result.warnings.map((w) => w.code)).toEqual(warnings);
    // The real SDK accepts it too, with the same parts.
    expect(makeDsn(dsn)).toMatchObject({ projectId: result.dsn.projectId, host: result.dsn.host, path: result.dsn.path });
  });
});

describe("parseDsn: rejected DSNs", () => {
  it.each<[string, string, DsnProblemCode, RegExp]>([
    ["non-numeric project", "https://abc@sentry.example.com/myproject", "invalid-project-id", /"myproject" is not a number/],
    ["missing key", "https://sentry.example.com/42", "missing-key", /no public key/],
    ["key with a dash", "https://ab-cd@sentry.example.com/42", "invalid-key", /public key contains/],
    ["empty", "", "empty", /empty/],
    ["quoted (from a .env file)", "\"https://abc@sentry.example.com/42\"", "quoted", /quote/],
    ["no scheme", "abc@sentry.example.com/42", "no-scheme", /scheme/],
    ["unsupported scheme", "ftp://abc@sentry.example.com/42", "protocol", /"ftp"/],
    ["no host", "https://abc@/42", "missing-host", /no host/],
    ["bad host", "https://abc@sentry_example!.com/42", "invalid-host", /host/],
    ["non-numeric port", "https://abc@sentry.example.com:port/42", "invalid-port", /"port" is not a number/],
    ["no project id", "https://abc@sentry.example.com", "missing-project-id", /no project id/],
    ["trailing slash", "https://abc@sentry.example.com/42/", "trailing-slash", /ends with "\/"/],
  ])("%s", (_name, dsn, code, problem) => {
    const result = parseDsn(dsn);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.code).toBe(code);
    expect(result.problem).toMatch(problem);
    expect(result.hint.length).toBeGreaterThan(10);
    // The real SDK rejects it as well: parseDsn never blames a DSN the SDK would use.
    expect(makeDsn(dsn)).toBeUndefined();
  });
});

describe("maskDsn", () => {
  it.each([
    ["https://abc:def@sentry.example.com/3", "https://***@sentry.example.com/3"],
    ["http://public@127.0.0.1:9/1", "http://***@127.0.0.1:9/1"],
    ["https://sentry.example.com/3", "https://sentry.example.com/3"],
  ])("%s → %s", (dsn, masked) => {
    expect(maskDsn(dsn)).toBe(masked);
  });
});
