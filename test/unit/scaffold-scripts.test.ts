import { describe, expect, it } from "vitest";
import { planScriptEdits } from "../../src/scaffold/script-edit.js";
import { describeScripts, parseScript } from "../../src/scaffold/scripts.js";

const INSTRUMENT = "server/monitoring/sentry.ts";
const edit = (scripts: Record<string, string>, tsconfig?: { outDir?: string; rootDir?: string }) =>
  planScriptEdits({ scripts, entry: "server/index.ts", instrument: INSTRUMENT, ...(tsconfig ? { tsconfig } : {}) });

describe("reading scripts", () => {
  it.each([
    ["NODE_ENV=development tsx server/index.ts", "tsx", "server/index.ts"],
    ["tsx watch --env-file .env ./server/index.ts", "tsx", "server/index.ts"],
    ["cross-env NODE_ENV=production node -r dotenv/config dist/index.js", "node", "dist/index.js"],
    ["nodemon --watch server --exec tsx server/index.ts", "nodemon", "server/index.ts"],
    ["npx ts-node src/index.ts", "ts-node", "src/index.ts"],
    ["node --import ./x.js 'src/server.js' --port 3", "node", "src/server.js"],
  ])("%s → %s %s", (line, runner, file) => {
    expect(describeScripts({ dev: line })[0]).toEqual({ script: "dev", runner, file });
  });

  it("splits at shell operators and lists every esbuild entry", () => {
    expect(parseScript("vite build && esbuild a.ts b.ts --bundle; echo done").map((c) => c.runner)).toEqual(["vite", "esbuild", "echo"]);
    expect(describeScripts({ build: "esbuild main=src/a.ts src/b.ts --outdir=out" }).map((c) => c.file)).toEqual(["src/a.ts", "src/b.ts"]);
  });
});

describe("start-script edits (ESM hosts preload the instrument)", () => {
  it.each([
    ["tsx on the source", { dev: "NODE_ENV=development tsx server/index.ts" }, { dev: "NODE_ENV=development tsx --import ./server/monitoring/sentry.ts server/index.ts" }],
    ["tsx watch", { dev: "tsx watch server/index.ts" }, { dev: "tsx watch --import ./server/monitoring/sentry.ts server/index.ts" }],
    ["nodemon takes the flag in one token", { dev: "nodemon server/index.ts" }, { dev: "nodemon --import=./server/monitoring/sentry.ts server/index.ts" }],
    [
      "esbuild bundle with --outdir and the start script that runs it",
      { build: "vite build && esbuild server/index.ts --platform=node --packages=external --bundle --format=esm --outdir=dist", start: "NODE_ENV=production node dist/index.js" },
      {
        build: "vite build && esbuild server/index.ts server/monitoring/sentry.ts --platform=node --packages=external --bundle --format=esm --outdir=dist",
        start: "NODE_ENV=production node --import ./dist/monitoring/sentry.js dist/index.js",
      },
    ],
    [
      "esbuild --outfile becomes --outdir with entry aliases (bundle name kept)",
      { build: "esbuild server/index.ts --bundle --platform=node --outfile=build/app.mjs --out-extension:.js=.mjs", start: "node build/app.mjs" },
      {
        build: "esbuild app=server/index.ts monitoring/sentry=server/monitoring/sentry.ts --bundle --platform=node --outdir=build --out-extension:.js=.mjs",
        start: "node --import ./build/monitoring/sentry.mjs build/app.mjs",
      },
    ],
  ])("%s", (_name, scripts, expected) => {
    expect(edit(scripts).scripts).toEqual(expected);
  });

  it("maps a tsc build through outDir/rootDir", () => {
    const result = planScriptEdits({ scripts: { start: "node dist/index.js" }, entry: "src/index.ts", instrument: "src/monitoring/sentry.ts", tsconfig: { outDir: "dist", rootDir: "src" } });
    expect(result.scripts).toEqual({ start: "node --import ./dist/monitoring/sentry.js dist/index.js" });
  });

  it("changes nothing when the scripts already preload the instrument", () => {
    const once = edit({ dev: "tsx server/index.ts", build: "esbuild server/index.ts --bundle --outdir=dist", start: "node dist/index.js" }).scripts;
    const twice = edit(once);
    expect(twice.scripts).toEqual({});
    expect(twice.notes).toEqual([]);
  });

  it("explains what to do when no script runs the entry, or ts-node runs it", () => {
    expect(edit({ test: "vitest" }).notes.join(" ")).toContain("node --import ./server/monitoring/sentry.ts");
    const tsNode = edit({ dev: "ts-node server/index.ts" });
    expect(tsNode.scripts).toEqual({});
    expect(tsNode.notes.join(" ")).toContain("ts-node");
  });
});
