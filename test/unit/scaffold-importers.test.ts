import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { findImporters } from "../../src/scaffold/importers.js";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function project(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), "monwire-importers-"));
  dirs.push(root);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

const TARGET = "src/monitoring/audit.ts";

describe("findImporters", () => {
  it("finds every import form outside monwire's regions, with true line numbers", () => {
    const root = project({
      [TARGET]: "export const audit = 1;\n",
      "src/a.ts": "// monwire:begin imports\nimport { audit } from \"./monitoring/audit.js\";\n// monwire:end imports\n\nexport * from \"./monitoring/audit\";\n",
      "src/b.js": "const x = 1;\nconst { audit } = require(\"./monitoring/audit\");\n",
      "src/c.mjs": "export async function f() {\n  return import(\"./monitoring/audit.js\");\n}\n",
      "src/d.ts": "import audit = require(\"./monitoring/audit\");\nexport { audit };\n",
      "src/routes/e.ts": "import { audit } from \"../monitoring/audit.js\";\n",
    });
    const found = findImporters(root, [TARGET]).get(TARGET)?.sort();
    expect(found).toEqual(["src/a.ts:5", "src/b.js:2", "src/c.mjs:2", "src/d.ts:1", "src/routes/e.ts:1"]);
  });

  it("ignores imports inside monwire's regions, other deleted files, node_modules, dist and unparsable files", () => {
    const root = project({
      [TARGET]: "export const audit = 1;\n",
      "src/monitoring/sentry.ts": "import { audit } from \"./audit.js\";\n",
      "src/server.ts": "// monwire:begin imports\nimport { audit } from \"./monitoring/audit.js\";\n// monwire:end imports\nconsole.log(1);\n",
      "node_modules/x/index.js": "require(\"../../src/monitoring/audit\");\n",
      "dist/server.js": "import \"../src/monitoring/audit.js\";\n",
      "src/broken.ts": "import { from \"./monitoring/audit.js\";\n",
      "src/other.ts": "import { audit } from \"./monitoring/other.js\";\n",
    });
    expect(findImporters(root, [TARGET, "src/monitoring/sentry.ts"]).size).toBe(0);
  });
});
