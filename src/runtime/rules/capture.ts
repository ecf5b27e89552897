import type { ServerResponse } from "node:http";

/** Response bodies larger than this are not parsed for a rule (the request is still recorded). */
export const MAX_CAPTURE_BYTES = 64 * 1024;

/** Where a captured body goes: `null` means "sent, but not usable JSON". */
export interface CaptureTarget {
  response: unknown;
}

function parseBounded(body: unknown): unknown {
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

/**
 * Wraps `res.json` and `res.send` of one response (only responses a route rule needs) so the rule
 * can read what the handler sent. The object the handler passed is kept by reference, not copied;
 * a string or Buffer body is parsed only when it is JSON and at most MAX_CAPTURE_BYTES. The first
 * body wins (Express's res.json calls res.send with its own string).
 */
export function captureResponse(res: ServerResponse, target: CaptureTarget): void {
  const r = res as ServerResponse & { json?: (...args: unknown[]) => unknown; send?: (...args: unknown[]) => unknown };
  const { json, send } = r;
  if (typeof json === "function") {
    r.json = function capturedJson(this: unknown, ...args: unknown[]) {
      if (target.response === undefined) target.response = args[0] === undefined ? null : parseBounded(args[0]);
      return json.apply(this, args);
    };
  }
  if (typeof send === "function") {
    r.send = function capturedSend(this: unknown, ...args: unknown[]) {
      if (target.response === undefined) target.response = parseBounded(args[0]);
      return send.apply(this, args);
    };
  }
}
