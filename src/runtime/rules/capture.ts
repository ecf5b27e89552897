import type { ServerResponse } from "node:http";
import { REQUEST_STATE } from "../error-handler.js";

/** Response bodies larger than this are not parsed for a rule (the request is still recorded). */
export const MAX_CAPTURE_BYTES = 64 * 1024;

/** Where a captured body goes: `null` means "sent, but not usable JSON". */
export interface CaptureTarget {
  /** Only requests whose route has a rule keep their body. */
  rule: unknown;
  response: unknown;
}

export function parseBounded(body: unknown): unknown {
  if (typeof body === "string" || Buffer.isBuffer(body)) {
    if (body.length > MAX_CAPTURE_BYTES) return null;
    const text = typeof body === "string" ? body : body.toString("utf8");
    const first = text.trimStart()[0];
    if (first !== "{" && first !== "[") return null;
    try {
      return JSON.parse(text);
    } catch {
      return null;
    }
  }
  return typeof body === "object" && body !== null ? body : null;
}

type Sender = (this: ServerResponse, ...args: unknown[]) => unknown;
type Patchable = Record<"json" | "send", Sender | undefined>;

/** Prototypes whose json/send already capture (Express gives each app its own response prototype). */
const patched = new WeakSet<object>();

function wrap(original: Sender): Sender {
  // Express calls json/send with one argument (Express 4's deprecated (status, body) forms pass
  // two): a fixed-arity call avoids building a rest array and a spread apply on every response.
  return function capturing(this: ServerResponse, body?: unknown) {
    const req = (this as ServerResponse & { req?: Record<symbol, CaptureTarget | undefined> }).req;
    const target = req?.[REQUEST_STATE];
    if (target !== undefined && target.rule !== undefined && target.response === undefined) {
      target.response = body === undefined ? null : parseBounded(body);
    }
    return arguments.length === 1 ? original.call(this, body) : original.apply(this, arguments as unknown as unknown[]);
  };
}

/**
 * Makes `res.json` and `res.send` keep the body for the request's rule. The wrap goes on the
 * response's prototype (Express's per-app `app.response`), once, when the first ruled request of
 * that app arrives: adding properties to each response object would give responses different
 * hidden classes in V8 and slow every Express call on them. Requests without a rule pass through
 * with one property read. The body object is kept by reference, not copied; a string or Buffer
 * body is parsed only when it is JSON and at most MAX_CAPTURE_BYTES. The first body wins
 * (Express's res.json calls res.send with its own string).
 */
export function captureResponse(res: ServerResponse): void {
  const proto = Object.getPrototypeOf(res) as Patchable | null;
  if (proto === null || patched.has(proto)) return;
  patched.add(proto);
  for (const name of ["json", "send"] as const) {
    const original = proto[name];
    if (typeof original === "function") Object.defineProperty(proto, name, { value: wrap(original), configurable: true, writable: true, enumerable: false });
  }
}
