import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { EXIT, MonwireError } from "../errors.js";

/**
 * Which monwire `mon init` should make the app depend on when `--monwire-from` is not given.
 * A CLI running from a git checkout (the README's Quick start: clone, `npm ci`, build) is not
 * what `^<version>` from the registry would install — and before the first publish the registry
 * has nothing at all, so the install fails and the app cannot start. Such a run depends on this
 * very checkout instead, through a path relative to the app. An installed copy has no `.git`
 * and no `src/`: a tarball install is handled by `bundleRunningBuild` below, a registry install
 * keeps the registry range.
 */
export const PACKAGE_ROOT = fileURLToPath(new URL("../../", import.meta.url));

export function localBuildSource(root: string = PACKAGE_ROOT): string | undefined {
  const checkout = existsSync(join(root, ".git")) && existsSync(join(root, "src")) && existsSync(join(root, "package.json"));
  return checkout ? root.replace(/[\\/]+$/, "") : undefined;
}

/**
 * A CLI installed from a tarball (`npm install ./monwire-0.1.0.tgz`, `npx ./monwire-0.1.0.tgz`) is
 * not on the registry either. npm records where it came from in the tree's lockfile
 * (`"resolved": "file:…tgz"` with its integrity): such a run gives the app that very tarball.
 * Registry installs (an http `resolved`) and installs npm left no record of keep the range.
 */
export interface TarballOrigin {
  /** The `resolved` spec npm recorded, e.g. `file:../monwire-0.1.0.tgz`. */
  resolved: string;
  /** The tarball, when it is still there with the integrity npm recorded. */
  tarball?: string;
}

export function tarballOrigin(root: string = PACKAGE_ROOT): TarballOrigin | undefined {
  const dir = root.replace(/[\\/]+$/, "");
  const parent = dirname(dir);
  if (basename(parent) !== "node_modules") return undefined;
  const tree = dirname(parent);
  for (const lock of [join(parent, ".package-lock.json"), join(tree, "package-lock.json")]) {
    let entry: { resolved?: string; integrity?: string } | undefined;
    try {
      entry = (JSON.parse(readFileSync(lock, "utf8")) as { packages?: Record<string, { resolved?: string; integrity?: string }> }).packages?.[`node_modules/${basename(dir)}`];
    } catch {
      continue;
    }
    if (!entry?.resolved) continue;
    if (!entry.resolved.startsWith("file:") || !/\.t(ar\.)?gz$/.test(entry.resolved)) return undefined;
    const tarball = resolve(tree, entry.resolved.slice("file:".length));
    const intact = existsSync(tarball) && (!entry.integrity || integrityOf(readFileSync(tarball), entry.integrity) === entry.integrity);
    return { resolved: entry.resolved, ...(intact ? { tarball } : {}) };
  }
  return undefined;
}

function integrityOf(bytes: Buffer, recorded: string): string {
  const algorithm = recorded.split("-")[0] ?? "sha512";
  return `${algorithm}-${createHash(algorithm).update(bytes).digest("base64")}`;
}

/** Where the app keeps its copy of the build, relative to the app. */
export const bundlePath = (version: string) => `.monwire/monwire-${version}.tgz`;

/**
 * The bytes of the running build as a tarball: the one npm installed it from when that is
 * intact, else `npm pack` of the installed package itself (the same files).
 */
export async function runningBuildTarball(origin: TarballOrigin, root: string = PACKAGE_ROOT): Promise<{ bytes: Buffer; how: string }> {
  if (origin.tarball) return { bytes: readFileSync(origin.tarball), how: `copied from ${origin.tarball}` };
  const { execa } = await import("../vendor/execa.js");
  const out = mkdtempSync(join(tmpdir(), "monwire-pack-"));
  try {
    const packed = await execa("npm", ["pack", root, "--pack-destination", out, "--silent"], { reject: false, stdin: "ignore" });
    const file = readdirSync(out).find((name) => name.endsWith(".tgz"));
    if (packed.exitCode !== 0 || !file) {
      throw new MonwireError("E_USAGE", `monwire was installed from ${origin.resolved}, which is gone, and \`npm pack ${root}\` failed: ${String(packed.stderr).trim().split("\n").at(-1) ?? ""}`, {
        exitCode: EXIT.usage,
        hint: "Give the tarball or a checkout with --monwire-from PATH.",
      });
    }
    return { bytes: readFileSync(join(out, file)), how: `packed from ${root} (the tarball it came from, ${origin.resolved}, is gone or changed)` };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/** For a tarball install: the bytes to place in the app, where, and the path init's plan names. */
export async function bundleRunningBuild(appDir: string, root: string = PACKAGE_ROOT): Promise<{ path: string; from: string; bytes: Buffer; how: string; origin: string } | undefined> {
  const origin = tarballOrigin(root);
  if (!origin) return undefined;
  const { version } = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string };
  const path = bundlePath(version);
  // An app that already depends on monwire some other way keeps it; one that depends on this
  // very copy keeps it in the plan (and in the manifest, so uninstall still removes it).
  const declared = declaredMonwire(appDir);
  if (declared !== undefined && declared !== `file:${path}`) return undefined;
  const { bytes, how } = await runningBuildTarball(origin, root);
  return { path, from: join(appDir, path), bytes, how, origin: origin.resolved };
}

/** The app's own monwire spec, from any dependency field. */
function declaredMonwire(appDir: string): string | undefined {
  try {
    const pkg = JSON.parse(readFileSync(join(appDir, "package.json"), "utf8")) as Record<string, Record<string, string> | undefined>;
    for (const field of ["dependencies", "devDependencies", "optionalDependencies", "peerDependencies"]) {
      const spec = pkg[field]?.monwire;
      if (typeof spec === "string") return spec;
    }
  } catch {
    // No readable package.json: init reports that itself.
  }
  return undefined;
}
