import type { Exposition, ExpositionFormat, ParseOptions } from "./exposition.js";
import { parseOpenMetrics } from "./parse-openmetrics.js";
import { parseText } from "./parse-text.js";

export { ExpositionParseError } from "./exposition.js";

/** The Content-Type each format must be served with (what Prometheus negotiates). */
export const CONTENT_TYPES: Record<ExpositionFormat, string> = {
  text: "text/plain; version=0.0.4; charset=utf-8",
  openmetrics: "application/openmetrics-text; version=1.0.0; charset=utf-8",
};

/**
 * What a body looks like, independent of its header: OpenMetrics must end with `# EOF`, the
 * text format has no terminator (a text body may only contain `# EOF` as an ignored comment).
 */
export function detectFormat(body: string): ExpositionFormat {
  const trimmed = body.endsWith("\n") ? body.slice(0, -1) : body;
  const lastLine = trimmed.slice(trimmed.lastIndexOf("\n") + 1);
  return lastLine === "# EOF" ? "openmetrics" : "text";
}

/**
 * Parses a body in the given format (detected from the body when omitted); throws
 * ExpositionParseError unless `recover` is set (then the first error is in `parseError`).
 */
export function parseExposition(body: string, format: ExpositionFormat = detectFormat(body), options: ParseOptions = {}): Exposition {
  return format === "openmetrics" ? parseOpenMetrics(body, options) : parseText(body, options);
}

export interface ParsedContentType {
  mediaType: string;
  params: Record<string, string>;
}

export function parseContentType(header: string): ParsedContentType {
  const [type = "", ...rest] = header.split(";");
  const params: Record<string, string> = {};
  for (const part of rest) {
    const eq = part.indexOf("=");
    if (eq === -1) continue;
    params[part.slice(0, eq).trim().toLowerCase()] = part.slice(eq + 1).trim().replace(/^"(.*)"$/, "$1");
  }
  return { mediaType: type.trim().toLowerCase(), params };
}

/**
 * The parser Prometheus 2.x picks for a Content-Type: `application/openmetrics-text` gets the
 * OpenMetrics parser, anything else (text/plain, missing, unknown) the 0.0.4 text parser.
 */
export function formatForContentType(header: string | undefined): ExpositionFormat {
  if (!header) return "text";
  return parseContentType(header).mediaType === "application/openmetrics-text" ? "openmetrics" : "text";
}
