import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { EXIT, MonwireError } from "../errors.js";
import type { Manifest, ManifestFile } from "./types.js";

/**
 * The manifest records what `mon init` wrote — paths, hashes, script changes and added
 * dependencies — beside mon.config.json. Re-runs use it to tell monwire's files from the user's
 * edits; uninstall uses it to remove exactly what init added. It holds no timestamps, so an
 * unchanged setup rewrites it byte-identically.
 */
export const MANIFEST_PATH = ".monwire/manifest.json";

export function sha256(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

export function emptyManifest(version: string): Manifest {
  return { version: 1, monwire: version, files: [], scripts: {}, dependencies: {} };
}

export function readManifest(root: string): Manifest | undefined {
  const file = join(root, MANIFEST_PATH);
  if (!existsSync(file)) return undefined;
  try {
    const parsed = JSON.parse(readFileSync(file, "utf8")) as Manifest;
    if (parsed.version !== 1 || !Array.isArray(parsed.files)) throw new Error("unknown manifest version");
    return { ...parsed, scripts: parsed.scripts ?? {}, dependencies: parsed.dependencies ?? {} };
  } catch (cause) {
    throw new MonwireError("E_CONFIG_PARSE", `${MANIFEST_PATH} is unreadable: ${(cause as Error).message}`, {
      exitCode: EXIT.usage,
      cause,
      hint: `Restore ${MANIFEST_PATH} from version control (it records what mon init wrote).`,
    });
  }
}

export function findManifestFile(manifest: Manifest | undefined, path: string): ManifestFile | undefined {
  return manifest?.files.find((file) => file.path === path);
}

/** Stable serialisation: files sorted by path, keys in a fixed order. */
export function formatManifest(manifest: Manifest): string {
  const ordered: Manifest = {
    version: 1,
    monwire: manifest.monwire,
    files: [...manifest.files].sort((a, b) => a.path.localeCompare(b.path)).map((f) => ({
      path: f.path,
      sha256: f.sha256,
      ownership: f.ownership,
      ...(f.regions ? { regions: Object.fromEntries(Object.entries(f.regions).sort(([a], [b]) => a.localeCompare(b))) } : {}),
    })),
    scripts: Object.fromEntries(Object.entries(manifest.scripts).sort(([a], [b]) => a.localeCompare(b))),
    dependencies: Object.fromEntries(Object.entries(manifest.dependencies).sort(([a], [b]) => a.localeCompare(b))),
    ...(manifest.routes && manifest.routes.length > 0 ? { routes: [...manifest.routes].sort() } : {}),
  };
  return `${JSON.stringify(ordered, null, 2)}\n`;
}
