import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTempDir } from "../helpers/cli.js";
import { editEntry } from "../../src/scaffold/entry-edit.js";

// Where init puts monitoring.errorHandler when the app's error middleware is not written inline:
// real files on disk, the entry's imports followed into them.
const HEAD = `const express = require("express");\n`;
const FILES: Record<string, string> = {
  "mw/error.js": "const errorConverter = (err, req, res, next) => next(err);\nfunction errorHandler(err, req, res, next) { res.status(500).end(); }\nmodule.exports = { errorConverter, errorHandler };\n",
  "mw/exports.js": "exports.onError = function (err, req, res, next) { res.end(); };\nexports.logger = (req, res, next) => next();\n",
  "mw/esm.mjs": "export function handle(err, req, res, next) { res.end(); }\nexport default (req, res, next) => next();\n",
  "mw/factory.js": "module.exports = function makeHandler(options) {\n  return (err, req, res, next) => res.end();\n};\n",
  "mw/register.js": "const { errorHandler } = require('./error');\nmodule.exports = function registerErrors(app) {\n  app.use(errorHandler);\n};\n",
  "routes.js": "const router = require('express').Router();\nmodule.exports = router;\n",
};

let root: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ dir: root, cleanup } = await makeTempDir("monwire-error-position-"));
  for (const [file, text] of Object.entries(FILES)) {
    await mkdir(dirname(join(root, file)), { recursive: true });
    await writeFile(join(root, file), text);
  }
});
afterAll(() => cleanup());

function place(body: string, file = "app.js") {
  const edit = editEntry(HEAD + body, { file, language: "js", moduleSystem: "cjs", importExtension: "", answers: { sentry: false, metrics: false, audit: false }, root });
  if (!edit) throw new Error("no app found");
  const lines = edit.text.split("\n");
  const at = lines.indexOf("app.use(monitoring.errorHandler);");
  // The line after the region's end marker.
  return { next: lines[at + 2], notes: edit.notes.join("\n") };
}

describe("monitoring.errorHandler position", () => {
  it.each([
    ["destructured require", `const { errorConverter, errorHandler } = require("./mw/error");\nconst app = express();\napp.use("/api", require("./routes"));\napp.use(errorConverter);\napp.use(errorHandler);\napp.listen(3000);\n`, "app.use(errorConverter);"],
    ["namespace member", `const errors = require("./mw/error");\nconst app = express();\napp.get("/x", (req, res) => res.end());\napp.use(errors.errorHandler);\nmodule.exports = app;\n`, "app.use(errors.errorHandler);"],
    ["exports.name =", `const mw = require("./mw/exports");\nconst app = express();\napp.use(mw.logger);\napp.use(mw.onError);\napp.listen(3000);\n`, "app.use(mw.onError);"],
    ["a factory returning error middleware", `const makeHandler = require("./mw/factory");\nconst app = express();\napp.use(express.json());\napp.use(makeHandler({ log: true }));\napp.listen(3000);\n`, "app.use(makeHandler({ log: true }));"],
    ["a wrapper around it", `const { errorHandler } = require("./mw/error");\nconst wrap = (fn) => fn;\nconst app = express();\napp.use(wrap(errorHandler));\napp.listen(3000);\n`, "app.use(wrap(errorHandler));"],
    ["registered in another file", `const registerErrors = require("./mw/register");\nconst app = express();\napp.use(express.json());\nregisterErrors(app);\napp.listen(3000);\n`, "registerErrors(app);"],
  ])("%s", (_name, body, expected) => {
    const { next, notes } = place(body);
    expect(next).toBe(expected);
    expect(notes).toContain("has 4 parameters");
  });

  it("ESM import of a named export", () => {
    const body = `import handler, { handle } from "./mw/esm.mjs";\nconst app = express();\napp.use(handler);\napp.use(handle);\napp.listen(3000);\n`;
    const edit = editEntry(`import express from "express";\n${body}`, { file: "app.mjs", language: "js", moduleSystem: "esm", importExtension: ".js", answers: { sentry: false, metrics: false, audit: false }, root });
    const lines = edit!.text.split("\n");
    expect(lines[lines.indexOf("app.use(monitoring.errorHandler);") + 2]).toBe("app.use(handle);");
  });

  it("says so and picks the safe position when it cannot tell", () => {
    const body = `const errorhandler = require("errorhandler");\nconst app = express();\napp.use(express.json());\napp.get("/x", (req, res) => res.end());\napp.use(errorhandler());\napp.listen(3000);\n`;
    const { next, notes } = place(body);
    expect(next).toBe("app.use(errorhandler());");
    expect(notes).toContain("could not tell whether `app.use(errorhandler())`");
    expect(notes).toContain("the package errorhandler");
  });

  it("keeps ordinary imported middleware and routes before it", () => {
    const body = `const routes = require("./routes");\nconst { errorHandler } = require("./mw/error");\nconst app = express();\napp.use(express.json());\napp.use("/v1", routes);\napp.use(errorHandler);\napp.listen(3000);\n`;
    const { next, notes } = place(body);
    expect(next).toBe("app.use(errorHandler);");
    expect(notes).not.toContain("could not tell");
  });
});
