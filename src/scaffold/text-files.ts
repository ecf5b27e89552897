import { findRegions, insertRegions, stripRegions } from "./regions.js";
import type { InitAnswers } from "./types.js";

/**
 * .env.example and .gitignore: lines monwire needs go into a `# monwire:begin` region at the end
 * of the file; lines the user already has are not repeated.
 */
export interface RegionFileEdit {
  text: string;
  /** Whether the user changed the lines inside monwire's region. */
  edited: boolean;
  body: string[];
}

export function envExampleLines(answers: Pick<InitAnswers, "sentry" | "metrics" | "audit">): string[] {
  const lines: string[] = [];
  if (answers.sentry) lines.push("# Sentry DSN (Project Settings → Client Keys); unset keeps Sentry off", "SENTRY_DSN=");
  if (answers.metrics) lines.push("# Bearer token required on /metrics when set (give Prometheus the same)", "MONWIRE_METRICS_TOKEN=");
  if (answers.audit) lines.push("# HMAC key for the audit chain (openssl rand -hex 32); unset → plain SHA-256", "MONWIRE_AUDIT_KEY=");
  return lines;
}

export function gitignoreLines(auditDir: string, audit: boolean): string[] {
  const dir = auditDir.replace(/^\.\//, "").replace(/\/$/, "");
  return [".env", ...(audit ? [`/${dir}/`] : [])];
}

/** Whether the clean text already covers a wanted line (same variable, or same ignore pattern). */
function covered(clean: string, line: string): boolean {
  if (line.startsWith("#")) return false;
  const existing = clean.split(/\r?\n/).map((l) => l.trim());
  const variable = /^([A-Z_][A-Z0-9_]*)=/.exec(line)?.[1];
  if (variable) return existing.some((l) => l.startsWith(`${variable}=`));
  const bare = line.replace(/^\//, "").replace(/\/$/, "");
  return existing.some((l) => l.replace(/^\//, "").replace(/\/$/, "") === bare);
}

/** Drops comment lines that no longer precede a variable (their variable is already in the file). */
function pruneComments(lines: string[]): string[] {
  return lines.filter((line, i) => !line.startsWith("#") || (lines[i + 1] !== undefined && !lines[i + 1]!.startsWith("#")));
}

export function editRegionFile(current: string | undefined, name: string, wanted: string[]): RegionFileEdit {
  const text = current ?? "";
  const clean = stripRegions(text, "#");
  const body = pruneComments(wanted.filter((line) => !covered(clean, line)));
  const existing = findRegions(text, "#").find((r) => r.name === name);
  const edited = existing !== undefined && existing.body.join("\n") !== body.join("\n");
  if (body.length === 0) return { text: clean, edited, body };
  return { text: insertRegions(clean, [{ offset: clean.length, name, body, indent: "" }], "#"), edited, body };
}
