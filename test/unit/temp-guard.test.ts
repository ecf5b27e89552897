import { homedir, tmpdir } from "node:os";
import { basename, join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../helpers/cli.js";
import { CACHE_ROOT } from "../helpers/host-app.js";

describe("the suite's temp and cache use", () => {
  it("runs in a temp dir of its own, removed after the run", () => {
    expect(basename(tmpdir())).toMatch(/^monwire-vitest-/);
    expect(process.env.TMPDIR).toBe(tmpdir());
  });

  it("keeps its cache in one documented place, outside the temp dir and the repo", () => {
    expect(CACHE_ROOT.startsWith(tmpdir())).toBe(false);
    expect(CACHE_ROOT.startsWith(REPO_ROOT)).toBe(false);
    if (!process.env.MONWIRE_TEST_CACHE) expect(CACHE_ROOT).toBe(join(process.env.XDG_CACHE_HOME || join(homedir(), ".cache"), "monwire-test"));
  });
});
