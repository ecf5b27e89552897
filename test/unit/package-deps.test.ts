import { readFileSync, readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../helpers/cli.js";

/**
 * The package's dependency split: what a host installs (`dependencies`) is what the runtime
 * imports; the CLI's packages are devDependencies reached only through src/vendor, which the build
 * bundles. A value import of one of them anywhere else would be left unbundled and fail for every
 * installed user, so it is caught here, by reading the sources.
 */
const pkg = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
const VENDOR = join(REPO_ROOT, "src", "vendor");

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : []));
}

/** Bare package names a file imports as values (static or dynamic); `import type` is erased by tsc. */
function valueImports(text: string): string[] {
  const found: string[] = [];
  for (const m of text.matchAll(/^\s*(?:import|export)\s+(?!type\s)[^;]*?from\s+"([^".][^"]*)"/gm)) found.push(m[1]!);
  for (const m of text.matchAll(/\bimport\(\s*"([^".][^"]*)"\s*\)/g)) found.push(m[1]!);
  return found.filter((spec) => !spec.startsWith("node:")).map((spec) => (spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0]!));
}

describe("the package's dependencies", () => {
  it("installs only what the runtime needs", () => {
    expect(Object.keys(pkg.dependencies)).toEqual(["prom-client"]);
  });

  it("reaches the CLI's packages only through src/vendor, and src/vendor only for devDependencies", () => {
    const offenders: string[] = [];
    for (const file of sources(join(REPO_ROOT, "src"))) {
      const inVendor = file.startsWith(VENDOR);
      for (const name of valueImports(readFileSync(file, "utf8"))) {
        const allowed = inVendor ? name in pkg.devDependencies : name in pkg.dependencies || name === "@sentry/node" || name === "@sentry/profiling-node";
        if (!allowed) offenders.push(`${relative(REPO_ROOT, file)} imports ${name}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it("finds a value import of a CLI package outside src/vendor (the check can fail)", () => {
    expect(valueImports('import { Chalk, type ChalkInstance } from "chalk";\nconst { execa } = await import("execa");')).toEqual(["chalk", "execa"]);
    expect(valueImports('import type { Command } from "commander";\nimport { x } from "./local.js";')).toEqual([]);
  });
});
