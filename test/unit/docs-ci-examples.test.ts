import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../helpers/cli.js";

/**
 * The CI examples people copy are the ones a CI should run: every `monwire check` in a CI snippet
 * of the README and docs/check.md passes --strict, and starts the app first where it scrapes.
 */
function ciSnippets(file: string): string[] {
  const text = readFileSync(join(REPO_ROOT, file), "utf8");
  return [...text.matchAll(/```(?:yaml|sh)\n([\s\S]*?)```/g)].map((m) => m[1] as string).filter((s) => /npx monwire check/.test(s));
}

describe("CI examples in the docs", () => {
  it.each(["README.md", "docs/check.md"])("%s: every CI `monwire check` is --strict", (file) => {
    const snippets = ciSnippets(file);
    expect(snippets.length).toBeGreaterThan(0);
    for (const snippet of snippets) {
      for (const line of snippet.split("\n").filter((l) => l.includes("npx monwire check"))) expect(line).toContain("--strict");
      if (/--format github/.test(snippet)) expect(snippet).toMatch(/npm start &/);
    }
  });
});
