import { once } from "node:events";
import { afterEach, describe, expect, it } from "vitest";
import { startRuntimeApp, waitForOutput, type RuntimeApp } from "../helpers/runtime-app.js";

async function exitOf(app: RuntimeApp): Promise<number | null> {
  const { child } = app;
  if (child.exitCode !== null) return child.exitCode;
  const [code] = (await once(child, "exit")) as [number | null];
  return code;
}

describe("graceful shutdown", () => {
  let app: RuntimeApp | undefined;
  afterEach(async () => {
    await app?.cleanup();
    app = undefined;
  });

  it("lets an in-flight request finish on SIGTERM, ignores a repeated signal, and exits 0", async () => {
    app = await startRuntimeApp({ expressPkg: "express" });
    const inFlight = fetch(`${app.url}/api/slow?ms=700`, { headers: { "x-shop": "EUR" } });
    await waitForOutput(app, /slow request started/);
    app.child.kill("SIGTERM");
    await waitForOutput(app, /closing the server/);
    app.child.kill("SIGTERM");

    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ slow: true });
    expect(await exitOf(app)).toBe(0);
    expect(app.output()).toContain("shutdown already in progress");
    expect(app.output()).toContain("shutdown complete");
    // A second shutdown sequence would have logged twice.
    expect(app.output().match(/closing the server/g)).toHaveLength(1);
  });

  it("stops accepting new connections once shutdown has started", async () => {
    app = await startRuntimeApp({ expressPkg: "express4" });
    const inFlight = fetch(`${app.url}/api/slow?ms=700`);
    await waitForOutput(app, /slow request started/);
    app.child.kill("SIGTERM");
    await waitForOutput(app, /closing the server/);
    // A fresh connection (not the keep-alive one in use) must be refused.
    await expect(fetch(`${app.url}/health`, { headers: { connection: "close" }, keepalive: false, signal: AbortSignal.timeout(5000) })).rejects.toThrow();
    expect((await inFlight).status).toBe(200);
    expect(await exitOf(app)).toBe(0);
  });

  it("exits with code 1 when in-flight work outlasts the timeout", async () => {
    app = await startRuntimeApp({ expressPkg: "express", env: { SHUTDOWN_TIMEOUT_MS: "300" } });
    const inFlight = fetch(`${app.url}/api/slow?ms=20000`).catch((error: Error) => error);
    await waitForOutput(app, /slow request started/);
    app.child.kill("SIGTERM");
    expect(await exitOf(app)).toBe(1);
    expect(app.output()).toContain("did not finish within 300 ms");
    expect(await inFlight).toBeInstanceOf(Error);
  });
});
