import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { EXIT, describeMissing, isInstalled, missedTargets, missingTools, verdict } from "../../bench/lib/verdict.mjs";

const store = {
  startup: { targets: [{ name: "mon --version ≤ 1.5× node -e 0", value: "1.16", ok: true }] },
  rules: { targets: [{ name: "a rule costs ≤ 10 µs", value: "17.8 µs", ok: false }, { name: "within 5 µs of track.*", value: "4 µs", ok: true }] },
  parse: { targets: [{ name: "no verdict recorded", value: 3 }] },
};

describe("bench verdict", () => {
  it("passes when every target of the benchmarks that ran was met, whatever others stored", () => {
    expect(verdict(store, ["startup"])).toEqual({ code: EXIT.ok, text: "bench: all 1 targets met (startup)\n" });
  });

  it("fails with exit 1 on a missed target, naming it and its measured value", () => {
    const result = verdict(store, ["startup", "rules"]);
    expect(result.code).toBe(1);
    expect(result.text).toBe("bench: 1 target missed (2 met):\n  ✗ rules: a rule costs ≤ 10 µs — measured 17.8 µs\n");
  });

  it("counts a target without ok: true, and a benchmark without a result, as missed", () => {
    expect(missedTargets(store, ["parse", "verify"])).toEqual([
      { bench: "parse", name: "no verdict recorded", value: "3" },
      { bench: "verify", name: "the benchmark produced a result", value: "none" },
    ]);
  });
});

describe("bench prerequisites", () => {
  it("names only the missing tools the chosen benchmarks need, with what needs them and the package", () => {
    const installed = (tool: string) => tool === "/usr/bin/time";
    expect(missingTools(["startup", "report", "middleware", "rules"], installed)).toEqual([
      { tool: "jq", package: "jq", why: expect.any(String), neededBy: ["report"] },
      { tool: "valgrind", package: "valgrind", why: expect.any(String), neededBy: ["middleware", "rules"] },
    ]);
    expect(missingTools(["startup", "http", "audit-write"], () => false)).toEqual([]);
    const text = describeMissing(missingTools(["verify"], () => false));
    expect(text).toContain("/usr/bin/time");
    expect(text).toContain("openssl");
    expect(text).toContain("sudo apt-get install time openssl");
  });

  it("finds a tool by PATH or absolute path only when it is an executable file", () => {
    const dir = mkdtempSync(join(tmpdir(), "monwire-bench-tools-"));
    try {
      writeFileSync(join(dir, "jq"), "#!/bin/sh\n");
      writeFileSync(join(dir, "valgrind"), "not executable");
      chmodSync(join(dir, "jq"), 0o755);
      chmodSync(join(dir, "valgrind"), 0o644);
      expect(isInstalled("jq", `/nonexistent:${dir}`)).toBe(true);
      expect(isInstalled("valgrind", dir)).toBe(false);
      expect(isInstalled(join(dir, "jq"), "")).toBe(true);
      expect(isInstalled("openssl", "")).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
