import { describe, expect, it } from "vitest";
import { editDatabaseFile } from "../../src/scaffold/db-edit.js";
import { findDatabaseSites } from "../../src/scaffold/detect-db.js";
import { stripRegions } from "../../src/scaffold/regions.js";

describe("findDatabaseSites", () => {
  it.each([
    ["import { Pool } from \"pg\";\nexport const pool = new Pool({ max: 5 });\n", "db.ts", "pool", "new Pool(...)"],
    ["import pg from \"pg\";\nconst pool = new pg.Pool();\n", "db.js", "pool", "new pg.Pool(...)"],
    ["import * as pg from \"pg\";\nconst client = new pg.Client(process.env.DATABASE_URL);\n", "db.ts", "client", "new pg.Client(...)"],
    ["const { Pool } = require(\"pg\");\nconst pool = new Pool();\nmodule.exports = { pool };\n", "db.js", "pool", "new Pool(...)"],
    ["import { Pool } from \"@neondatabase/serverless\";\nexport const pool = new Pool({ connectionString: process.env.DATABASE_URL });\n", "db.ts", "pool", "new Pool(...)"],
    ["import { drizzle } from \"drizzle-orm/node-postgres\";\nexport const db = drizzle(process.env.DATABASE_URL!);\n", "db.ts", "db", "drizzle(...)"],
    ["import { Pool } from \"pg\";\nimport { drizzle } from \"drizzle-orm/node-postgres\";\nconst pool = new Pool();\nexport const db = drizzle({ client: pool });\n", "db.ts", "pool", "new Pool(...)"],
    ["import Database from \"better-sqlite3\";\nexport const db = new Database(\"app.db\") as Database.Database;\n", "db.ts", "db", "new Database(...)"],
    ["const Database = require(\"better-sqlite3\");\nconst db = new Database(\":memory:\");\n", "db.js", "db", "new Database(...)"],
  ])("%#: finds the creating statement in %s", (text, file, variable, construct) => {
    const [site] = findDatabaseSites(text, file);
    expect(site).toMatchObject({ variable, construct, line: text.split("\n").findIndex((l) => l.includes(` ${variable} =`)) + 1 });
  });

  it.each([
    ["a Pool class of another module", "import { Pool } from \"generic-pool\";\nconst pool = new Pool();\n"],
    ["a pool created inside a function", "import { Pool } from \"pg\";\nexport function make() { const pool = new Pool(); return pool; }\n"],
    ["no database at all", "const x = 1;\n"],
    ["a syntax error", "import { Pool } from \"pg\";\nconst pool = new Pool(;\n"],
  ])("ignores %s", (_name, text) => {
    expect(findDatabaseSites(text, "db.ts")).toEqual([]);
  });
});

describe("editDatabaseFile", () => {
  const esm = { language: "ts" as const, moduleSystem: "esm" as const };
  const source = "import { Pool } from \"pg\";\nimport { other } from \"./other\";\n\nexport const pool = new Pool({\n  max: 5,\n});\n\npool.on(\"error\", () => {});\n";

  it("adds the import after the imports and the call right after the statement, removable byte-exactly", () => {
    const edit = editDatabaseFile(source, { file: "db.ts", variable: "pool" }, esm)!;
    expect(edit.text).toBe(
      "import { Pool } from \"pg\";\nimport { other } from \"./other\";\n// monwire:begin database-import\nimport { monitorDatabase } from \"monwire/runtime\";\n// monwire:end database-import\n\nexport const pool = new Pool({\n  max: 5,\n});\n// monwire:begin database\nmonitorDatabase(pool);\n// monwire:end database\n\npool.on(\"error\", () => {});\n",
    );
    expect(stripRegions(edit.text)).toBe(source);
    expect(edit.editedRegions).toEqual([]);
    expect(editDatabaseFile(edit.text, { file: "db.ts", variable: "pool" }, esm)!.text).toBe(edit.text);
  });

  it("uses require in CommonJS JavaScript and keeps CRLF line endings", () => {
    const crlf = "const { Pool } = require(\"pg\");\r\nconst pool = new Pool();\r\nmodule.exports = { pool };\r\n";
    const edit = editDatabaseFile(crlf, { file: "db.js", variable: "pool" }, { language: "js", moduleSystem: "cjs" })!;
    expect(edit.text).toContain("// monwire:begin database-import\r\nconst { monitorDatabase } = require(\"monwire/runtime\");\r\n");
    expect(edit.text).toContain("const pool = new Pool();\r\n// monwire:begin database\r\nmonitorDatabase(pool);\r\n");
    expect(stripRegions(edit.text)).toBe(crlf);
  });

  it("reports a region the user changed", () => {
    const edit = editDatabaseFile(source, { file: "db.ts", variable: "pool" }, esm)!;
    const changed = edit.text.replace("monitorDatabase(pool);", "monitorDatabase(pool); // mine");
    expect(editDatabaseFile(changed, { file: "db.ts", variable: "pool" }, esm)!.editedRegions).toEqual(["database"]);
  });

  it("places its regions outside regions of other owners in the same file", () => {
    const entry = "import express from \"express\";\n// monwire:begin imports\nimport { monitoring } from \"./middleware/monitoring\";\n// monwire:end imports\nimport { Pool } from \"pg\";\nconst pool = new Pool();\n";
    const edit = editDatabaseFile(entry, { file: "index.ts", variable: "pool" }, esm)!;
    expect(edit.text).toContain("// monwire:end imports\nimport { Pool } from \"pg\";\n// monwire:begin database-import\n");
    expect(stripRegions(edit.text)).toBe(stripRegions(entry));
  });
});
