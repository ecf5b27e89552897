import { readFileSync } from "node:fs";
import { relative, resolve, sep } from "node:path";
import { detectEol } from "./regions.js";
import type { InitAnswers } from "./types.js";

/**
 * package.json edits: dependencies monwire needs and script changes. The file is re-serialised
 * with its own indentation and line endings, and new dependency keys are placed in order, so a
 * standard package.json keeps every untouched byte.
 */
export interface PackageJsonStyle {
  indent: string;
  eol: string;
  finalNewline: boolean;
}

export function detectJsonStyle(text: string): PackageJsonStyle {
  const indent = /^[{[][\r\n]+([ \t]+)\S/.exec(text)?.[1] ?? "  ";
  return { indent, eol: detectEol(text), finalNewline: /\n$/.test(text) };
}

export function formatJson(value: unknown, style: PackageJsonStyle): string {
  const text = JSON.stringify(value, null, style.indent).replace(/\n/g, style.eol);
  return style.finalNewline ? `${text}${style.eol}` : text;
}

/** Adds keys to an object keeping alphabetical order when the object already was sorted. */
export function withKeys(object: Record<string, string> | undefined, additions: Record<string, string>): Record<string, string> {
  const current = object ?? {};
  const keys = Object.keys(current);
  const sorted = keys.every((key, i) => i === 0 || keys[i - 1]!.localeCompare(key) <= 0);
  const merged = { ...current, ...additions };
  if (!sorted) return merged;
  return Object.fromEntries(Object.entries(merged).sort(([a], [b]) => a.localeCompare(b)));
}

/** Inserts a missing top-level section right after `afterKey` (or at the end), keeping order. */
export function insertSection(pkg: Record<string, unknown>, key: string, value: unknown, afterKeys: string[]): Record<string, unknown> {
  if (key in pkg) return { ...pkg, [key]: value };
  const entries = Object.entries(pkg);
  let index = entries.length;
  for (const after of afterKeys) {
    const at = entries.findIndex(([k]) => k === after);
    if (at !== -1) {
      index = at + 1;
      break;
    }
  }
  entries.splice(index, 0, [key, value]);
  return Object.fromEntries(entries);
}

let ownPackage: { version: string; dependencies: Record<string, string> } | undefined;

/** monwire's own package.json (version and dependency ranges the host should match). */
export function readOwnPackage(): { version: string; dependencies: Record<string, string> } {
  ownPackage ??= JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
    version: string;
    dependencies: Record<string, string>;
  };
  return ownPackage;
}

/** Lowest Node version an `engines.node` range allows (`>=18` → 18.0.0), if it states one. */
export function minimumNode(range: unknown): [number, number] | undefined {
  if (typeof range !== "string") return undefined;
  const versions = [...range.matchAll(/(\d+)(?:\.(\d+|x|\*))?(?:\.(?:\d+|x|\*))?/g)].map((m) => [Number(m[1]), Number(/^\d+$/.test(m[2] ?? "") ? m[2] : 0)] as [number, number]);
  return versions.sort((a, b) => a[0] - b[0] || a[1] - b[1])[0];
}

/**
 * @sentry/node 11 needs Node ≥ 20.19; a host that still allows older Node (its engines field) or
 * runs on it gets 10.
 */
export function sentryRangeFor(nodeVersion: string, engines: unknown): string {
  const [major = 0, minor = 0] = nodeVersion.split(".").map(Number);
  const allowed = minimumNode(engines);
  const oldest = allowed && (allowed[0] < major || (allowed[0] === major && allowed[1] < minor)) ? allowed : [major, minor];
  const supportsV11 = oldest[0]! > 20 || (oldest[0] === 20 && oldest[1]! >= 19);
  return supportsV11 ? "^11.0.0" : "^10.0.0";
}

/**
 * A `file:` spec for a local checkout or tarball, relative to the app (as `npm install ../x.tgz`
 * writes it): package.json stays valid when the app and the tarball move together, and a
 * commit does not carry one machine's absolute path.
 */
export function localSpec(appDir: string, from: string): string {
  const path = relative(appDir, resolve(appDir, from)).split(sep).join("/");
  return `file:${path === "" ? "." : path}`;
}

/** Dependencies monwire adds; ones the host already has (in any dependency field) are kept as they are. */
export function dependenciesToAdd(
  pkg: Record<string, unknown>,
  answers: Pick<InitAnswers, "sentry" | "metrics" | "audit"> & Partial<Pick<InitAnswers, "profiling">>,
  options: { monwireFrom?: string; cwd: string; nodeVersion: string },
): Record<string, string> {
  const own = readOwnPackage();
  const wanted: Record<string, string> = {
    monwire: options.monwireFrom ? localSpec(options.cwd, options.monwireFrom) : `^${own.version}`,
  };
  if (answers.sentry) wanted["@sentry/node"] = sentryRangeFor(options.nodeVersion, (pkg.engines as Record<string, unknown> | undefined)?.node);
  // The profiler is released in lockstep with the SDK: same range, so npm can keep one @sentry/core.
  if (answers.sentry && answers.profiling) wanted["@sentry/profiling-node"] = wanted["@sentry/node"]!;
  if (answers.metrics) wanted["prom-client"] = own.dependencies["prom-client"] ?? "^15.1.3";
  // The audit trail needs nothing beyond monwire itself: its writer does not go through winston.
  const present = new Set(
    ["dependencies", "devDependencies", "peerDependencies", "optionalDependencies"].flatMap((field) => Object.keys((pkg[field] as object | undefined) ?? {})),
  );
  return Object.fromEntries(Object.entries(wanted).filter(([name]) => !present.has(name)));
}
