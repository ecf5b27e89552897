import { describe, expect, it } from "vitest";
import { analyzeEntry } from "../../src/scaffold/ast.js";
import { editEntry, type EntryEditOptions } from "../../src/scaffold/entry-edit.js";
import { detectEol, findRegions, insertRegions, stripRegions } from "../../src/scaffold/regions.js";

const ALL = { sentry: true, metrics: true, audit: true };
const TS_ESM: EntryEditOptions = { file: "server/index.ts", language: "ts", moduleSystem: "esm", importExtension: "", answers: ALL };
const JS_CJS: EntryEditOptions = { file: "server.js", language: "js", moduleSystem: "cjs", importExtension: "", answers: ALL };

const ESM_APP = `import express from "express";
import { routes } from "./routes";

const app = express();
app.use(express.json());
routes(app);

app.use((err: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
  res.status(500).json({ error: err.message });
});

const server = app.listen(Number(process.env.PORT ?? 5000), () => console.log("up"));
`;

describe("regions", () => {
  it.each([
    ["LF text", "a\nb\n"],
    ["CRLF text", "a\r\nb\r\n"],
    ["no final newline", "a\nb"],
    ["empty", ""],
  ])("insert then strip gives back the original bytes: %s", (_name, text) => {
    const inserted = insertRegions(text, [{ offset: 0, name: "top", body: ["x();"], indent: "" }, { offset: text.length, name: "end", body: ["y();"], indent: "  " }]);
    expect(findRegions(inserted).map((r) => r.name)).toEqual(["top", "end"]);
    expect(stripRegions(inserted)).toBe(text);
  });

  it("uses the file's line ending inside regions", () => {
    const inserted = insertRegions("a\r\nb\r\n", [{ offset: 3, name: "r", body: ["x();"], indent: "" }]);
    expect(inserted).toBe("a\r\n// monwire:begin r\r\nx();\r\n// monwire:end r\r\nb\r\n");
    expect(detectEol(inserted)).toBe("\r\n");
  });

  it("keeps regions the caller asks to keep", () => {
    const text = insertRegions("a\n", [{ offset: 0, name: "one", body: ["1"], indent: "" }, { offset: 2, name: "two", body: ["2"], indent: "" }]);
    expect(stripRegions(text, "//", (r) => r.name === "two")).toBe("a\n// monwire:begin two\n2\n// monwire:end two\n");
  });
});

describe("analyzeEntry", () => {
  it.each([
    ["ESM with error middleware", ESM_APP, { appName: "app", serverName: "server", port: 5000, hasListen: true }],
    ["CJS assigned app", 'const express = require("express");\nlet api;\napi = express();\napi.listen(3000);\n', { appName: "api", port: 3000, hasListen: true }],
    ["renamed import", 'import makeApp from "express";\nconst shop = makeApp();\nexport default shop;\n', { appName: "shop", hasListen: false }],
    ["port from parseInt(process.env.PORT || \"8080\")", 'import express from "express";\nconst app = express();\nconst port = parseInt(process.env.PORT || "8080", 10);\napp.listen(port);\n', { port: 8080 }],
    ["listen with an options object", 'import express from "express";\nconst app = express();\napp.listen({ port: 4321, host: "127.0.0.1" });\n', { port: 4321 }],
  ])("%s", (_name, source, expected) => {
    expect(analyzeEntry(source, "index.ts")).toMatchObject(expected);
  });

  it("returns undefined when no express() app is created", () => {
    expect(analyzeEntry('import express from "express";\nexport const router = express.Router();\n', "x.ts")).toBeUndefined();
  });
});

describe("editEntry", () => {
  it("puts each region where it belongs in an ESM TypeScript app", () => {
    const edit = editEntry(ESM_APP, TS_ESM)!;
    const lines = edit.text.split("\n");
    const at = (text: string) => lines.findIndex((line) => line.includes(text));
    expect(at('import { monitoring } from "./middleware/monitoring";')).toBe(at('import { routes } from "./routes";') + 2);
    expect(at("app.use(monitoring.middleware);")).toBe(at("const app = express();") + 2);
    expect(at("monitoring.mountMetrics(app);")).toBe(at("app.use(monitoring.middleware);") + 1);
    expect(at("app.use(monitoring.errorHandler);")).toBeLessThan(at("app.use((err: Error"));
    expect(at("app.use(monitoring.errorHandler);")).toBeGreaterThan(at("routes(app);"));
    expect(at("monitoring.installShutdown(server);")).toBeGreaterThan(at("const server = app.listen"));
    // ESM hosts preload Sentry with --import; no instrument import in the entry.
    expect(edit.text).not.toContain("monitoring/sentry");
    expect(edit.clean).toBe(ESM_APP);
  });

  it("is idempotent and reports regions the user edited", () => {
    const edit = editEntry(ESM_APP, TS_ESM)!;
    expect(editEntry(edit.text, TS_ESM)!.text).toBe(edit.text);
    expect(editEntry(edit.text, TS_ESM)!.editedRegions).toEqual([]);
    const tampered = edit.text.replace("monitoring.mountMetrics(app);", "// removed by me");
    expect(editEntry(tampered, TS_ESM)!.editedRegions).toEqual(["middleware"]);
  });

  it("requires the instrument first in CommonJS, after 'use strict', and keeps CRLF everywhere", () => {
    const source = ['"use strict";', 'const express = require("express");', "const app = express();", "app.get('/', (req, res) => res.send('hi'));", "app.listen(3000);", ""].join("\r\n");
    const edit = editEntry(source, JS_CJS)!;
    const lines = edit.text.split("\r\n");
    expect(lines.slice(0, 4)).toEqual(['"use strict";', "// monwire:begin instrument", 'require("./monitoring/sentry");', "// monwire:end instrument"]);
    expect(edit.text.replace(/\r\n/g, "")).not.toContain("\n");
    expect(edit.text).toContain('const { monitoring } = require("./middleware/monitoring");');
    expect(edit.text).not.toMatch(/^import /m);
    // No listen target variable: the error handler goes right before listen, and shutdown becomes a note.
    expect(lines.indexOf("app.use(monitoring.errorHandler);")).toBe(lines.indexOf("app.listen(3000);") - 2);
    expect(edit.notes.join(" ")).toContain("installShutdown");
    expect(stripRegions(edit.text)).toBe(source);
  });

  it("indents regions like the surrounding block (app created inside a function)", () => {
    const source = 'import express from "express";\nexport function start() {\n    const app = express();\n    app.listen(1);\n}\n';
    const edit = editEntry(source, { ...TS_ESM, answers: { sentry: false, metrics: false, audit: true } })!;
    expect(edit.text).toContain("\n    // monwire:begin middleware\n    app.use(monitoring.middleware);\n    // monwire:end middleware\n");
    expect(edit.text).not.toContain("mountMetrics");
  });

  it("uses .js specifiers when the host's resolution needs them", () => {
    const edit = editEntry('import express from "express";\nconst app = express();\napp.listen(1);\n', { ...TS_ESM, importExtension: ".js" })!;
    expect(edit.text).toContain('from "./middleware/monitoring.js"');
  });
});
