import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { cp, mkdir, mkdtemp, readdir, symlink, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { MonwireError } from "../errors.js";

/**
 * The demo shop's directory: the bundled source from templates/demo, a package.json, a .env with
 * a fresh audit key, and a node_modules in which `monwire` is this very install (a symlink to
 * the package root) so `import "monwire/runtime"` runs the code that is running the demo.
 */
export const PACKAGE_ROOT = fileURLToPath(new URL("../../", import.meta.url));
const SHOP_TEMPLATE = join(PACKAGE_ROOT, "templates", "demo");
export const START_ARGS = ["--import", "./instrument.mjs", "server.mjs"];
export const AUDIT_KEY_ENV = "MONWIRE_AUDIT_KEY";

/** Packages the shop imports itself, with the ranges installed when monwire's copy is absent. */
const SHOP_DEPENDENCIES: Record<string, string> = { express: "^5.1.0", "@sentry/node": "^11.0.0" };

export interface ShopDir {
  dir: string;
  /** Whether `mon demo` created the directory (a temp dir) rather than being given it. */
  temporary: boolean;
  /** The HMAC key of the demo's audit trail (also in `.env`, never printed). */
  auditKey: string;
  /** Packages installed from the registry because this monwire install does not have them. */
  installed: string[];
}

/** A named directory must be new or empty: the demo never mixes its files with someone else's. */
async function prepareDir(dir: string | undefined): Promise<{ dir: string; temporary: boolean }> {
  if (dir === undefined) return { dir: await mkdtemp(join(tmpdir(), "monwire-demo-")), temporary: true };
  const absolute = resolve(dir);
  await mkdir(absolute, { recursive: true });
  const entries = await readdir(absolute);
  if (entries.length > 0) {
    throw new MonwireError("E_USAGE", `--dir ${dir} is not empty (${entries.length} entr${entries.length === 1 ? "y" : "ies"})`, {
      exitCode: 2,
      hint: "Pass a new or empty directory, or leave --dir out to use a temporary one.",
    });
  }
  return { dir: absolute, temporary: false };
}

/** Where this monwire install resolves a package from, or undefined when it cannot. */
function resolveFromMonwire(name: string): string | undefined {
  const require = createRequire(join(PACKAGE_ROOT, "package.json"));
  try {
    return dirname(require.resolve(`${name}/package.json`));
  } catch {
    // A package whose "exports" hides package.json: walk up from its entry point instead.
  }
  try {
    for (let dir = dirname(require.resolve(name)); dir !== dirname(dir); dir = dirname(dir)) {
      if (dir.endsWith(join("node_modules", name))) return dir;
    }
  } catch {
    // Not installed.
  }
  return undefined;
}

async function linkPackage(dir: string, name: string, target: string): Promise<void> {
  const link = join(dir, "node_modules", name);
  await mkdir(dirname(link), { recursive: true });
  await symlink(target, link, "dir");
}

/**
 * Links express and @sentry/node from this monwire install (a checkout has them as dev
 * dependencies); what is missing is installed from the registry with npm, which needs a network.
 */
async function provideDependencies(dir: string, onProgress: (line: string) => void): Promise<string[]> {
  const missing: string[] = [];
  for (const name of Object.keys(SHOP_DEPENDENCIES)) {
    const found = resolveFromMonwire(name);
    if (found) await linkPackage(dir, name, found);
    else missing.push(name);
  }
  if (missing.length > 0) {
    const specs = missing.map((name) => `${name}@${SHOP_DEPENDENCIES[name]}`);
    onProgress(`installing ${specs.join(" ")} into the demo shop (this monwire install does not have them)…`);
    try {
      await promisify(execFile)("npm", ["install", "--no-audit", "--no-fund", "--no-save", "--loglevel=error", ...specs], { cwd: dir, timeout: 180_000 });
    } catch (error) {
      throw new MonwireError("E_DEMO_FAILED", `could not install ${specs.join(", ")} for the demo shop: ${(error as Error).message.split("\n")[0]}`, {
        exitCode: 2,
        hint: `Check your network and npm registry settings, or run: cd ${dir} && npm install ${specs.join(" ")}`,
      });
    }
  }
  // npm prunes packages it did not install, so monwire is linked last.
  await linkPackage(dir, "monwire", PACKAGE_ROOT);
  return missing;
}

/** Creates the demo shop in `dir` (or a fresh temp dir) and returns where it is. */
export async function createShopDir(options: { dir?: string; onProgress?: (line: string) => void }): Promise<ShopDir> {
  const { dir, temporary } = await prepareDir(options.dir);
  await cp(SHOP_TEMPLATE, dir, { recursive: true });
  const pkg = {
    name: "monwire-demo-shop",
    version: "1.0.0",
    private: true,
    type: "module",
    description: "The monwire demo shop, created by `mon demo`.",
    scripts: { start: `node ${START_ARGS.join(" ")}` },
    dependencies: SHOP_DEPENDENCIES,
  };
  await writeFile(join(dir, "package.json"), `${JSON.stringify(pkg, null, 2)}\n`);
  const auditKey = randomBytes(32).toString("hex");
  // Like a real host: the key lives in .env (readable by its owner only), never in mon.config.json.
  await writeFile(join(dir, ".env"), `# Written by mon demo. Load with: set -a; . ./.env; set +a\n${AUDIT_KEY_ENV}=${auditKey}\n`, { mode: 0o600 });
  const installed = await provideDependencies(dir, options.onProgress ?? (() => {}));
  return { dir, temporary, auditKey, installed };
}
