import { describe, expect, it } from "vitest";
import { planSourcemapEdits, withoutTsSourceMap, withTsSourceMap } from "../../src/scaffold/sourcemap-edit.js";

describe("planSourcemapEdits", () => {
  it.each([
    ["esbuild --outdir", "esbuild server/index.ts --bundle --platform=node --outdir=dist", "esbuild --sourcemap server/index.ts --bundle --platform=node --outdir=dist && mon sentry sourcemaps inject dist && mon sentry release stamp dist"],
    ["esbuild --outfile", "esbuild src/a.ts --bundle --outfile=build/app.js", "esbuild --sourcemap src/a.ts --bundle --outfile=build/app.js && mon sentry sourcemaps inject build && mon sentry release stamp build"],
    ["esbuild with maps already", "esbuild src/a.ts --sourcemap=linked --outdir=out", "esbuild src/a.ts --sourcemap=linked --outdir=out && mon sentry sourcemaps inject out && mon sentry release stamp out"],
    ["tsup", "tsup src/index.ts --format cjs", "tsup --sourcemap src/index.ts --format cjs && mon sentry sourcemaps inject dist && mon sentry release stamp dist"],
    ["tsup -d", "tsup src/index.ts -d lib", "tsup --sourcemap src/index.ts -d lib && mon sentry sourcemaps inject lib && mon sentry release stamp lib"],
    ["tsc (outDir from tsconfig)", "rimraf dist && tsc -p .", "rimraf dist && tsc -p . && mon sentry sourcemaps inject dist && mon sentry release stamp dist"],
  ])("%s", (_name, build, expected) => {
    const result = planSourcemapEdits({ scripts: { build, start: "node dist/index.js" }, tsconfig: { outDir: "dist" } });
    expect(result.scripts).toEqual({ build: expected });
    // Run again on its own output: nothing more to change.
    expect(planSourcemapEdits({ scripts: { build: expected }, tsconfig: { outDir: "dist" } }).scripts).toEqual({});
  });

  it("leaves non-build scripts and type checks alone", () => {
    expect(planSourcemapEdits({ scripts: { check: "tsc", lint: "tsc --noEmit", build: "tsc --noEmit" } }).scripts).toEqual({});
  });

  it("asks tsc for maps in tsconfig.json, keeping comments", () => {
    const text = `{\n  // strict mode\n  "compilerOptions": {\n    "outDir": "dist"\n  }\n}\n`;
    const result = planSourcemapEdits({ scripts: { build: "tsc" }, tsconfig: { outDir: "dist" }, tsconfigText: text });
    expect(result.tsconfigText).toBe(`{\n  // strict mode\n  "compilerOptions": {\n    "sourceMap": true,\n    "outDir": "dist"\n  }\n}\n`);
    expect(withoutTsSourceMap(result.tsconfigText!)).toBe(text);
    expect(withTsSourceMap(`{ "compilerOptions": { "sourceMap": false } }`)).toBeUndefined();
  });
});
