import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * Which monwire `mon init` should make the app depend on when `--monwire-from` is not given.
 * A CLI running from a git checkout (the README's Quick start: clone, `npm ci`, build) is not
 * what `^<version>` from the registry would install — and before the first publish the registry
 * has nothing at all, so the install fails and the app cannot start. Such a run depends on this
 * very checkout instead, through a path relative to the app. An install from the registry or a
 * tarball has no `.git` and no `src/`: it keeps the registry range.
 */
export const PACKAGE_ROOT = fileURLToPath(new URL("../../", import.meta.url));

export function localBuildSource(root: string = PACKAGE_ROOT): string | undefined {
  const checkout = existsSync(join(root, ".git")) && existsSync(join(root, "src")) && existsSync(join(root, "package.json"));
  return checkout ? root.replace(/[\\/]+$/, "") : undefined;
}
