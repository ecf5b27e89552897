import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { makeTempDir } from "../helpers/cli.js";
import { runInit } from "../../src/scaffold/init.js";

// When init cannot tell whether a registration is error middleware it says so in the plan; in a
// terminal it asks (the prompt is the only thing replaced here), with --yes it keeps the safe
// position before the registration.
const APP = `const express = require("express");\nconst errorhandler = require("errorhandler");\nconst app = express();\napp.get("/x", (req, res) => res.end());\napp.use(errorhandler());\napp.listen(3000);\n`;
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
});

async function project(): Promise<string> {
  const temp = await makeTempDir("monwire-init-position-");
  cleanups.push(temp.cleanup);
  await writeFile(join(temp.dir, "package.json"), JSON.stringify({ name: "p", version: "1.0.0", main: "app.js", scripts: { start: "node app.js" }, dependencies: { express: "^4.21.2", errorhandler: "^1.5.1" } }, null, 2));
  await writeFile(join(temp.dir, "app.js"), APP);
  return temp.dir;
}

const base = { flags: { tenants: [], port: 3000 }, overrides: {}, skipInstall: true };
const order = (text: string) => [text.indexOf("app.use(monitoring.errorHandler);"), text.indexOf("app.use(errorhandler());")];

describe("init when it cannot tell what a middleware is", () => {
  it("--yes: before it, with a note naming it", async () => {
    const cwd = await project();
    const result = await runInit({ ...base, cwd, yes: true });
    expect(result.plan.notes.join("\n")).toContain("could not tell whether `app.use(errorhandler())`");
    const [handler, unknown] = order(await readFile(join(cwd, "app.js"), "utf8"));
    expect(handler).toBeLessThan(unknown!);
  });

  it("in a terminal: asks, and puts it after when the user says it is ordinary middleware", async () => {
    const cwd = await project();
    const asked: string[][] = [];
    const result = await runInit({ ...base, cwd, interactive: true }, {
      ask: async () => ({}),
      confirmErrorMiddleware: async (registrations) => {
        asked.push(registrations);
        return registrations;
      },
    });
    expect(asked).toEqual([["app.use(errorhandler())"]]);
    expect(result.plan.notes.join("\n")).not.toContain("could not tell");
    const [handler, unknown] = order(await readFile(join(cwd, "app.js"), "utf8"));
    expect(handler).toBeGreaterThan(unknown!);
  });

  it("in a terminal: keeps the safe position when the user confirms it handles errors", async () => {
    const cwd = await project();
    await runInit({ ...base, cwd, interactive: true }, { ask: async () => ({}), confirmErrorMiddleware: async () => [] });
    const [handler, unknown] = order(await readFile(join(cwd, "app.js"), "utf8"));
    expect(handler).toBeLessThan(unknown!);
  });
});
