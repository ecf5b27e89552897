import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Readable, Writable } from "node:stream";

/**
 * Renders a local HTML file in Debian's headless Chromium and reports what a reader would see:
 * console messages and uncaught errors, every network request the page made, the figures marked
 * `data-k`, the page's width at A4 width, a full-page PNG and an A4 PDF. It speaks the DevTools
 * protocol over `--remote-debugging-pipe` (file descriptors 3 and 4, NUL-separated JSON), so no
 * WebSocket client or browser-automation dependency is needed.
 *
 * Tests skip locally when Chromium is absent; in CI (CI=true) its absence is a failure.
 */
export const CHROMIUM = process.env.MONWIRE_CHROMIUM ?? "/usr/bin/chromium";

export function chromiumAvailable(): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (process.env.CI === "true") throw new Error(`Chromium is required in CI (CI=true) but ${CHROMIUM} was not found: install Debian's chromium package`);
  return false;
}

export interface RenderedPage {
  console: Array<{ level: string; text: string }>;
  requests: string[];
  figures: Array<{ k: string; v: string; text: string }>;
  integrity: string | null;
  scrollWidth: number;
  /** The whole page, and the first A4-sized screen of it. */
  png: Buffer;
  firstScreen: Buffer;
  pdf: Buffer;
}

/** A4 is 210 mm wide: 794 CSS pixels. */
const A4_WIDTH = 794;

export async function renderInChromium(file: string, options: { timeoutMs?: number; media?: "screen" | "print" } = {}): Promise<RenderedPage> {
  const profile = await mkdtemp(join(tmpdir(), "monwire-chromium-"));
  const child = spawn(CHROMIUM, [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-extensions", "--remote-debugging-pipe", `--user-data-dir=${profile}`, "about:blank",
  ], { stdio: ["ignore", "ignore", "pipe", "pipe", "pipe"], detached: true });
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const input = child.stdio[3] as Writable;
  const output = child.stdio[4] as Readable;
  let nextId = 1;
  const pending = new Map<number, { resolve: (v: any) => void; reject: (e: Error) => void }>();
  const listeners: Array<(method: string, params: any) => void> = [];
  let buffer = "";
  output.on("data", (chunk: Buffer) => {
    buffer += chunk.toString();
    let end: number;
    while ((end = buffer.indexOf("\0")) >= 0) {
      const message = JSON.parse(buffer.slice(0, end));
      buffer = buffer.slice(end + 1);
      if (message.id && pending.has(message.id)) {
        const p = pending.get(message.id)!;
        pending.delete(message.id);
        if (message.error) p.reject(new Error(`${message.error.message}`));
        else p.resolve(message.result);
      } else if (message.method) for (const l of listeners) l(message.method, message.params);
    }
  });
  const send = (method: string, params: object = {}, sessionId?: string): Promise<any> => new Promise((resolve, reject) => {
    const id = nextId++;
    pending.set(id, { resolve, reject });
    input.write(`${JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) })}\0`);
  });
  // Chromium's helpers (zygote, renderer) share its process group: killing the group ends them all.
  const killGroup = () => {
    try {
      process.kill(-(child.pid as number), "SIGKILL");
    } catch {
      // Already gone.
    }
  };
  const timer = setTimeout(killGroup, options.timeoutMs ?? 45_000);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  try {
    const died = exited.then(() => { throw new Error(`chromium exited early: ${stderr}`); });
    const race = <T>(p: Promise<T>) => Promise.race([p, died]) as Promise<T>;
    const { targetId } = await race(send("Target.createTarget", { url: "about:blank" }));
    const { sessionId } = await race(send("Target.attachToTarget", { targetId, flatten: true }));
    const consoleMessages: RenderedPage["console"] = [];
    const requests: string[] = [];
    let loaded!: () => void;
    const load = new Promise<void>((resolve) => (loaded = resolve));
    listeners.push((method, params) => {
      if (method === "Runtime.consoleAPICalled") consoleMessages.push({ level: params.type, text: params.args.map((a: any) => a.value ?? a.description ?? "").join(" ") });
      if (method === "Runtime.exceptionThrown") consoleMessages.push({ level: "error", text: params.exceptionDetails?.exception?.description ?? params.exceptionDetails?.text });
      if (method === "Log.entryAdded") consoleMessages.push({ level: params.entry.level, text: params.entry.text });
      if (method === "Network.requestWillBeSent") requests.push(params.request.url);
      if (method === "Page.loadEventFired") loaded();
    });
    for (const domain of ["Runtime", "Log", "Network", "Page"]) await race(send(`${domain}.enable`, {}, sessionId));
    await race(send("Emulation.setDeviceMetricsOverride", { width: A4_WIDTH, height: 1123, deviceScaleFactor: 1, mobile: false }, sessionId));
    if (options.media) await race(send("Emulation.setEmulatedMedia", { media: options.media }, sessionId));
    await race(send("Page.navigate", { url: pathToFileURL(file).href }, sessionId));
    await race(load);
    const evaluate = async (expression: string) => (await race(send("Runtime.evaluate", { expression, returnByValue: true }, sessionId))).result.value;
    const figures = await evaluate("[...document.querySelectorAll('[data-k]')].map((e) => ({ k: e.dataset.k, v: e.dataset.v, text: e.textContent }))");
    const integrity = await evaluate("document.querySelector('#integrity')?.dataset.status ?? null");
    const scrollWidth = await evaluate("document.documentElement.scrollWidth");
    const metrics = await race(send("Page.getLayoutMetrics", {}, sessionId));
    const size = metrics.cssContentSize ?? metrics.contentSize;
    const shot = await race(send("Page.captureScreenshot", { format: "png", captureBeyondViewport: true, clip: { x: 0, y: 0, width: size.width, height: size.height, scale: 1 } }, sessionId));
    const first = await race(send("Page.captureScreenshot", { format: "png" }, sessionId));
    const pdf = await race(send("Page.printToPDF", { preferCSSPageSize: true, printBackground: true }, sessionId));
    // Let late console messages (CSP reports are asynchronous) arrive before closing.
    await new Promise((r) => setTimeout(r, 200));
    await send("Browser.close").catch(() => {});
    return { console: consoleMessages, requests, figures, integrity, scrollWidth, png: Buffer.from(shot.data, "base64"), firstScreen: Buffer.from(first.data, "base64"), pdf: Buffer.from(pdf.data, "base64") };
  } finally {
    // Browser.close lets Chromium exit on its own; a hung one is killed after five seconds.
    const grace = setTimeout(killGroup, child.exitCode === null ? 5_000 : 0);
    await exited;
    clearTimeout(grace);
    clearTimeout(timer);
    killGroup();
    await rm(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
  }
}

/** Pages of a PDF Chromium printed: its page objects are written uncompressed. */
export function countPdfPages(pdf: Buffer): number {
  return (pdf.toString("latin1").match(/\/Type\s*\/Page(?!s)/g) ?? []).length;
}
