import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import type { ParsedDsn } from "../runtime/sentry/dsn.js";
import type { Finding } from "./findings.js";

/**
 * `--online`: one POST of a minimal envelope — an empty client report, which creates no event
 * and carries no data from this machine (no environment variables, no host name) — to the
 * DSN's envelope endpoint, authenticated like the SDK (`sentry_key` in the query), and the
 * answer classified with advice. This is the check `Sentry.flush()` cannot do: it resolves
 * true even when the server rejected everything.
 */
export interface OnlineResult {
  status: "pass" | "warn" | "fail";
  summary: string;
  hint?: string;
  finding?: Finding;
}

const SENTRY_VERSION = "7";
const BODY_LIMIT = 2048;

/** The SDK's envelope endpoint: `<scheme>://<host>[:port][/path]/api/<project>/envelope/`. */
export function envelopeUrl(dsn: ParsedDsn, client: string): string {
  const port = dsn.port ? `:${dsn.port}` : "";
  const path = dsn.path ? `/${dsn.path}` : "";
  const query = new URLSearchParams({ sentry_version: SENTRY_VERSION, sentry_key: dsn.publicKey, sentry_client: client });
  return `${dsn.protocol}://${dsn.host}${port}${path}/api/${dsn.projectId}/envelope/?${query}`;
}

export function testEnvelope(now: Date, client: string): string {
  const [name, version] = client.split("/");
  return [
    JSON.stringify({ sent_at: now.toISOString(), sdk: { name, version } }),
    JSON.stringify({ type: "client_report" }),
    JSON.stringify({ timestamp: Math.floor(now.getTime() / 1000), discarded_events: [] }),
  ].join("\n");
}

function post(url: string, body: string, timeoutMs: number): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string } | { error: string; code?: string }> {
  const target = new URL(url);
  const send = target.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    const req = send(target, { method: "POST", headers: { "Content-Type": "application/x-sentry-envelope", "Content-Length": Buffer.byteLength(body) } }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => void (text.length < BODY_LIMIT && (text += chunk)));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: text.slice(0, BODY_LIMIT) }));
      res.on("error", (error) => resolve({ error: error.message }));
    });
    const timer = setTimeout(() => req.destroy(Object.assign(new Error(`no answer within ${timeoutMs / 1000} s`), { code: "ETIMEDOUT" })), timeoutMs);
    req.on("close", () => clearTimeout(timer));
    req.on("error", (error: NodeJS.ErrnoException) => resolve({ error: error.message, ...(error.code ? { code: error.code } : {}) }));
    req.end(body);
  });
}

function detail(text: string): string {
  try {
    const parsed = JSON.parse(text) as { detail?: unknown };
    if (typeof parsed.detail === "string") return parsed.detail;
  } catch {
    // Not JSON: show the start of the text instead.
  }
  return text.trim().split("\n")[0]?.slice(0, 160) ?? "";
}

export async function sendTestEnvelope(dsn: ParsedDsn, options: { timeoutMs: number; now: Date; client: string }): Promise<OnlineResult> {
  const answer = await post(envelopeUrl(dsn, options.client), testEnvelope(options.now, options.client), options.timeoutMs);
  const failed = (summary: string, hint: string, severity: "error" | "warning" = "error"): OnlineResult => ({
    status: severity === "error" ? "fail" : "warn", summary, hint, finding: { rule: "monwire/sentry-online", severity, message: summary, hint },
  });
  if ("error" in answer) {
    return failed(`could not reach ${dsn.host}: ${answer.error}`,
      answer.code === "ENOTFOUND" ? "Check the DSN's host name (and DNS from this machine)." : "Check network access from this machine to the Sentry host (proxy, firewall).");
  }
  const why = detail(answer.text);
  const suffix = why ? `: ${why}` : "";
  switch (true) {
    case answer.status >= 200 && answer.status < 300:
      return { status: "pass", summary: `${dsn.host} accepted a test envelope for project ${dsn.projectId} (HTTP ${answer.status})` };
    case answer.status === 400:
      return failed(`HTTP 400, envelope rejected as malformed${suffix}`, "The DSN's endpoint exists but did not accept the envelope; check that the host is a Sentry (or Relay) ingest endpoint.");
    case answer.status === 401:
      return failed(`HTTP 401, the public key is not recognised${suffix}`, "The key was revoked or mistyped: copy the DSN again from Project Settings → Client Keys.");
    case answer.status === 403:
      return failed(`HTTP 403, forbidden${suffix}`, "The key does not belong to this project, the project or key is disabled, or the DSN's host is the wrong region (EU vs US ingest): copy the DSN again from the project.");
    case answer.status === 413:
      return failed(`HTTP 413, payload too large${suffix}`, "A proxy in front of Sentry limits request bodies; raise its limit (client_max_body_size) for /api/*/envelope/.");
    case answer.status === 429: {
      const retry = answer.headers["retry-after"] ?? String(answer.headers["x-sentry-rate-limits"] ?? "").split(":")[0];
      return failed(`HTTP 429, rate limited${retry ? ` (retry after ${retry} s)` : ""}`, "The organisation or project quota is exhausted: events are being dropped until it resets; check quotas and spike protection.", "warning");
    }
    default:
      return failed(`HTTP ${answer.status} from ${dsn.host}${suffix}`, "The Sentry host is failing; try again, or check the status of your Sentry installation.");
  }
}
