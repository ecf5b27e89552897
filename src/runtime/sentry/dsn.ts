/**
 * DSN parsing with the exact rules of @sentry/core (`dsnFromString` + `validateDsn`, identical in
 * SDK 10.x and 11.x), so `ok: true` means the SDK will accept the DSN. The SDK itself only says
 * "Invalid Sentry Dsn" (or nothing at all, e.g. for a non-numeric project id) and then silently
 * sends nothing; here every rejection names what is wrong and how to fix it.
 */
export interface ParsedDsn {
  protocol: "http" | "https";
  publicKey: string;
  /** The deprecated secret key (`key:secret@`), when present. */
  secret?: string;
  host: string;
  port?: string;
  /** Path prefix before the project id (self-hosted Sentry behind a sub-path), "" when none. */
  path: string;
  projectId: string;
}

export type DsnProblemCode =
  | "empty" | "quoted" | "no-scheme" | "protocol" | "missing-key" | "invalid-key" | "missing-host"
  | "invalid-host" | "invalid-port" | "missing-project-id" | "trailing-slash" | "invalid-project-id";

export type DsnWarningCode = "secret-key" | "plain-http" | "placeholder" | "project-id-suffix";

export interface DsnWarning {
  code: DsnWarningCode;
  message: string;
}

export type DsnResult =
  | { ok: true; dsn: ParsedDsn; warnings: DsnWarning[] }
  | { ok: false; code: DsnProblemCode; problem: string; hint: string };

/** The SDK's own DSN pattern (packages/core/src/utils/dsn.ts). */
export const SENTRY_DSN_REGEX = /^(?:(\w+):)\/\/(?:(\w+)(?::(\w+)?)?@)((?:\[[:.%\w]+\]|[\w.-]+))(?::(\d+))?\/(.+)/;

const WHERE = "Copy the DSN from Sentry → Project Settings → Client Keys (DSN)";
const PLACEHOLDER_KEY = /^(?:examplepublickey|x{2,}|your_?(?:public_?)?(?:dsn_?)?key|public_?key|changeme|placeholder|todo)$/i;
const LOOPBACK_HOST = /^(?:localhost|127(?:\.\d{1,3}){3}|\[::1\]|\[0*:(?:0*:)*0*1\])$/i;

const fail = (code: DsnProblemCode, problem: string, hint = `${WHERE}.`): DsnResult => ({ ok: false, code, problem, hint });

/** Replaces the key (and secret) with `***` so a DSN can be shown in logs and messages. */
export function maskDsn(raw: string): string {
  return raw.replace(/^(\s*["']?\w*:\/\/)[^@/]*@/, "$1***@");
}

/** Parses and validates a DSN exactly as the Sentry SDK does, explaining any rejection. */
export function parseDsn(raw: string): DsnResult {
  const match = SENTRY_DSN_REGEX.exec(raw);
  if (!match) return diagnoseUnparsable(raw);
  const [, protocol = "", publicKey = "", secret = "", host = "", port = "", lastPath = ""] = match;

  // The SDK treats everything before the last "/" as a path prefix and keeps only the leading
  // digits of the last segment as the project id.
  const segments = lastPath.split("/");
  const rawProjectId = segments.pop() ?? "";
  const path = segments.join("/");
  const projectId = /^\d+/.exec(rawProjectId)?.[0] ?? rawProjectId;

  if (rawProjectId === "") {
    return fail("trailing-slash", "the DSN ends with \"/\", so the SDK finds no project id after it", "Remove the trailing slash: the DSN must end with the numeric project id.");
  }
  if (!/^\d+$/.test(projectId)) {
    return fail("invalid-project-id", `the project id "${rawProjectId}" is not a number (the SDK disables itself silently in this case)`, `${WHERE}; it ends in a numeric project id such as /4506789.`);
  }
  if (protocol !== "http" && protocol !== "https") {
    return fail("protocol", `the scheme "${protocol}" is not supported`, "Use https:// (or http:// for a local Sentry).");
  }

  const dsn: ParsedDsn = { protocol, publicKey, host, path, projectId };
  if (secret) dsn.secret = secret;
  if (port) dsn.port = port;
  return { ok: true, dsn, warnings: collectWarnings(dsn, rawProjectId) };
}

function collectWarnings(dsn: ParsedDsn, rawProjectId: string): DsnWarning[] {
  const warnings: DsnWarning[] = [];
  if (dsn.secret) {
    warnings.push({ code: "secret-key", message: "the DSN contains a secret key (key:secret@): secret keys are deprecated and ignored by current SDKs; use the public DSN without it" });
  }
  if (dsn.protocol === "http" && !LOOPBACK_HOST.test(dsn.host)) {
    warnings.push({ code: "plain-http", message: `events would travel unencrypted over http:// to ${dsn.host}; use https://` });
  }
  if (PLACEHOLDER_KEY.test(dsn.publicKey) || (dsn.host === "o0.ingest.sentry.io" && dsn.projectId === "0")) {
    warnings.push({ code: "placeholder", message: `the DSN looks like a documentation placeholder (key "${dsn.publicKey}"); ${WHERE}` });
  }
  if (rawProjectId !== dsn.projectId) {
    warnings.push({ code: "project-id-suffix", message: `the SDK reads the project id "${rawProjectId}" as ${dsn.projectId} and ignores the rest` });
  }
  return warnings;
}

/** The SDK's regex did not match: find the first part that breaks it, in reading order. */
function diagnoseUnparsable(raw: string): DsnResult {
  if (raw.trim() === "") return fail("empty", "the DSN is empty");
  if (raw !== raw.trimStart() || /^["']/.test(raw)) {
    return fail("quoted", "the DSN starts with whitespace or a quote", "Remove the quotes/spaces around the value (in .env files write SENTRY_DSN=https://… without quotes).");
  }
  const scheme = /^(\w+):\/\//.exec(raw);
  if (!scheme) return fail("no-scheme", "the DSN does not start with a scheme like https://", `${WHERE}; it looks like https://<key>@<host>/<project-id>.`);
  const rest = raw.slice(scheme[0].length);
  const at = rest.indexOf("@");
  const slash = rest.indexOf("/");
  if (at === -1 || (slash !== -1 && slash < at)) {
    return fail("missing-key", "the DSN has no public key (expected https://<key>@<host>/<project-id>)");
  }
  if (!/^\w+(?::\w*)?$/.test(rest.slice(0, at))) {
    return fail("invalid-key", "the public key contains characters other than letters, digits and _", `${WHERE}; keys are 32 hex characters.`);
  }
  const hostPart = rest.slice(at + 1);
  const host = /^(?:\[[:.%\w]+\]|[\w.-]+)/.exec(hostPart)?.[0];
  if (!host) {
    return hostPart === "" || hostPart.startsWith("/") || hostPart.startsWith(":")
      ? fail("missing-host", "the DSN has no host after the @")
      : fail("invalid-host", `the host "${hostPart.split(/[/:]/)[0]}" contains characters a host name cannot have`);
  }
  const afterHost = hostPart.slice(host.length);
  if (afterHost.startsWith(":") && !/^:\d+(?:\/|$)/.test(afterHost)) {
    return fail("invalid-port", `the port "${afterHost.slice(1).split("/")[0]}" is not a number`, "Write the port as digits, e.g. https://<key>@sentry.example.com:9000/1.");
  }
  if (afterHost.startsWith("/") || afterHost.startsWith(":")) {
    return fail("missing-project-id", "the DSN has no project id after the host", `${WHERE}; it ends in /<project-id>.`);
  }
  if (afterHost === "") return fail("missing-project-id", "the DSN has no project id after the host", `${WHERE}; it ends in /<project-id>.`);
  return fail("invalid-host", `the host "${host}${afterHost.split("/")[0]}" contains characters a host name cannot have`);
}
