import { readdirSync, readFileSync } from "node:fs";
import { join, relative, resolve, dirname, sep } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../helpers/cli.js";

const SRC = join(REPO_ROOT, "src");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

/** Every relative module a file imports (static, dynamic and `import type`), as paths under src/. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const specifiers = [...text.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|\bimport\s+)["'](\.{1,2}\/[^"']+)["']/g)].map((m) => m[1]!);
  return specifiers.map((s) => relative(SRC, resolve(dirname(file), s)).split(sep).join("/"));
}

const FILES = sourceFiles(SRC).map((path) => ({ path, name: relative(SRC, path).split(sep).join("/") }));

describe("source layout", () => {
  it("finds the source tree (the scan below would pass vacuously otherwise)", () => {
    expect(FILES.length).toBeGreaterThan(100);
    expect(FILES.some((f) => importsOf(f.path).some((i) => i.startsWith("cli/")))).toBe(true);
  });

  it("sets process.exitCode only at the CLI entry and in the runtime's shutdown", () => {
    const setters = FILES.filter((f) => /process\.exitCode\s*=[^=]/.test(readFileSync(f.path, "utf8"))).map((f) => f.name);
    expect(setters.sort()).toEqual(["cli/main.ts", "runtime/shutdown.ts"]);
  });
});

describe("import rules", () => {
  const importers = (from: (name: string) => boolean, to: (target: string) => boolean) =>
    FILES.filter((f) => from(f.name)).flatMap((f) => importsOf(f.path).filter(to).map((target) => `${f.name} -> ${target}`));

  it("nothing outside src/cli imports from src/cli (renderers and commands live there)", () => {
    // The package entry keeps formatVerifyReport public: a re-export, not a core depending on the CLI.
    const entryReexport = "index.ts -> cli/render-verify.js";
    expect(importers((name) => !name.startsWith("cli/"), (target) => target.startsWith("cli/")).filter((edge) => edge !== entryReexport)).toEqual([]);
    expect(readFileSync(join(SRC, "index.ts"), "utf8")).toMatch(/^export \{ formatVerifyReport \} from "\.\/cli\/render-verify\.js";$/m);
  });

  it("the runtime imports nothing from cli/, scaffold/, probe/ or demo/", () => {
    expect(importers((name) => name.startsWith("runtime/"), (target) => /^(cli|scaffold|probe|demo)\//.test(target))).toEqual([]);
  });

  it("no renderer lives outside src/cli", () => {
    const renderers = FILES.filter((f) => !f.name.startsWith("cli/") && /(^|\/)(render-[^/]*|report-(human|json|junit|github))\.ts$/.test(f.name)).map((f) => f.name);
    expect(renderers).toEqual([]);
  });

  it("no report renderer (a format…Report function) is defined outside src/cli", () => {
    const defined = FILES.filter((f) => !f.name.startsWith("cli/") && /export function format\w*Report\(/.test(readFileSync(f.path, "utf8"))).map((f) => f.name);
    expect(defined).toEqual([]);
  });
});
