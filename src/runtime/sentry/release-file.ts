import { readFileSync } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve } from "node:path";

/**
 * The release as the build knew it. A deploy often ships the build output and package.json but
 * no `.git` (a container image, a tarball), so the commit cannot be read at startup: the build
 * step `mon sentry release stamp <outdir>` writes it next to the built files, and the instrument
 * file reads it from the directory of the entry script (or one above it, up to the project root).
 */
export const RELEASE_FILE = "sentry-release.json";

export interface ReleaseStamp {
  release: string;
  commit?: string;
}

/** What Sentry accepts as a release name: 1–200 characters, no slash, no whitespace or control characters, not "." or "..". */
export function isValidRelease(text: string): boolean {
  return text.length > 0 && text.length <= 200 && !/[\s/\\\u0000-\u001f\u007f]/.test(text) && text !== "." && text !== "..";
}

function readStamp(file: string): ReleaseStamp | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, "utf8"));
  } catch {
    return undefined;
  }
  const { release, commit } = (parsed ?? {}) as Record<string, unknown>;
  if (typeof release !== "string" || !isValidRelease(release)) return undefined;
  return { release, ...(typeof commit === "string" && /^[0-9a-f]{7,40}$/.test(commit) ? { commit } : {}) };
}

/**
 * The stamp for the entry script `entry` (process.argv[1]): the nearest RELEASE_FILE from its
 * directory up to `root`. An entry outside the project, or none, looks in `root` only, so a
 * stamp in dist/ never names the release of `tsx src/index.ts` in development.
 */
export function findReleaseStamp(root: string, entry: string | undefined): ReleaseStamp | undefined {
  const top = resolve(root);
  let dir = entry ? dirname(resolve(entry)) : top;
  const inside = (d: string) => {
    const rel = relative(top, d);
    return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel));
  };
  if (!inside(dir)) dir = top;
  for (;;) {
    const stamp = readStamp(join(dir, RELEASE_FILE));
    if (stamp) return stamp;
    if (dir === top) return undefined;
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}
